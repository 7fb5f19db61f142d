import type { Request } from 'express';
import type { AlexaConfig } from '../models/config';
import { InvalidClientError, InvalidRequestError } from './errors';
import type { Params } from './params';
import { safeEqual } from './safe-equal';

/**
 * Authenticates Alexa at the token endpoint by HTTP Basic or by body credentials, whichever the skill
 * is set to (SMAPI `accessTokenScheme`). Using both at once is `invalid_request` (RFC 6749 §2.3).
 * Secrets are compared in constant time, length included.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @returns the authenticated client id
 */
export function authenticateClient(req: Request, params: Params, alexa: AlexaConfig): string {
  const header = req.get('authorization');
  const usesBasic = header !== undefined && /^basic\s/i.test(header);
  if (usesBasic) {
    if (params.has('client_secret')) throw new InvalidRequestError('use one client authentication method, not both');
    const { id, secret } = parseBasic(header);
    if (params.has('client_id') && params.get('client_id') !== id) {
      throw new InvalidClientError('client_id in the body does not match the Authorization header', true);
    }
    return verify(id, secret, alexa, true);
  }
  const id = params.get('client_id');
  const secret = params.get('client_secret');
  // No credentials at all: 401 with a Basic challenge tells the client which scheme to use.
  if (id === undefined || secret === undefined) throw new InvalidClientError('client authentication is required', id === undefined);
  return verify(id, secret, alexa, false);
}

function verify(id: string, secret: string, alexa: AlexaConfig, usedBasic: boolean): string {
  // Both comparisons always run, so the timing does not tell which one failed.
  const idMatches = safeEqual(id, alexa.clientId);
  const secretMatches = safeEqual(secret, alexa.clientSecret);
  if (!idMatches || !secretMatches) throw new InvalidClientError('client authentication failed', usedBasic);
  return id;
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))`. @see RFC 6749 §2.3.1, RFC 7617 */
function parseBasic(header: string): { id: string; secret: string } {
  const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClientError('the Authorization header is not valid Basic credentials', true);
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClientError('the Authorization header is not valid Basic credentials', true);
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
