import { ConfigError, loadConfig, type Config, type ConfigProblem } from '../../models/config';
import type { Finding } from './report';

type Env = Readonly<Record<string, string | undefined>>;

/** How to fix a setting the loader refused or warned about. */
const HELP: Readonly<Record<string, string>> = {
  PUBLIC_URL: 'set it to the https:// address Alexa and the provider reach linkbridge at, e.g. https://linkbridge.example.com',
  ALEXA_VENDOR_IDS: 'use your vendor id in upper case: https://developer.amazon.com/mycid.html shows it, and so does `ask smapi get-vendor-list`',
  ALEXA_REDIRECT_URLS: 'list exact https:// URLs, comma separated; for the Alexa app, ALEXA_VENDOR_IDS is all you need',
  ALEXA_CLIENT_ID: "set it to the Client ID entered in the skill's Account Linking page of the Alexa developer console",
  ALEXA_CLIENT_SECRET: "set it to the Secret entered in the skill's Account Linking page of the Alexa developer console",
  UPSTREAM_PRESET: 'set it to one of the presets in docs/providers.md, or leave it unset for a plain OAuth 2.0 provider',
  UPSTREAM_ISSUER: "set it to the provider's issuer URL; its metadata is at ISSUER/.well-known/openid-configuration",
  UPSTREAM_CLIENT_ID: 'set it to the client id the provider issued when you registered linkbridge as a client',
  UPSTREAM_CLIENT_SECRET: 'set it to the client secret the provider issued when you registered linkbridge as a client',
  UPSTREAM_AUTHORIZATION_URL: "set UPSTREAM_ISSUER to the provider's issuer URL (discovery fills in the endpoints), or set UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL",
  UPSTREAM_TOKEN_URL: "set it to the provider's token endpoint, an absolute https:// URL",
  UPSTREAM_REFRESH_URL: "set it to the provider's refresh endpoint, an absolute https:// URL (docs/providers.md names each preset's)",
  UPSTREAM_SCOPE: 'set it to the scopes the account API needs, space separated (for an OpenID provider: openid profile email), then run npm run skill:package again',
  LINKBRIDGE_CONFIG: 'correct the file: every field it may hold is in docs/providers.md (Provider profiles) and docs/configuration.md',
  ACCOUNT_API_URL: "set it to the absolute URL of the account API, e.g. the provider's userinfo endpoint",
  DEFAULT_EXPIRES_IN: 'Alexa needs access tokens that live at least 360 seconds: set DEFAULT_EXPIRES_IN to 360 or more (unset, it is 3600)',
  UPSTREAM_TIMEOUT_MS: "keep it inside Alexa's 4.5 s budget: 100 to 4000 (unset, it is 3000)",
  STORE_URL: 'sqlite:<path> on one host, redis://host:port for several, memory: for a trial',
  SEALING_KEYS: "make a key with node -e \"console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))\"",
};

/** The loaded configuration, or why it cannot load, plus what a valid configuration still gets wrong. */
export interface ConfigCheckResult {
  readonly config?: Config;
  readonly findings: Finding[];
}

/**
 * Loads the configuration exactly as the service does at boot. Every variable the loader refuses is one
 * error finding (all of them at once, as the service's refusal lists them), with the loader's message
 * and how to fix it; the other checks wait for these.
 */
export function checkConfig(env: Env, readFile?: (path: string) => string): ConfigCheckResult {
  let config: Config;
  try {
    config = loadConfig(env, readFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { findings: error.problems.map(refusedSetting) };
  }
  if (config.demo) {
    return {
      config,
      findings: [
        {
          check: 'config',
          severity: 'error',
          message: 'no provider is configured: the service would run in demo mode, with an embedded provider only this machine can reach',
          setting: 'UPSTREAM_ISSUER',
          fix: "set UPSTREAM_ISSUER to your provider's issuer URL (or UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL), plus UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET",
        },
      ],
    };
  }
  return {
    config,
    findings: [{ check: 'config', severity: 'ok', message: 'every variable is valid' }, ...config.warnings.map(warnedSetting), ...durabilityWarnings(config)],
  };
}

/** One problem the service would refuse to start with. */
function refusedSetting(problem: ConfigProblem): Finding {
  return {
    check: 'config',
    severity: 'error',
    message: `the service would refuse to start: ${problem.variable}: ${problem.expectation}`,
    setting: problem.variable,
    fix: HELP[problem.variable] ?? 'see docs/configuration.md',
  };
}

/** A setting the service accepts and warns about at start. */
function warnedSetting(warning: ConfigProblem): Finding {
  return { check: 'config', severity: 'warning', message: warning.expectation, setting: warning.variable, fix: HELP[warning.variable] ?? 'see docs/configuration.md' };
}

/** Settings that work today and fail a user later: after a restart, or for a forged request. */
function durabilityWarnings(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.sealingKeysEphemeral) {
    findings.push({
      check: 'config',
      severity: 'warning',
      message: 'SEALING_KEYS is not set: a key is made at each start, so a user who is signing in while the service restarts gets an error page',
      setting: 'SEALING_KEYS',
      fix: HELP.SEALING_KEYS,
    });
  }
  if (config.store.kind === 'memory') {    findings.push({
      check: 'config',
      severity: 'warning',
      message: 'STORE_URL is memory: every linked account is forgotten at restart and users must link again',
      setting: 'STORE_URL',
      fix: 'unset it (SQLite under DATA_DIR) or set sqlite:<path> on a disk that survives restarts',
    });
  }
  if (!config.skill.verifySignature) {
    findings.push({
      check: 'config',
      severity: 'warning',
      message: 'ALEXA_VERIFY_SIGNATURE is false: anyone can send requests to the skill endpoint, and certification requires the check',
      setting: 'ALEXA_VERIFY_SIGNATURE',
      fix: 'unset it outside local testing',
    });
  }
  return findings;
}
