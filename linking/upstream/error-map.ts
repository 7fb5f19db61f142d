import type { ErrorMap, RfcError } from '../../models/provider-profile';
import { RFC_ERRORS } from '../../models/provider-profile';
import { readPath } from './answer-path';

/** A provider error found in an answer, and what the profile says it means. */
export interface ProviderError {
  /** The code as the provider sent it, as text (`40029`, `bad_verification_code`). */
  readonly code: string;
  readonly description?: string;
  /** The RFC 6749 meaning; `undefined` when neither the map nor RFC 6749 knows the code. */
  readonly meaning: RfcError | undefined;
}

/**
 * Finds the provider's error in an answer (HTTP 200 bodies included: `{"errcode":40029}`,
 * `{"ok":false,"error":"invalid_code"}`, `{"error":{"code":100}}`) and maps it with the profile's rules;
 * a code that is itself an RFC 6749 error keeps its meaning.
 */
export function findProviderError(body: Record<string, unknown>, map: ErrorMap): ProviderError | undefined {
  const raw = readPath(body, map.codePath);
  if (raw === undefined || raw === null || raw === '' || raw === 0 || raw === false) return undefined;
  if (typeof raw === 'object') return { code: 'unreadable error object', meaning: undefined };
  const code = String(raw);
  const describedAs = readPath(body, map.descriptionPath);
  const description = typeof describedAs === 'string' ? describedAs : undefined;
  const rule = map.rules.find(
    (candidate) => String(candidate.code) === code && (candidate.descriptionIncludes === undefined || (description ?? '').includes(candidate.descriptionIncludes)),
  );
  const meaning = rule?.error ?? ((RFC_ERRORS as readonly string[]).includes(code) ? (code as RfcError) : undefined);
  return { code, description, meaning };
}
