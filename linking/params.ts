import { InvalidRequestError } from './errors';

/**
 * Request parameters, each present at most once.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 ("MUST NOT be included more than once")
 */
export type Params = ReadonlyMap<string, string>;

/** The names that appear more than once in `source`. */
export function repeatedNames(source: URLSearchParams): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of source.keys()) (seen.has(name) ? repeated : seen).add(name);
  return [...repeated];
}

/** Parameters with empty values dropped, as RFC 6749 §3.1 says ("treated as if they were omitted"). */
export function toParams(source: URLSearchParams): Params {
  const params = new Map<string, string>();
  for (const [name, value] of source) if (value !== '') params.set(name, value);
  return params;
}

/** Throws `invalid_request` naming the first repeated parameter. */
export function rejectRepeated(source: URLSearchParams): void {
  const [repeated] = repeatedNames(source);
  if (repeated !== undefined) throw new InvalidRequestError(`the ${repeated} parameter is repeated`);
}

export function requireParam(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new InvalidRequestError(`the ${name} parameter is missing`);
  return value;
}
