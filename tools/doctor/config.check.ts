import { ConfigError, loadConfig, type Config } from '../../models/config';
import type { CheckId, Finding } from './report';

type Env = Readonly<Record<string, string | undefined>>;

/** For a variable the loader refused: which check it belongs to and how to fix it. */
const HELP: Readonly<Record<string, { check: CheckId; fix: string }>> = {
  PUBLIC_URL: { check: 'public-url', fix: 'set it to the https:// address Alexa and the provider reach linkbridge at, e.g. https://linkbridge.example.com' },
  ALEXA_VENDOR_IDS: {
    check: 'redirect-uris',
    fix: 'use your vendor id in upper case: https://developer.amazon.com/mycid.html shows it, and so does `ask smapi get-vendor-list`',
  },
  ALEXA_REDIRECT_URLS: { check: 'redirect-uris', fix: 'list exact https:// URLs, comma separated; for the Alexa app, ALEXA_VENDOR_IDS is all you need' },
  ALEXA_CLIENT_ID: { check: 'config', fix: "set it to the Client ID entered in the skill's Account Linking page of the Alexa developer console" },
  ALEXA_CLIENT_SECRET: { check: 'config', fix: "set it to the Secret entered in the skill's Account Linking page of the Alexa developer console" },
  UPSTREAM_CLIENT_ID: { check: 'config', fix: 'set it to the client id the provider issued when you registered linkbridge as a client' },
  UPSTREAM_CLIENT_SECRET: { check: 'config', fix: 'set it to the client secret the provider issued when you registered linkbridge as a client' },
  UPSTREAM_AUTHORIZATION_URL: { check: 'config', fix: "set UPSTREAM_ISSUER to the provider's issuer URL (discovery fills in the endpoints), or set UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL" },
  UPSTREAM_TOKEN_URL: { check: 'token-endpoint', fix: "set it to the provider's token endpoint, an absolute https:// URL" },
  ACCOUNT_API_URL: { check: 'account-api', fix: 'set it to the absolute URL of the account API, e.g. the provider\'s userinfo endpoint' },
  DEFAULT_EXPIRES_IN: {
    check: 'token-lifetime',
    fix: 'Alexa needs access tokens that live at least 360 seconds: set DEFAULT_EXPIRES_IN to 360 or more (unset, it is 3600)',
  },
  UPSTREAM_TIMEOUT_MS: { check: 'latency', fix: "keep it inside Alexa's 4.5 s budget: 100 to 4000 (unset, it is 3000)" },
  SEALING_KEYS: { check: 'config', fix: "make a key with node -e \"console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))\"" },
};

/** The loaded configuration, or why it cannot load, plus what a valid configuration still gets wrong. */
export interface ConfigCheckResult {
  readonly config?: Config;
  readonly findings: Finding[];
}

/**
 * Loads the configuration exactly as the service does at boot. A refused variable becomes one error
 * finding, filed under the check it concerns, with the loader's message and how to fix it.
 */
export function checkConfig(env: Env, readFile?: (path: string) => string): ConfigCheckResult {
  let config: Config;
  try {
    config = loadConfig(env, readFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const help = HELP[error.variable];
    return {
      findings: [
        {
          check: help?.check ?? 'config',
          severity: 'error',
          message: `the service would refuse to start: ${error.message}`,
          setting: error.variable,
          fix: help?.fix ?? 'see docs/configuration.md; the service stops at the first refused variable, so run the doctor again after fixing it',
        },
      ],
    };
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
  return { config, findings: [{ check: 'config', severity: 'ok', message: 'every variable is valid' }, ...durabilityWarnings(config)] };
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
      fix: HELP.SEALING_KEYS.fix,
    });
  }
  if (config.storeUrl.startsWith('memory:')) {
    findings.push({
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
