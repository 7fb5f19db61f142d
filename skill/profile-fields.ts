import type { AccountProfile } from './account-api.client';
import type { SpeechStrings } from './speech/speech-strings';
import { spokenValue } from './speech/spoken-values';

export { naturalValue, spokenValue } from './speech/spoken-values';

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

/** The user's first name: `given_name`, else the first word of `name`, else the username. */
export function firstName(profile: AccountProfile): string | undefined {
  const given = spokenValue(profile.given_name);
  if (given) return given;
  const full = spokenValue(profile.name);
  return full ? full.split(' ')[0] : spokenValue(profile.preferred_username);
}
