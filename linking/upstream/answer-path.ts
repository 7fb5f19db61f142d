/**
 * Reads a dotted path (`authed_user.access_token`) in a token answer. A JWT met on the way is read as
 * its claims (`id_token.sub`): the ID token came straight from the token endpoint over TLS, which OpenID
 * Connect accepts in place of checking its signature for this use.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (point 6)
 */
export function readPath(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const segment of path.split('.')) {
    if (typeof value === 'string') value = jwtClaims(value);
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function jwtClaims(token: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
