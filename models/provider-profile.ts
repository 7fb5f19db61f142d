import { z } from 'zod';

/**
 * A provider profile says, as data, how one upstream OAuth 2.0 provider differs from RFC 6749: the
 * authorization request, each grant's token request (endpoint, method, client authentication,
 * parameter names), where each answer keeps its fields, and what the provider's own errors mean.
 * Built-in presets are profiles; the `LINKBRIDGE_CONFIG` file can change any field.
 *
 * This schema is the single source of truth: the types below are inferred from it, and the config
 * file is validated against it, so a field cannot exist in one and not the other.
 */

const httpUrl = z.string().refine(isAbsoluteHttpUrl, { message: 'must be an absolute http(s) URL' });
/** A dotted path into an answer (`authed_user.access_token`); a JWT on the way is read as its claims. */
const dottedPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, { message: 'must be a dotted path such as authed_user.access_token' });
const stringMap = z.record(z.string(), z.string());

/** RFC 6749 §4.1.2.1 and §5.2 error codes a provider error can be mapped to. */
export const RFC_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
] as const;
export type RfcError = (typeof RFC_ERRORS)[number];

/** The RFC 6749 parameter names of a token request; a profile may rename or omit each. */
export const TOKEN_PARAMETERS = ['client_id', 'client_secret', 'grant_type', 'code', 'redirect_uri', 'refresh_token', 'code_verifier'] as const;
export type TokenParameter = (typeof TOKEN_PARAMETERS)[number];

/** Where one token answer keeps its fields. */
export const AnswerPathsSchema = z.strictObject({
  accessToken: dottedPath.default('access_token'),
  refreshToken: dottedPath.default('refresh_token'),
  expiresIn: dottedPath.default('expires_in'),
  scope: dottedPath.default('scope'),
  /** Fields that identify the user, by the name linkbridge gives them (`userId` → `openid`). */
  identity: z.record(z.string(), dottedPath).default({}),
});

/** One grant's token request and the answer it gets. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
export const GrantRequestSchema = z.strictObject({
  url: httpUrl,
  /** `POST` form body (RFC 6749 §4.1.3) or `GET` with a query string (WeChat, Facebook). */
  method: z.enum(['POST', 'GET']).default('POST'),
  /**
   * RFC 6749 §2.3.1 `client_secret_basic` or `client_secret_post`; `client_secret_basic_with_client_id`
   * sends Basic and `client_id` in the body at once (X); `none` sends only the client id (RFC 7591 §2).
   */
  clientAuthentication: z.enum(['client_secret_basic', 'client_secret_post', 'client_secret_basic_with_client_id', 'none']).default('client_secret_basic'),
  /** The provider's names for RFC 6749 parameters (`client_id` → `appid`). */
  parameterNames: z.partialRecord(z.enum(TOKEN_PARAMETERS), z.string().min(1)).default({}),
  /** RFC 6749 parameters this provider does not take. */
  omitParameters: z.array(z.enum(TOKEN_PARAMETERS)).default([]),
  /** Extra fixed parameters. */
  parameters: stringMap.default({}),
  headers: stringMap.default({}),
  answer: AnswerPathsSchema.prefault({}),
});

/**
 * The refresh request: every field not given here is the code grant's; the maps (`parameterNames`,
 * `parameters`, `headers`) add to the code grant's; `answer`, when given, starts from the RFC 6749
 * names (a refresh answer is often flatter than the code answer).
 * `null`: the provider has no refresh tokens.
 * Derived from {@link GrantRequestSchema}: the same fields, each optional and without its default.
 */
export const RefreshRequestSchema = z.strictObject({
  ...optionalFields(GrantRequestSchema.shape),
  answer: z.strictObject(optionalFields(AnswerPathsSchema.shape)).optional(),
});

/** The authorization request. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
export const AuthorizationSchema = z.strictObject({
  url: httpUrl,
  clientIdParameter: z.string().min(1).default('client_id'),
  /** Extra fixed parameters. */
  parameters: stringMap.default({}),
  /** Appended to the URL after the query (WeChat's `#wechat_redirect`). */
  urlSuffix: z.union([z.literal(''), z.string().regex(/^#\S+$/, { message: 'must start with #' })]).default(''),
  /** Longest `state` the provider keeps intact; above it the state sent is a short handle. */
  maxStateLength: z.int().min(32, { message: 'must be at least 32' }).optional(),
  /** PKCE S256 toward the provider (RFC 7636). */
  pkce: z.boolean().default(true),
  /** What a callback with `state` and neither `code` nor `error` means (WeChat: the user refused). */
  missingCode: z.enum(['server_error', 'access_denied']).default('server_error'),
});

/** Which scope is asked for, in which parameter. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3 */
export const ScopeSchema = z.strictObject({
  /** Parameter that carries it (`user_scope` at Slack). */
  parameter: z.string().min(1).default('scope'),
  /** RFC 6749 §3.3 says a space; some providers use a comma. */
  separator: z.string().min(1).default(' '),
  /** `pass`: Alexa's scope (or `value` when Alexa sends none); `replace`: always `value`. */
  alexa: z.enum(['pass', 'replace']).default('pass'),
  value: z.string().optional(),
  /** Scopes always added (`openid`, X's `offline.access`). */
  always: z.array(z.string().min(1)).default([]),
});

/** How to read the provider's errors, and what each means in RFC 6749 terms. */
export const ErrorMapSchema = z.strictObject({
  /** Where the provider's error code is (`error`, `errcode`, `error.code`); present and truthy means an error, even with HTTP 200. */
  codePath: dottedPath.default('error'),
  descriptionPath: dottedPath.default('error_description'),
  /** Provider codes (and, where the code alone is ambiguous, a piece of the description) to RFC errors. */
  rules: z
    .array(
      z.strictObject({
        code: z.union([z.string(), z.number()], { error: 'must be a string or a number' }),
        descriptionIncludes: z.string().optional(),
        error: z.enum(RFC_ERRORS),
      }),
    )
    .default([]),
});

export const ProviderProfileSchema = z.strictObject({
  /** Bound into the sealed state against mix-up (RFC 9700 §4.4). */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be 1 to 40 letters, digits, - or _' }),
  /** The provider documentation the profile follows. */
  documentation: z.string().optional(),
  authorization: AuthorizationSchema,
  scope: ScopeSchema.prefault({}),
  /** The authorization code grant's token request. */
  token: GrantRequestSchema,
  refresh: RefreshRequestSchema.nullable().default({}),
  errors: ErrorMapSchema.prefault({}),
  /** The provider's user API (OpenID Connect userinfo), for the skill. */
  userinfoUrl: httpUrl.optional(),
  /**
   * The provider's token revocation endpoint (RFC 7009), from discovery's `revocation_endpoint` or the
   * preset; called with the code grant's client authentication. Unset: the provider offers none.
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
   */
  revocationUrl: httpUrl.optional(),
});

export type ProviderProfile = z.output<typeof ProviderProfileSchema>;
export type GrantRequest = z.output<typeof GrantRequestSchema>;
export type AnswerPaths = z.output<typeof AnswerPathsSchema>;
export type ErrorMap = z.output<typeof ErrorMapSchema>;
export type ScopeRule = z.output<typeof ScopeSchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** What a preset or the `LINKBRIDGE_CONFIG` file gives: any part of a profile. */
export type ProfileOverrides = DeepPartial<z.input<typeof ProviderProfileSchema>>;

/** The schema of {@link ProfileOverrides}: the profile schema with every field optional and no defaults. */
export const ProfileOverridesSchema = deepPartial(ProviderProfileSchema) as unknown as z.ZodType<ProfileOverrides>;

/** The refresh grant's request: the code grant's, changed by the profile's `refresh` fields. */
export function refreshRequestOf(profile: ProviderProfile): GrantRequest | undefined {
  if (profile.refresh === null) return undefined;
  const { answer, parameterNames, parameters, headers, ...changes } = profile.refresh;
  const defined = Object.fromEntries(Object.entries(changes).filter((entry) => entry[1] !== undefined));
  const { token } = profile;
  return {
    ...token,
    ...defined,
    // Maps add to the code grant's; the answer starts over from RFC 6749's names.
    parameterNames: { ...token.parameterNames, ...parameterNames },
    parameters: { ...token.parameters, ...parameters },
    headers: { ...token.headers, ...headers },
    answer: answer === undefined ? token.answer : AnswerPathsSchema.parse(answer),
  };
}

/** The scopes in a scope string: separated by spaces (RFC 6749 §3.3) or commas (Facebook, Slack, WeChat). */
export function splitScopes(scope: string | undefined): string[] {
  return (scope ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * The scopes linkbridge asks the provider for when Alexa sends none: the profile's scope value
 * (`UPSTREAM_SCOPE`, the config file, the preset or discovery, in that order) and the scopes it always
 * adds. Computed here only, from the resolved profile: the service asks for these, Alexa's
 * account-linking settings (`skill:package`) list them so Alexa sends the same, the simulator sends them,
 * and the doctor checks them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function linkingScopes(profile: { readonly scope: ScopeRule }): string[] {
  return [...new Set([...splitScopes(profile.scope.value), ...profile.scope.always])];
}

/** `path.to.field: message` for every problem zod found (every unknown field by its own path), with `prefix` before the path. */
export function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => describeOneIssue({ ...issue, keys: [key] }, prefix)) : [describeOneIssue(issue, prefix)],
  );
}

function describeOneIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return `${[path, key].filter(Boolean).join('.')}: is not a known field here`;
  }
  if (issue.code === 'invalid_value') return `${path}: must be one of ${issue.values.map(String).join(' | ')}`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `${path}: is required`;
  return `${path}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** A schema without its default (or prefault): the field as given, when it is given. */
type WithoutDefault<T> = T extends z.ZodDefault<infer Inner> ? Inner : T extends z.ZodPrefault<infer Inner> ? Inner : T;

/** The fields of an object schema, each optional and without its default (one level). */
function optionalFields<Shape extends z.ZodRawShape>(shape: Shape): { [K in keyof Shape]: z.ZodOptional<WithoutDefault<Shape[K]>> } {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape) as Array<[string, z.ZodType]>) {
    const bare = field instanceof z.ZodDefault || field instanceof z.ZodPrefault ? (field.unwrap() as z.ZodType) : field;
    fields[key] = bare.optional();
  }
  return fields as { [K in keyof Shape]: z.ZodOptional<WithoutDefault<Shape[K]>> };
}

/** A copy of `schema` with every object field optional and every default removed, recursively. */
function deepPartial(schema: z.ZodType): z.ZodType {
  let inner: z.ZodType = schema;
  let nullable = false;
  for (;;) {
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap() as z.ZodType;
    } else break;
  }
  if (inner instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(inner.shape as Record<string, z.ZodType>).map(([key, field]) => [key, deepPartial(field)]));
    inner = z.strictObject(shape);
  }
  return (nullable ? inner.nullable() : inner).optional();
}

/** An absolute `http:` or `https:` URL. */
export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
