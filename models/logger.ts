import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * A log line carries only the fields its call site chose, each a plain value: a string, number,
 * boolean or null. Nested objects and arrays (a request, its headers, a token response, a whole
 * config) are never serialized, so a secret cannot ride along inside one; an `Error` becomes its
 * class and message. Call sites pick fields one by one (`{ path: req.path, status }`), never pass
 * objects they did not build for the log. Child logger bindings (`route`, `flowId`) are chosen the
 * same way at the call site.
 *
 * As a last line of defence, a top-level field whose name is a known secret is replaced, whatever
 * its case. That is one set lookup per field, where path-based redaction with wildcards cost about
 * ten times a plain log line.
 */
const SECRET_FIELD_NAMES = new Set(
  [
    'access_token',
    'accessToken',
    'refresh_token',
    'refreshToken',
    'id_token',
    'idToken',
    'code',
    'code_verifier',
    'codeVerifier',
    'client_secret',
    'clientSecret',
    'password',
    'secret',
    'token',
    'state',
    'authorization',
    'cookie',
    'set-cookie',
    'signature',
    'signature-256',
  ].map((name) => name.toLowerCase()),
);

const REDACTED = '[redacted]';
const NOT_LOGGED = '[object not logged]';

/** Keeps what a call site chose: plain values as they are, errors as `Class: message`, secrets and objects out. */
export function chosenFields(fields: Record<string, unknown>): Record<string, unknown> {
  let kept: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    const safe = safeValue(key, value);
    if (safe === value) continue;
    // Copy only when something changes: the common line costs one pass and no allocation.
    kept ??= { ...fields };
    kept[key] = safe;
  }
  return kept ?? fields;
}

function safeValue(key: string, value: unknown): unknown {
  if (SECRET_FIELD_NAMES.has(key.toLowerCase())) return REDACTED;
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? NOT_LOGGED : value;
  if (value instanceof Error) return describeCause(value);
  return NOT_LOGGED;
}

/**
 * The one way a cause is written in the log: an error as its class and message (`StateRejectedError:
 * sealed state rejected: expired`), never its stack or the values it holds; anything else thrown as text.
 */
export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.constructor.name}: ${cause.message}` : String(cause);
}

/** Structured JSON logs of chosen fields. Tests pass a destination to capture the output. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'linkbridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: chosenFields },
    },
    destination,
  );
}

/** Standard output as the logger writes it (asynchronously, in order), for the lines meant for people. */
export function standardOutput(): DestinationStream & { write(text: string): void } {
  return pino.destination({ dest: 1 });
}
