/**
 * In vault custody every way into the skill resolves Alexa's token through the linked accounts: the skill
 * endpoint, the simulator's in-process entry and AWS Lambda's direct invocation; and the account API gets
 * the link's identity fields through every wrapper (the metered client included).
 */
import type { ResponseEnvelope } from 'ask-sdk-model';
import type { LinkedAccounts } from '../../../models/linked-accounts';
import { noMetrics, type Metrics } from '../../../models/metrics';
import type { AccountApi } from '../../../skill/account-api.client';
import { createDirectInvocationSkill } from '../../../skill/direct-invocation';
import { createInProcessSkill } from '../../../skill/in-process-skill';
import { MeteredAccountApi } from '../../../skill/metered-account-api';
import { intentRequest } from '../../fixtures/skill/envelopes';
import { CapturedLogs, captureLogger, TestClock, testConfig } from '../../support/test-app';

const IDENTITY = { openid: 'o-123', userId: 'o-123' };

function vaultLinks(resolved: string[]): LinkedAccounts {
  return {
    async resolve(alexaAccessToken) {
      resolved.push(alexaAccessToken);
      return { status: 'linked', credentials: { accessToken: 'provider-access-token', identity: IDENTITY } };
    },
    accountLinked: () => undefined,
    skillDisabled: () => undefined,
  };
}

function recordingApi(calls: Array<{ token: string; identity?: Readonly<Record<string, string>> }>): AccountApi {
  return {
    async fetchProfile(token, identity) {
      calls.push({ token, identity });
      return { name: 'Ada Lovelace' };
    },
  };
}

const config = testConfig({ TOKEN_CUSTODY: 'vault', STORE_URL: 'sqlite:/nowhere/linkbridge.sqlite' });
const speech = (envelope: ResponseEnvelope) => envelope.response.outputSpeech?.type === 'SSML' ? envelope.response.outputSpeech.ssml : '';
const counting: Metrics = { ...noMetrics, accountApiCall: () => undefined };

test.each([
  ['a direct invocation (AWS Lambda)', 'direct'],
  ['the in-process entry (the simulator)', 'in-process'],
] as const)('%s: Alexa token resolved by the vault, the provider token and identity reach the account API', async (_name, path) => {
  const resolved: string[] = [];
  const calls: Array<{ token: string; identity?: Readonly<Record<string, string>> }> = [];
  const accountApi = new MeteredAccountApi(recordingApi(calls), counting, new TestClock());
  const deps = { config, logger: captureLogger(new CapturedLogs()), clock: new TestClock(), skill: { accountApi, linkedAccounts: vaultLinks(resolved) } };
  const envelope = intentRequest('GetNameIntent', { accessToken: 'lba_linkbridge-access-token' });
  const answer =
    path === 'direct'
      ? await createDirectInvocationSkill(deps).invoke(envelope)
      : ((await createInProcessSkill(deps).invoke(envelope)).body as ResponseEnvelope);
  expect(resolved).toEqual(['lba_linkbridge-access-token']);
  expect(calls).toEqual([{ token: 'provider-access-token', identity: IDENTITY }]);
  expect(speech(answer)).toContain('Ada Lovelace');
});
