import type { AccountProfile } from './account-api.client';
import type { SpeechStrings } from './speech/speech-strings';
import { naturalValue, spokenInstant, spokenValue } from './speech/spoken-values';

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

/**
 * Everything a user can ask for by name ("what's my …"), in the order the skill offers them when it does
 * not know a word: name, email, then every extra field.
 */
export function askableFields(strings: SpeechStrings, fieldMap: Readonly<Record<string, string>> = {}): ProfileField[] {
  return [
    { path: 'name', label: strings.fieldLabels.name },
    { path: 'email', label: strings.fieldLabels.email },
    ...extraFields(strings, fieldMap),
  ];
}

/** A field's value as the skill says it: the name and email as their own questions read them, the rest naturally. */
export function spokenField(profile: AccountProfile, path: string, strings: SpeechStrings): string | undefined {
  if (path === 'name') return displayName(profile);
  if (path === 'email') return email(profile);
  return naturalValue(path, readPath(profile, path), strings);
}

/**
 * Where account APIs put the time an account was created: `created_at` (GitHub's and X's user objects,
 * ISO 8601), `created` (Unix seconds, as Slack's objects carry it), `createdAt`. OpenID Connect defines no
 * such claim (`updated_at` is the last change, not the creation), so an OIDC userinfo answer has none.
 * @see https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 * @see https://docs.x.com/x-api/users/user-lookup-me
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 */
export const CREATION_TIME_PATHS = ['created_at', 'created', 'createdAt', 'creation_time'] as const;

/** When the account was created, as the locale says a date, or `undefined` when the profile does not say. */
export function accountCreated(profile: AccountProfile, strings: SpeechStrings): string | undefined {
  for (const path of CREATION_TIME_PATHS) {
    const spoken = spokenInstant(profile[path], strings);
    if (spoken) return spoken;
  }
  return undefined;
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
