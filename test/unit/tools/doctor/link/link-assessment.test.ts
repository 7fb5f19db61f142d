/**
 * What the facts of `doctor --link` mean, case by case: the findings and the verdict for facts no local
 * provider in the integration tests produces (a misread refusal, implicit mode, a slow API), without a network.
 */
import type { ProviderRefusal } from '../../../../../tools/doctor/provider-adapter';
import type { GrantFacts } from '../../../../../tools/doctor/link/grant-probe';
import { assessLink, duration } from '../../../../../tools/doctor/link/link-assessment';
import type { ExchangeFacts, LinkFacts, LinkSettings } from '../../../../../tools/doctor/link/link-facts';
import type { Finding } from '../../../../../tools/doctor/report';

const SETTINGS: LinkSettings = { custody: 'relay', linkMode: 'code', replayWindowSeconds: 600, upstreamTimeoutMs: 3000, defaultExpiresIn: 3600 };

const EXCHANGE: ExchangeFacts = {
  tokenType: 'Bearer',
  expiresIn: 3600,
  refreshToken: true,
  scopeAsked: ['profile', 'email'],
  scopeGranted: ['profile', 'email'],
  identityRead: [],
  identityFound: [],
  accessTokenLength: 40,
};

/** A provider that keeps its refresh token and does everything right. */
const KEEPING: GrantFacts = {
  refresh: { kind: 'refreshed', rotated: false, refreshTokenReturned: true, expiresIn: 3600 },
  reuse: { kind: 'not-run', why: 'no-rotation' },
  concurrent: { kind: 'both-answered', sameRefreshToken: true },
  revocation: { kind: 'revoked', token: 'refresh_token', stillWorks: false, alreadyRevoked: false },
};

const REFUSED_GRANT: ProviderRefusal = { kind: 'rejected', providerError: 'invalid_grant', httpStatus: 400, meaning: 'invalid_grant', alexaGets: 'invalid_grant', check: 'the code was refused' };

function facts(changes: Omit<Partial<LinkFacts>, 'grant'> & { grant?: Partial<GrantFacts> } = {}): LinkFacts {
  const { grant, ...rest } = changes;
  const hasGrant = !('grant' in changes) || grant !== undefined;
  return {
    provider: 'acme',
    signIn: 'headless',
    authorizationEndpoint: 'https://id.acme.test/authorize',
    exchange: EXCHANGE,
    accountApi: { url: 'https://id.acme.test/me', outcome: 'profile', httpStatus: 200, durationMs: 20, fieldsFound: ['name', 'email'], fieldsMissing: [], speech: 'Here is your account.', linkAccountCard: false },
    calls: [
      { call: 'exchange', durationMs: 120, status: 200 },
      { call: 'refresh', durationMs: 80, status: 200 },
    ],
    ...rest,
    grant: hasGrant ? { ...KEEPING, ...grant } : undefined,
  };
}

const of = (findings: Finding[], check: Finding['check']) => findings.filter((finding) => finding.check === check);

test('a provider that does everything right: no warning, relay, and nothing to change', () => {
  const { findings, verdict } = assessLink(facts(), SETTINGS);
  expect(findings.filter((finding) => finding.severity === 'warning' || finding.severity === 'error')).toEqual([]);
  expect(verdict).toMatchObject({ works: true, reasons: [], custody: { recommended: 'relay' }, scope: { add: [] }, providerConsole: [] });
});

test('an error found before the link steps (the configuration) makes the verdict "would not work", naming it', () => {
  const earlier: Finding[] = [{ check: 'config', severity: 'error', message: 'the service would refuse to start: UPSTREAM_SCOPE: …' }];
  expect(assessLink(facts(), SETTINGS, earlier).verdict).toMatchObject({ works: false, reasons: ['config: the service would refuse to start: UPSTREAM_SCOPE: …'] });
});

test('nothing learned (the sign-in failed): every step waits on it, and the configured custody stands as not known', () => {
  const { findings, verdict } = assessLink(facts({ exchange: undefined, accountApi: undefined, grant: undefined, calls: [] }), { ...SETTINGS, custody: 'vault' });
  expect(findings.map((finding) => [finding.check, finding.severity, finding.blockedBy])).toEqual([
    ['link-exchange', 'skipped', 'link-sign-in'],
    ['link-account-api', 'skipped', 'link-sign-in'],
    ['link-refresh', 'skipped', 'link-sign-in'],
    ['link-reuse', 'skipped', 'link-sign-in'],
    ['link-concurrent', 'skipped', 'link-sign-in'],
    ['link-revocation', 'skipped', 'link-sign-in'],
    ['link-latency', 'skipped', 'link-sign-in'],
  ]);
  expect(verdict.custody).toEqual({ setting: 'TOKEN_CUSTODY', configured: 'vault', recommended: 'vault', why: 'not known: the run could not test how the provider refreshes' });
});

describe('refusals the profile does not read as invalid_grant', () => {
  const misread: ProviderRefusal = { kind: 'rejected', providerError: 'token_dead', httpStatus: 400, alexaGets: 'server_error', check: 'LINKBRIDGE_CONFIG' };

  test('a rotated refresh token refused with an unmapped code: Alexa would keep a dead token, so map it', () => {
    const { findings } = assessLink(facts({ grant: { refresh: { kind: 'refreshed', rotated: true, refreshTokenReturned: true, expiresIn: 3600 }, reuse: { kind: 'refused', refusal: misread, familyRevoked: false } } }), SETTINGS);
    expect(of(findings, 'link-reuse')).toMatchObject([
      { severity: 'warning', setting: 'TOKEN_CUSTODY' },
      { severity: 'error', setting: 'LINKBRIDGE_CONFIG (upstream.profile.errors.rules)', fix: expect.stringContaining('{"code": "token_dead", "error": "invalid_grant"}') },
    ]);
  });

  test('a refresh answered 404 with no error of the provider\'s names the endpoint, not the error map', () => {
    const notFound: ProviderRefusal = { kind: 'rejected', providerError: 'HTTP 404', httpStatus: 404, alexaGets: 'server_error', check: 'the path in UPSTREAM_REFRESH_URL: there is no token endpoint there' };
    const { findings } = assessLink(facts({ grant: { refresh: { kind: 'failed', failure: notFound } } }), SETTINGS);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'error', message: expect.stringMatching(/^the refresh was answered HTTP 404,/), setting: notFound.check }]);
  });

  test('the provider refuses the refresh token it just issued: every first refresh unlinks', () => {
    const { findings, verdict } = assessLink(facts({ grant: { refresh: { kind: 'failed', failure: REFUSED_GRANT }, reuse: { kind: 'not-run', why: 'refresh-failed' } } }), SETTINGS);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'error', message: expect.stringMatching(/Alexa's first refresh would unlink every user/) }]);
    expect(of(findings, 'link-reuse')).toMatchObject([{ severity: 'skipped', blockedBy: 'link-refresh' }]);
    expect(verdict.works).toBe(false);
  });

  test('a refresh with no usable answer is not a verdict on the provider: a warning to run again', () => {
    const down: ProviderRefusal = { kind: 'unavailable', reason: 'server', httpStatus: 503, alexaGets: 'retry', check: "the provider's status page" };
    const { findings, verdict } = assessLink(facts({ grant: { refresh: { kind: 'failed', failure: down } } }), SETTINGS);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/server, HTTP 503/) }]);
    expect(verdict.works).toBe(true);
  });
});

describe('reuse after a rotation', () => {
  const rotated = { kind: 'refreshed', rotated: true, refreshTokenReturned: true, expiresIn: 3600 } as const;

  test('still accepted at the last try: the provider keeps rotated tokens valid, relay is safe', () => {
    const { findings, verdict } = assessLink(facts({ grant: { refresh: rotated, reuse: { kind: 'accepted', acceptedUpToSeconds: 120 } } }), SETTINGS);
    expect(of(findings, 'link-reuse')).toMatchObject([{ severity: 'ok', message: expect.stringMatching(/^accepted for at least 120 s after the rotation \(still accepted at 120 s\)/) }]);
    expect(verdict.custody.recommended).toBe('relay');
  });

  test('a replay window shorter than the default, with rotation: raise it', () => {
    const { findings, verdict } = assessLink(facts({ grant: { refresh: rotated, reuse: { kind: 'refused', refusal: REFUSED_GRANT, familyRevoked: true } } }), { ...SETTINGS, replayWindowSeconds: 60 });
    expect(of(findings, 'link-reuse')).toContainEqual(expect.objectContaining({ severity: 'warning', setting: 'TOKEN_REPLAY_WINDOW_SECONDS', fix: 'set it to 600 or more' }));
    expect(verdict.replayWindow).toMatchObject({ configured: 60, recommended: 600 });
  });

  test('two refreshes at once that revoke the grant: linkbridge serializes them, so it is information', () => {
    const { findings } = assessLink(facts({ grant: { refresh: rotated, reuse: { kind: 'accepted', acceptedUpToSeconds: 30, refusedAtSeconds: 40 }, concurrent: { kind: 'grant-revoked', refusal: REFUSED_GRANT } } }), SETTINGS);
    expect(of(findings, 'link-concurrent')).toMatchObject([{ severity: 'info', message: expect.stringMatching(/every instance must use the same STORE_URL/) }]);
  });
});

describe('lifetimes and link modes', () => {
  test('LINK_MODE=implicit in relay mode: no refresh for Alexa, so the link ends with the first token', () => {
    const { findings, verdict } = assessLink(facts(), { ...SETTINGS, linkMode: 'implicit' });
    expect(of(findings, 'link-refresh')[0]).toMatchObject({ severity: 'error', setting: 'LINK_MODE or TOKEN_CUSTODY', message: expect.stringMatching(/60 minutes after linking/) });
    expect(verdict.custody.recommended).toBe('vault');
  });

  test('a short lifetime in vault mode is information: Alexa gets linkbridge\'s own tokens', () => {
    const { findings, verdict } = assessLink(facts({ exchange: { ...EXCHANGE, expiresIn: 60 } }), { ...SETTINGS, custody: 'vault' });
    expect(of(findings, 'link-exchange')).toContainEqual(expect.objectContaining({ severity: 'info', message: expect.stringMatching(/in vault mode Alexa gets linkbridge's own tokens/) }));
    expect(verdict).toMatchObject({ works: true, custody: { configured: 'vault', recommended: 'vault' } });
  });

  test('a refreshed token under Alexa\'s minimum, after a first one that was long enough, is an error of the refresh', () => {
    const { findings } = assessLink(facts({ grant: { refresh: { kind: 'refreshed', rotated: false, refreshTokenReturned: true, expiresIn: 300 } } }), SETTINGS);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'ok' }, { severity: 'error', message: "the provider's access tokens live 300 s; Alexa needs at least 360 s" }]);
  });

  test('no refresh token and a 60-day token: a warning (users link again every two months), not an error', () => {
    const { findings } = assessLink(facts({ exchange: { ...EXCHANGE, expiresIn: 5_183_944, refreshToken: false }, grant: { refresh: { kind: 'not-run', why: 'no-refresh-token' } } }), SETTINGS);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/60 days after linking/) }]);
  });

  test.each([
    [45, '45 s'],
    [3600, '60 minutes'],
    [28_800, '8 hours'],
    [5_183_944, '60 days'],
  ])('%i seconds read as %s', (seconds, words) => {
    expect(duration(seconds)).toBe(words);
  });
});

describe('what the code exchange returned', () => {
  test('fewer scopes granted, missing identity fields and a very long token are each a warning with its setting', () => {
    const exchange: ExchangeFacts = { ...EXCHANGE, scopeGranted: ['profile'], identityRead: ['userId'], identityFound: [], accessTokenLength: 2600 };
    const { findings, verdict } = assessLink(facts({ exchange }), SETTINGS);
    expect(of(findings, 'link-exchange').map((finding) => [finding.severity, finding.setting])).toEqual([
      ['ok', undefined],
      ['warning', "the token format in the provider's settings for linkbridge's client"],
      ['warning', "the scopes allowed for linkbridge's client at the provider"],
      ['warning', 'LINKBRIDGE_CONFIG (upstream.profile.token.answer.identity)'],
    ]);
    expect(verdict.providerConsole).toEqual(["allow the scopes email for linkbridge's client"]);
  });
});

describe('the account API', () => {
  test('a refused token: the skill would say the link expired, an error naming the API and the scope', () => {
    const { findings } = assessLink(
      facts({ accountApi: { url: 'https://api.acme.test/me', outcome: 'unauthorized', httpStatus: 401, durationMs: 15, fieldsFound: [], fieldsMissing: [], speech: 'Your account link has expired.', linkAccountCard: true } }),
      SETTINGS,
    );
    expect(of(findings, 'link-account-api')).toMatchObject([{ severity: 'error', setting: 'ACCOUNT_API_URL or UPSTREAM_SCOPE', details: { 'Alexa says to "tell me about my account"': 'Your account link has expired.' } }]);
  });

  test('a profile with neither name nor email: a warning about the scope', () => {
    const { findings } = assessLink(facts({ accountApi: { outcome: 'profile', httpStatus: 200, fieldsFound: ['locale'], fieldsMissing: ['name', 'email'], linkAccountCard: false } }), SETTINGS);
    expect(of(findings, 'link-account-api').map((finding) => finding.severity)).toEqual(['ok', 'warning']);
  });
});

describe('offline_access at an OpenID provider', () => {
  const openId = { documentUrl: 'https://id.acme.test/.well-known/openid-configuration', offlineAccessOffered: true, grantTypesSupported: ['authorization_code', 'refresh_token'] };

  test('asked for, yet no refresh token: the provider console must allow it', () => {
    const { findings, verdict } = assessLink(
      facts({
        exchange: { ...EXCHANGE, refreshToken: false, scopeAsked: ['openid', 'offline_access'], scopeGranted: undefined },
        openId: { ...openId, offlineAccessAsked: true, refreshTokenIssued: false },
        grant: { refresh: { kind: 'not-run', why: 'no-refresh-token' } },
      }),
      SETTINGS,
    );
    expect(of(findings, 'link-offline-access')).toMatchObject([{ severity: 'error', message: expect.stringMatching(/offline_access was asked for, but the provider issued no refresh token/) }]);
    expect(of(findings, 'link-refresh')).toMatchObject([{ severity: 'skipped', blockedBy: 'link-offline-access' }]);
    expect(verdict.providerConsole).toEqual([expect.stringMatching(/allow offline_access and the refresh token grant/)]);
    expect(verdict.scope.add).toEqual([]);
  });

  test('asked for, a refresh token, but the granted scope lacks it: a warning', () => {
    const { findings } = assessLink(facts({ openId: { ...openId, offlineAccessAsked: true, offlineAccessGranted: false, refreshTokenIssued: true } }), SETTINGS);
    expect(of(findings, 'link-offline-access')).toMatchObject([{ severity: 'warning', message: 'offline_access was asked for but not granted: the refresh token may end with the sign-in session' }]);
  });
});

describe('revocation', () => {
  test('answered 200 while the token still works: a warning', () => {
    const { findings } = assessLink(facts({ grant: { revocation: { kind: 'revoked', token: 'refresh_token', stillWorks: true, alreadyRevoked: false } } }), SETTINGS);
    expect(of(findings, 'link-revocation')).toMatchObject([{ severity: 'warning', message: 'the provider answered the revocation with 200, yet the revoked refresh token still works' }]);
  });

  test('refused: a warning that the test grant stays valid', () => {
    const refused: ProviderRefusal = { kind: 'rejected', providerError: 'invalid_client', httpStatus: 401, meaning: 'invalid_client', alexaGets: 'server_error', check: 'UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET' };
    const { findings } = assessLink(facts({ grant: { revocation: { kind: 'failed', failure: refused } } }), SETTINGS);
    expect(of(findings, 'link-revocation')).toMatchObject([{ severity: 'warning', setting: 'UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET' }]);
  });
});

describe('latency against Alexa\'s 4.5 s and UPSTREAM_TIMEOUT_MS', () => {
  const timed = (...durations: number[]) => facts({ calls: durations.map((durationMs) => ({ call: 'refresh' as const, durationMs, status: 200 })) });

  test.each([
    [[100, 200, 300], 'ok'],
    [[2100, 2200, 2500], 'warning'],
    [[100, 200, 3500], 'error UPSTREAM_TIMEOUT_MS'],
    [[100, 200, 4600], 'error the provider (or the network between it and linkbridge)'],
  ])('%j ms: %s', (durations, expected) => {
    const [finding] = of(assessLink(timed(...durations), SETTINGS).findings, 'link-latency');
    expect(`${finding.severity} ${finding.severity === 'error' ? finding.setting : ''}`.trim()).toBe(expected);
  });

  test('p50 and the worst call are named', () => {
    const [finding] = of(assessLink(timed(10, 30, 20, 400), SETTINGS).findings, 'link-latency');
    expect(finding.message).toBe('4 provider calls: p50 20 ms, worst 400 ms (refresh) (Alexa waits 4500 ms)');
  });
});
