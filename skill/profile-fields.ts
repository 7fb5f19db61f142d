import type { AccountProfile } from './account-api.client';
import type { SpeechStrings } from './speech/speech-strings';

/** A profile field the skill can speak: where it is in the account API's answer and what to call it. */
export interface ProfileField {
  /** Dotted JSON path (`address.formatted`). */
  readonly path: string;
  readonly label: string;
}

/** Fields read beyond name and email, in the order the summary speaks them. */
const DEFAULT_EXTRA_FIELDS = ['phone_number', 'preferred_username', 'birthdate', 'zoneinfo', 'locale', 'website', 'address.formatted'];

/**
 * The extra fields for a locale: the OpenID Connect userinfo claims with the locale's labels, then the
 * configured field map (JSON path → spoken label), which adds fields or relabels them.
 */
export function extraFields(strings: SpeechStrings, fieldMap: Readonly<Record<string, string>> = {}): ProfileField[] {
  const labels = new Map<string, string>(DEFAULT_EXTRA_FIELDS.map((path) => [path, strings.fieldLabels[path] ?? path]));
  for (const [path, label] of Object.entries(fieldMap)) if (path !== 'name' && path !== 'email') labels.set(path, label);
  return [...labels].map(([path, label]) => ({ path, label }));
}

export function readPath(profile: AccountProfile, path: string): unknown {
  let value: unknown = profile;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A value as it can be spoken, or `undefined` for empty values and nested objects. */
export function spokenValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(spokenValue).filter((part): part is string => part !== undefined);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}

/** The user's name from OIDC claims: `name`, else given and family name, else the username. */
export function displayName(profile: AccountProfile): string | undefined {
  const full = spokenValue(profile.name);
  if (full) return full;
  const parts = [spokenValue(profile.given_name), spokenValue(profile.family_name)].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : spokenValue(profile.preferred_username);
}

/** The email claim. */
export function email(profile: AccountProfile): string | undefined {
  return spokenValue(profile.email);
}
