/**
 * What the code exchange, the account API and (for an OpenID Connect provider) `offline_access` tell:
 * the findings of those steps, and what they leave for the verdict.
 */
import { ALEXA_MINIMUM_LIFETIME_SECONDS } from '../token-lifetime.check';
import type { Finding, LinkCheckId } from '../report';
import { QUESTION, type AccountApiFacts } from './account-api.step';
import type { ExchangeFacts, LinkSettings, OpenIdFacts } from './link-facts';
import { duration, SHORTEST_TOLERABLE_LINK_SECONDS, type VerdictNotes } from './verdict-notes';

/** Alexa may refuse longer access tokens (Login with Amazon caps its own here). */
export const SAFE_TOKEN_LENGTH = 2048;

/** What the code exchange returned: token type, lifetime, refresh token, scope, identity fields. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export function assessExchange(exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  const lifetime = exchange.expiresIn === undefined ? `no expires_in (Alexa is told DEFAULT_EXPIRES_IN, ${settings.defaultExpiresIn} s)` : `expires_in ${exchange.expiresIn} s`;
  const granted = exchange.scopeGranted === undefined ? 'not stated (RFC 6749 §5.1: then it is the scope asked for)' : exchange.scopeGranted.join(' ') || '(none)';
  const details: Record<string, string | readonly string[]> = {
    'scope asked': exchange.scopeAsked.join(' '),
    'scope granted': granted,
  };
  if (exchange.identityRead.length > 0) details['identity fields the profile reads'] = exchange.identityRead.map((name) => `${name}: ${exchange.identityFound.includes(name) ? 'present' : 'missing'}`);
  const findings: Finding[] = [
    {
      check: 'link-exchange',
      severity: 'ok',
      message: `tokens issued: token type ${exchange.tokenType ?? 'not stated'}, ${lifetime}, ${exchange.refreshToken ? 'a refresh token' : 'no refresh token'}`,
      details,
    },
  ];
  if (exchange.expiresIn !== undefined && exchange.expiresIn < ALEXA_MINIMUM_LIFETIME_SECONDS) findings.push(shortLifetime('link-exchange', exchange.expiresIn, settings, notes));
  if (exchange.tokenType !== undefined && exchange.tokenType.toLowerCase() !== 'bearer') {
    findings.push({
      check: 'link-exchange',
      severity: 'info',
      message: `token_type is ${exchange.tokenType}, not Bearer: linkbridge tells Alexa Bearer, and the skill sends the token as a Bearer token (the account API step shows whether the API takes it)`,
    });
  }
  if (exchange.accessTokenLength > SAFE_TOKEN_LENGTH) {
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the access token has ${exchange.accessTokenLength} characters; Alexa may refuse tokens longer than ${SAFE_TOKEN_LENGTH}`,
      setting: "the token format in the provider's settings for linkbridge's client",
      fix: 'choose opaque (reference) tokens, or fewer claims in a JWT access token',
    });
  }
  const missingScopes = exchange.scopeGranted === undefined ? [] : exchange.scopeAsked.filter((scope) => scope !== 'offline_access' && !exchange.scopeGranted!.includes(scope));
  if (missingScopes.length > 0) {
    notes.addConsole(`allow the scopes ${missingScopes.join(', ')} for linkbridge's client`);
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the provider granted less than asked: ${missingScopes.join(', ')} missing`,
      setting: "the scopes allowed for linkbridge's client at the provider",
      fix: `allow ${missingScopes.join(', ')} for the client, or leave them out of UPSTREAM_SCOPE if the account API does not need them`,
    });
  }
  const identityMissing = exchange.identityRead.filter((name) => !exchange.identityFound.includes(name));
  if (identityMissing.length > 0) {
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the profile reads ${identityMissing.join(', ')} from the code answer, which did not carry ${identityMissing.length === 1 ? 'it' : 'them'}`,
      setting: 'LINKBRIDGE_CONFIG (upstream.profile.token.answer.identity)',
      fix: "point the identity paths at where the provider's answer keeps the user's id, or ask for the scope that adds it (openid for the ID token's sub)",
    });
  }
  return findings;
}

/** An access token Alexa would refuse for its lifetime, from the code exchange or a refresh. */
export function shortLifetime(check: LinkCheckId, seconds: number, settings: LinkSettings, notes: VerdictNotes): Finding {
  notes.vaultBecause.push(`the provider's access tokens live ${seconds} s, under Alexa's ${ALEXA_MINIMUM_LIFETIME_SECONDS} s, and in vault mode Alexa gets linkbridge's own`);
  if (settings.custody === 'vault') {
    return {
      check,
      severity: 'info',
      message: `the provider's access tokens live ${seconds} s, under Alexa's ${ALEXA_MINIMUM_LIFETIME_SECONDS} s; in vault mode Alexa gets linkbridge's own tokens, and linkbridge refreshes the provider's`,
    };
  }
  notes.addConsole(`raise the access-token lifetime of linkbridge's client to at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s (an hour is common)`);
  return {
    check,
    severity: 'error',
    message: `the provider's access tokens live ${seconds} s; Alexa needs at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s`,
    setting: "the access-token lifetime in the provider's settings for linkbridge's client, or TOKEN_CUSTODY",
    fix: `raise it to ${ALEXA_MINIMUM_LIFETIME_SECONDS} s or more, or set TOKEN_CUSTODY=vault (Alexa then gets tokens of linkbridge's, which refreshes the provider's itself)`,
  };
}

/** The account API with the new token, as the skill reads it, and what Alexa would say. */
export function assessAccountApi(api: AccountApiFacts): Finding[] {
  const said: Record<string, string> = api.speech === undefined ? {} : { [`Alexa says to "${QUESTION}"`]: api.speech };
  const where = api.url ?? 'the account API';
  const took = api.durationMs === undefined ? '' : ` in ${api.durationMs} ms`;
  switch (api.outcome) {
    case 'profile': {
      const findings: Finding[] = [
        {
          check: 'link-account-api',
          severity: 'ok',
          message: `${where} answered HTTP ${api.httpStatus ?? 200}${took}; the skill read ${api.fieldsFound.length > 0 ? api.fieldsFound.join(', ') : 'no field it can speak'}`,
          details: { ...said, ...(api.fieldsMissing.length > 0 ? { 'fields the skill can speak that the profile lacks': api.fieldsMissing.join(', ') } : {}) },
        },
      ];
      if (!api.fieldsFound.includes('name') && !api.fieldsFound.includes('email')) {
        findings.push({
          check: 'link-account-api',
          severity: 'warning',
          message: 'the profile has neither a name nor an email: the skill can answer "what\'s my name" and "what\'s my email" only with "your account does not list one"',
          setting: 'UPSTREAM_SCOPE (or ACCOUNT_API_URL, or the field map in LINKBRIDGE_CONFIG)',
          fix: 'ask for the scopes that give the name and email (openid profile email for an OpenID provider), or map the API\'s own fields (skill.fieldMap)',
        });
      }
      return findings;
    }
    case 'unauthorized':
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: `${where} refused the new access token (HTTP ${api.httpStatus})${took}: the skill would tell every linked user that the link expired`,
          setting: 'ACCOUNT_API_URL or UPSTREAM_SCOPE',
          fix: "check that ACCOUNT_API_URL is this provider's API for the linked user, and that UPSTREAM_SCOPE asks for what it needs",
          details: said,
        },
      ];
    case 'not_configured':
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: 'there is no account API: ACCOUNT_API_URL is not set and the provider names no userinfo endpoint; the skill would say it is not set up',
          setting: 'ACCOUNT_API_URL',
          fix: "set it to the API that answers with the user's profile for the linked token",
          details: said,
        },
      ];
    default:
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: `${where} gave no profile for the new access token (${api.httpStatus === undefined ? api.reason ?? 'no answer' : `HTTP ${api.httpStatus}${api.reason ? `, ${api.reason}` : ''}`})${took}: the skill would apologize for every question`,
          setting: 'ACCOUNT_API_URL',
          fix: "check that it is the API that answers with the user's profile as JSON, and that it is up",
          details: said,
        },
      ];
  }
}

/** `offline_access` asked and granted, against what the discovery document offers. @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess */
export function assessOfflineAccess(openId: OpenIdFacts, exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  const details = {
    'discovery document': openId.documentUrl,
    'scopes_supported lists offline_access': openId.offlineAccessOffered ? 'yes' : 'no',
    grant_types_supported: openId.grantTypesSupported ? openId.grantTypesSupported.join(', ') : 'not listed (RFC 8414: then no refresh grant is promised)',
  };
  const addScope = () => {
    if (!notes.scopeAdditions.includes('offline_access')) notes.scopeAdditions.push('offline_access');
  };
  const scopeFix = `add offline_access to UPSTREAM_SCOPE (${[...new Set([...(settings.scopeSetting ? settings.scopeSetting.split(/\s+/) : exchange.scopeAsked), 'offline_access'])].join(' ')}), then run npm run skill:package and ask smapi update-account-linking-info so Alexa asks for it too`;
  if (!openId.offlineAccessAsked && openId.offlineAccessOffered) {
    addScope();
    if (!openId.refreshTokenIssued) {
      const lasts = exchange.expiresIn === undefined ? 'as long as the first access token' : duration(exchange.expiresIn);
      const severe = exchange.expiresIn === undefined ? 'warning' : exchange.expiresIn < SHORTEST_TOLERABLE_LINK_SECONDS ? 'error' : 'warning';
      return [
        {
          check: 'link-offline-access',
          severity: severe,
          message: `offline_access was not asked for, and the provider issued no refresh token without it: every link ends after ${lasts}`,
          setting: 'UPSTREAM_SCOPE',
          fix: scopeFix,
          details,
        },
      ];
    }
    return [
      {
        check: 'link-offline-access',
        severity: 'warning',
        message: 'offline_access was not asked for: the refresh token the provider issued may end with the sign-in session, and users are unlinked after some days',
        setting: 'UPSTREAM_SCOPE',
        fix: scopeFix,
        details,
      },
    ];
  }
  if (openId.offlineAccessAsked && !openId.refreshTokenIssued) {
    notes.addConsole("allow offline_access and the refresh token grant for linkbridge's client (some providers grant offline_access only with prompt=consent: upstream.profile.authorization.parameters in LINKBRIDGE_CONFIG)");
    return [
      {
        check: 'link-offline-access',
        severity: 'error',
        message: 'offline_access was asked for, but the provider issued no refresh token: every link ends with the first access token',
        setting: "offline_access and the refresh token grant in the provider's settings for linkbridge's client",
        fix: 'allow both for the client; some providers also need prompt=consent in the authorization request (upstream.profile.authorization.parameters)',
        details,
      },
    ];
  }
  if (openId.offlineAccessAsked && openId.offlineAccessGranted === false) {
    notes.addConsole("allow offline_access for linkbridge's client");
    return [
      {
        check: 'link-offline-access',
        severity: 'warning',
        message: 'offline_access was asked for but not granted: the refresh token may end with the sign-in session',
        setting: "offline_access in the provider's settings for linkbridge's client",
        fix: 'allow offline_access for the client',
        details,
      },
    ];
  }
  const asked = openId.offlineAccessAsked ? 'asked for and granted' : 'not asked for (the provider does not offer it)';
  return [{ check: 'link-offline-access', severity: 'ok', message: `offline_access ${asked}; ${openId.refreshTokenIssued ? 'a refresh token was issued' : 'no refresh token was issued'}`, details }];
}
