/**
 * `npm run doctor -- --link`: with the configuration the service would run with and one test account,
 * the doctor plays Alexa and the browser: it sends the test account to the provider's sign-in with
 * linkbridge's own redirect URI, catches the redirect, exchanges the code with the service's own provider
 * client, and then tests what the provider does with that grant (refresh, rotation, reuse, two refreshes at
 * once, revocation), what the account API and the skill make of the token, and how long each call takes.
 * The report says what each step found and which settings to use.
 */
import { sleep, type Clock } from '../../../models/clock';
import type { Config } from '../../../models/config';
import type { DeadlineTimers } from '../../../models/deadline';
import { checkConfig } from '../config.check';
import { checkDiscovery, type ProviderMetadata } from '../discovery.check';
import type { DoctorDeps } from '../http-probe';
import { resolveProvider, type AuthorizationRequest, type LinkClient, type LinkTokens, type ProviderView } from '../provider-adapter';
import { LINK_CHECK_NAMES, skipped, summarize, type DoctorReport, type Finding, type LinkCheckId } from '../report';
import { DOCTOR_TIMEOUT_MS, resolutionFindings } from '../run-doctor';
import { checkScope } from '../scope.check';
import { askTheSkill } from './account-api.step';
import { probeGrant } from './grant-probe';
import { assessLink, type LinkVerdict } from './link-assessment';
import type { ExchangeFacts, LinkFacts, LinkSettings, OpenIdFacts } from './link-facts';
import { SecretKeeper, type Secret } from './secret';
import { SignInError, type SignIn } from './sign-in';

type Env = Readonly<Record<string, string | undefined>>;

/** Said before anything reaches the provider: what the run does to the test account. */
export const LINK_WARNING =
  "doctor --link signs in with a test account and tests the grant it gets: it refreshes it several times, presents an old refresh token again " +
  "(a provider that detects reuse then revokes the whole grant) and revokes it at the end. The test account's link with linkbridge's client " +
  'may end: use an account made for testing, never a real user\'s.';

/** What the link check reaches the outside through; tests replace each. */
export interface LinkCheckDeps extends DoctorDeps {
  /** Gets the test account signed in (a browser window, or the forms walked without one). */
  readonly signIn: SignIn;
  readonly signInMethod: 'browser' | 'headless';
  /** What the provider calls' deadlines run on; timers on `clock` when absent. */
  readonly timers?: DeadlineTimers;
  /** Waits between presentations of an old refresh token; `clock`'s own timer when absent. */
  readonly pause?: (ms: number) => Promise<void>;
  /** Progress for the person at the terminal (standard error); nothing when absent. */
  readonly say?: (line: string) => void;
  /** Holds every secret the run sees, to scrub what is printed; a new one when absent. */
  readonly keeper?: SecretKeeper;
  /** Reads the `LINKBRIDGE_CONFIG` file; the file system when absent. */
  readonly readFile?: (path: string) => string;
}

/** The report of `doctor --link`: the findings of the checks it ran, and what it learned. */
export interface LinkReport extends DoctorReport {
  readonly link: {
    /** What was learned; absent when the configuration stopped the check before the sign-in. */
    readonly facts?: LinkFacts;
    readonly verdict?: LinkVerdict;
  };
}

export interface LinkCheckResult {
  readonly report: LinkReport;
  readonly exitCode: 0 | 1;
  /** What to scrub the printed report with. */
  readonly keeper: SecretKeeper;
}

/** Deadline timers on a clock: a test clock fires them when the test moves it. */
export function timersOn(clock: Clock): DeadlineTimers {
  return { setTimeout: (expire, ms) => clock.after(ms, expire), clearTimeout: (cancel) => (cancel as () => void)() };
}

/**
 * Runs the link check with the configuration in `env`. The configuration, the provider's discovery and
 * the profile come first, as `npm run doctor` checks them; when one of those fails, the link steps are
 * shown as skipped, waiting on it. The exit code is 1 when any finding is an error.
 */
export async function runLinkCheck(env: Env, deps: LinkCheckDeps): Promise<LinkCheckResult> {
  const keeper = deps.keeper ?? new SecretKeeper();
  const say = deps.say ?? (() => undefined);
  say(LINK_WARNING);

  const { config, findings } = checkConfig(env, deps.readFile);
  if (!config || config.demo) return finish(keeper, [...findings, ...everyLinkCheck('config', 'needs a configuration the service accepts')]);
  keeper.remember(config.upstream.clientSecret);

  const discovery = await checkDiscovery(config, deps, DOCTOR_TIMEOUT_MS);
  findings.push(...discovery.findings);
  const { view, problems } = await resolveProvider(config, deps, DOCTOR_TIMEOUT_MS);
  const blocker = config.upstream.issuer ? 'discovery' : 'config';
  findings.push(...resolutionFindings(config, problems, discovery, blocker));
  if (view) findings.push(...checkScope(view.scopes, discovery.metadata, { offlineAccessAdvice: false }));
  const failed = findings.find((finding) => finding.severity === 'error');
  if (!view || failed) {
    return finish(keeper, [...findings, ...everyLinkCheck(failed?.check ?? blocker, 'needs the configuration and provider profile the service would run with')]);
  }

  const timers = deps.timers ?? timersOn(deps.clock);
  const client = view.openLink({ fetch: deps.fetch, clock: deps.clock, timers, keeper, timeoutMs: DOCTOR_TIMEOUT_MS });
  const request = client.authorizationRequest();
  const authorizationEndpoint = withoutQuery(request.url);
  const facts: LinkFacts = { provider: client.providerName, signIn: deps.signInMethod, authorizationEndpoint, calls: client.calls };
  const settings = settingsOf(config);

  say(`signing in at ${authorizationEndpoint} (${deps.signInMethod === 'browser' ? 'in a browser window' : 'without a browser'})`);
  const signedIn = await signInOnce(deps.signIn, client, request);
  findings.push(signedIn.finding);
  if (!signedIn.code) return assessed(keeper, findings, facts, settings);

  say('exchanging the code, then testing the grant');
  const exchanged = await client.exchange(signedIn.code, request);
  if (!exchanged.ok) {
    findings.push({
      check: 'link-exchange',
      severity: 'error',
      message: `the provider refused linkbridge's code exchange (${exchanged.failure.providerError ?? exchanged.failure.reason ?? 'no answer'}${exchanged.failure.httpStatus ? `, HTTP ${exchanged.failure.httpStatus}` : ''}): Alexa's token request would fail the same way`,
      setting: exchanged.failure.check,
      fix: 'correct the setting named, then run doctor --link again',
    });
    return assessed(keeper, findings, facts, settings);
  }
  const tokens = exchanged.tokens;
  const withExchange: LinkFacts = {
    ...facts,
    exchange: exchangeFacts(client, tokens),
    accountApi: await askTheSkill(config, view.accountApiUrl, tokens.accessToken, { clock: deps.clock, timers }),
    grant: await probeGrant(client, tokens, { clock: deps.clock, pause: deps.pause ?? ((ms) => sleep(deps.clock, ms)), say }),
    openId: openIdFacts(discovery.metadata, config, view, tokens),
  };
  return assessed(keeper, findings, withExchange, settings);
}

/** The sign-in, and what came back to the callback. */
async function signInOnce(signIn: SignIn, client: LinkClient, request: AuthorizationRequest): Promise<{ finding: Finding; code?: Secret }> {
  let landing: string;
  try {
    landing = await signIn(request.url, client.callbackUrl);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      finding: {
        check: 'link-sign-in',
        severity: 'error',
        message: `the test account could not be signed in: ${reason}`,
        ...(error instanceof SignInError ? {} : { fix: 'run doctor --link again; see docs/troubleshooting.md for the ways to sign in' }),
      },
    };
  }
  const answer = client.readCallback(landing, request);
  if (answer.kind === 'code') {
    return { code: answer.code, finding: { check: 'link-sign-in', severity: 'ok', message: `signed in; the provider sent the browser back to ${client.callbackUrl} with a code` } };
  }
  return { finding: refusedSignIn(answer.error, answer.description, answer.stateMatches) };
}

/** The provider sent the browser back without a code: why, and what to change. */
function refusedSignIn(error: string, description: string | undefined, stateMatches: boolean): Finding {
  const said = `${error}${description ? `: ${description}` : ''}`;
  if (!stateMatches) {
    return {
      check: 'link-sign-in',
      severity: 'error',
      message: `the provider sent the browser back with another state than linkbridge sent (${said})`,
      setting: 'LINKBRIDGE_CONFIG (upstream.profile.authorization.maxStateLength)',
      fix: 'if the provider shortens or changes long states, set maxStateLength to the longest it keeps intact',
    };
  }
  if (error === 'invalid_scope') {
    return { check: 'link-sign-in', severity: 'error', message: `the provider refused the scope asked for (${said})`, setting: 'UPSTREAM_SCOPE', fix: 'ask only for scopes the provider offers linkbridge\'s client' };
  }
  return {
    check: 'link-sign-in',
    severity: 'error',
    message: `the provider sent the browser back without a code (${said})`,
    setting: "the client's registration at the provider",
    fix: 'allow access as the test account; check the redirect URI registered (PUBLIC_URL/oauth/callback), the scopes and the users the client allows',
  };
}

function exchangeFacts(client: LinkClient, tokens: LinkTokens): ExchangeFacts {
  return {
    tokenType: tokens.tokenType,
    expiresIn: tokens.expiresIn,
    refreshToken: tokens.refreshToken !== undefined,
    scopeAsked: client.scopesAsked,
    scopeGranted: tokens.scope,
    identityRead: client.identityFields,
    identityFound: tokens.identity,
    accessTokenLength: tokens.accessToken.length,
  };
}

/** For an OpenID Connect provider (its discovery document, or the `oidc` preset), what bears on refresh tokens. */
function openIdFacts(metadata: ProviderMetadata | undefined, config: Config, view: ProviderView, tokens: LinkTokens): OpenIdFacts | undefined {
  if (!metadata || !(metadata.openId || config.upstream.preset === 'oidc' || view.scopes.includes('openid'))) return undefined;
  return {
    documentUrl: metadata.documentUrl,
    offlineAccessOffered: metadata.scopesSupported?.includes('offline_access') ?? false,
    grantTypesSupported: metadata.grantTypesSupported,
    offlineAccessAsked: view.scopes.includes('offline_access'),
    offlineAccessGranted: tokens.scope === undefined ? undefined : tokens.scope.includes('offline_access'),
    refreshTokenIssued: tokens.refreshToken !== undefined,
  };
}

function settingsOf(config: Config): LinkSettings {
  return {
    custody: config.tokenCustody,
    linkMode: config.linkMode,
    replayWindowSeconds: config.tokenReplay.windowSeconds,
    upstreamTimeoutMs: config.upstream.timeoutMs,
    defaultExpiresIn: config.defaultExpiresIn,
    scopeSetting: config.upstream.scope,
  };
}

function assessed(keeper: SecretKeeper, findings: Finding[], facts: LinkFacts, settings: LinkSettings): LinkCheckResult {
  const { findings: linkFindings, verdict } = assessLink(facts, settings, findings);
  return finish(keeper, [...findings, ...linkFindings], facts, verdict);
}

function finish(keeper: SecretKeeper, findings: Finding[], facts?: LinkFacts, verdict?: LinkVerdict): LinkCheckResult {
  const { report, exitCode } = summarize(findings);
  return { report: { ...report, link: { facts, verdict } }, exitCode, keeper };
}

/** Every link step, skipped for want of what `blockedBy` would have given. */
function everyLinkCheck(blockedBy: Finding['check'], needs: string): Finding[] {
  return (Object.keys(LINK_CHECK_NAMES) as LinkCheckId[]).map((check) => skipped(check, blockedBy, needs));
}

function withoutQuery(url: string): string {
  const parsed = new URL(url.split('#')[0]);
  return `${parsed.origin}${parsed.pathname}`;
}
