/**
 * Facebook Login built by hand, as documented: the login dialog at /{version}/dialog/oauth with
 * comma-separated scopes, a refusal redirected as `error=access_denied&error_reason=user_denied`, the
 * code exchanged with a GET to /{version}/oauth/access_token (`client_id`, `redirect_uri`,
 * `client_secret`, `code`; the redirect URI identical to the dialog's), no refresh tokens, and errors
 * as a nested `{"error":{"message","type":"OAuthException","code","error_subcode","fbtrace_id"}}`.
 * Facebook states no code lifetime in its manual-flow guide; the replica gives codes RFC 6749 §4.1.2's
 * recommended ten minutes and refuses an older one with code 100 ("This authorization code has expired.").
 * A repeated parameter is the Graph API's code 100, "Invalid parameter".
 * @see https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
import { errorPage, json, ReplicaState, startReplica, takeQueuedFailure, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

export const FACEBOOK_VERSION = 'v23.0';

export function startFacebookReplica(client: RegisteredClient): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 600 });
  return startReplica(state, () => ({
    [`GET /${FACEBOOK_VERSION}/dialog/oauth`]: (call) => dialog(state, call),
    [`GET /${FACEBOOK_VERSION}/oauth/access_token`]: (call) => accessToken(state, call),
  }));
}

function dialog(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (state.repeatedParameter(call)) return errorPage('Invalid parameter');
  if (q.get('client_id') !== state.client.clientId) return errorPage('Invalid App ID');
  if (q.get('redirect_uri') !== state.client.redirectUri) return errorPage("URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.");
  const responseType = q.get('response_type') ?? 'code';
  if (responseType !== 'code') return errorPage('Unsupported response_type');
  if (state.decision === 'deny') {
    return state.redirect(state.client.redirectUri, {
      error_reason: 'user_denied',
      error: 'access_denied',
      error_description: 'Permissions error.',
      state: q.get('state') ?? undefined,
    });
  }
  const code = state.issueCode({ redirectUri: q.get('redirect_uri')!, scope: q.get('scope') ?? 'public_profile' });
  return state.redirect(state.client.redirectUri, { code, state: q.get('state') ?? undefined });
}

function oauthException(message: string, code: number, subcode?: number): ReplicaAnswer {
  return json(400, { error: { message, type: 'OAuthException', code, ...(subcode === undefined ? {} : { error_subcode: subcode }), fbtrace_id: 'AbCdEfGh123' } });
}

function accessToken(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  const q = call.query;
  const repeated = state.repeatedParameter(call);
  if (repeated) return oauthException(`(#100) Invalid parameter: ${repeated} is repeated`, 100);
  if (q.get('client_id') === null) return oauthException('Missing client_id parameter.', 101);
  if (q.get('client_id') !== state.client.clientId) return oauthException('Error validating application. Invalid application ID.', 101);
  if (q.get('client_secret') !== state.client.clientSecret) return oauthException('Error validating client secret.', 1);
  if (q.get('redirect_uri') === null) return oauthException('Missing redirect_uri parameter.', 191);
  const value = q.get('code');
  if (value === null) return oauthException('Missing authorization code', 100);
  const status = state.codeStatus(value);
  if (status === 'used') return oauthException('This authorization code has been used.', 100, 36009);
  if (status === 'expired') return oauthException('This authorization code has expired.', 100);
  const code = state.redeem(value);
  if (!code) return oauthException('Invalid verification code format.', 100);
  if (q.get('redirect_uri') !== code.redirectUri) {
    return oauthException('Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', 100, 36008);
  }
  const issued = state.grant(code.scope, { refresh: false });
  return json(200, { access_token: issued.accessToken, token_type: 'bearer', expires_in: 5183944 });
}
