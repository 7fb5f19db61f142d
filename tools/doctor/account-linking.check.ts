import type { v1 } from 'ask-smapi-model';
import { splitScopes } from '../../models/provider-profile';
import { jsonObject } from './http-probe';
import type { ProviderView } from './provider-adapter';
import type { Finding } from './report';

type AccountLinking = v1.skill.accountLinking.AccountLinkingRequestPayload;

/** `accountLinking.json` as read from disk: its path, and its text when there is a file. */
export interface AccountLinkingFile {
  readonly path: string;
  /** `undefined` when there is no such file. */
  readonly text?: string;
}

const SETTING = 'accountLinking.json (npm run skill:package)';
const REWRITE = 'run npm run skill:package with this configuration, then ask smapi update-account-linking-info -s SKILL_ID --account-linking-request file:accountLinking.json';

/** The fields of Alexa's account-linking settings that must match the running configuration, and what each is. */
const COMPARED = [
  ['type', 'type'],
  ['authorizationUrl', 'authorization URL'],
  ['accessTokenUrl', 'access token URL'],
  ['clientId', 'client id'],
  ['clientSecret', 'client secret'],
  ['accessTokenScheme', 'client authentication scheme'],
] as const satisfies ReadonlyArray<readonly [keyof AccountLinking, string]>;

/**
 * `accountLinking.json` is what Alexa is told (`ask smapi update-account-linking-info`): Alexa sends its
 * client id and secret and its scopes. A file that says otherwise than the running configuration is a
 * skill whose linking fails (another client id, URL or type), or one that asks the provider for fewer
 * scopes than the account API needs: linkbridge passes Alexa's scopes on, the provider grants only those,
 * and the skill finds no name or email in the account.
 * @see https://developer.amazon.com/docs/smapi/account-linking-schemas.html
 */
export function checkAccountLinking(provider: ProviderView, file: AccountLinkingFile): Finding[] {
  const expected = provider.accountLinking;
  if (file.text === undefined) {
    return [
      {
        check: 'account-linking',
        severity: 'info',
        message: `no ${file.path}: npm run skill:package writes it from this configuration, with these scopes`,
        details: { scopes: expected.scopes ?? [] },
      },
    ];
  }
  const written = jsonObject(file.text)?.accountLinkingRequest;
  if (typeof written !== 'object' || written === null || Array.isArray(written)) {
    return [{ check: 'account-linking', severity: 'warning', message: `${file.path} holds no accountLinkingRequest object`, setting: SETTING, fix: REWRITE }];
  }
  const found = written as Record<string, unknown>;
  const findings: Finding[] = [];

  const differing = COMPARED.filter(([field]) => found[field] !== expected[field]).map(([field, name]) =>
    // The secret is compared, never shown.
    field === 'clientSecret' ? 'the client secret differs from ALEXA_CLIENT_SECRET' : `the ${name} is ${show(found[field])}, not ${show(expected[field])}`,
  );
  if (differing.length > 0) {
    findings.push({
      check: 'account-linking',
      severity: 'error',
      message: `${file.path} says otherwise than this configuration, and Alexa would be refused or sent elsewhere: ${differing.join('; ')}`,
      setting: SETTING,
      fix: REWRITE,
    });
  }

  const writtenScopes = Array.isArray(found.scopes) ? found.scopes.filter((scope): scope is string => typeof scope === 'string') : splitScopes(String(found.scopes ?? ''));
  const wanted = expected.scopes ?? [];
  const missing = wanted.filter((scope) => !writtenScopes.includes(scope));
  const extra = writtenScopes.filter((scope) => !wanted.includes(scope));
  const asked = writtenScopes.join(' ') || '(none)';
  if (missing.length > 0 && provider.passesAlexaScope) {
    findings.push({
      check: 'account-linking',
      severity: 'warning',
      message:
        `Alexa will ask for ${asked} (${file.path}), fewer scopes than linkbridge asks for and the account API needs (${wanted.join(' ')}): ` +
        `linkbridge passes Alexa's scopes on, so the provider grants no ${missing.join(', ')}, and the skill may find no name or email in the account`,
      setting: SETTING,
      fix: REWRITE,
      details: { 'Alexa asks for': writtenScopes, 'linkbridge asks for': wanted },
    });
  } else if (missing.length > 0 || extra.length > 0) {
    findings.push({
      check: 'account-linking',
      severity: 'warning',
      message: `${file.path} lists the scopes ${asked}, but linkbridge asks the provider for ${wanted.join(' ')}`,
      setting: SETTING,
      fix: REWRITE,
      details: { 'Alexa asks for': writtenScopes, 'linkbridge asks for': wanted },
    });
  }
  if (findings.length === 0) {
    findings.push({ check: 'account-linking', severity: 'ok', message: `${file.path} matches this configuration; Alexa asks for ${asked}` });
  }
  return findings;
}

function show(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}
