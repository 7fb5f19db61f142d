/**
 * The skill never breaks on odd data: malformed envelopes are 400s (never 500s), account values holding
 * characters XML cannot carry still make well-formed SSML, and hostile profile sizes stay inside Alexa's
 * limits (8,000 characters of speech, 24 kB of response), cut where a person would stop.
 * @see https://developer.amazon.com/docs/custom-skills/request-and-response-json-reference.html#response-format
 * @see https://www.w3.org/TR/xml/#charsets
 */
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import request from 'supertest';
import { createApp } from '../../../app';
import { loadConfig } from '../../../models/config';
import { AccountApiClient } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { fieldSlot, intentRequest, launchRequest } from '../../fixtures/skill/envelopes';
import { AccountApiServer } from '../../support/account-api-server';
import { BASE_TEST_ENV, CapturedLogs, captureLogger, testDeps } from '../../support/test-app';

const TOKEN = 'linked-token-for-odd-data';

async function post(envelope: unknown, env: Record<string, string> = {}) {
  const app = createApp(await testDeps({ env: { ALEXA_VERIFY_SIGNATURE: 'false', ...env } }));
  return request(app).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(envelope));
}

describe('malformed envelopes are 400, not 500', () => {
  test('no context, with SKILL_ID set', async () => {
    const envelope = launchRequest();
    const { context: _context, ...withoutContext } = envelope;
    const response = await post(withoutContext, { SKILL_ID: envelope.session!.application.applicationId });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: 'the body is not an Alexa request envelope (context)' });
  });

  test('a locale that is not a string', async () => {
    for (const locale of [42, { lang: 'en' }, ['en-US'], null]) {
      const envelope = intentRequest('GetNameIntent') as unknown as { request: Record<string, unknown> };
      envelope.request.locale = locale;
      const response = await post(envelope);
      expect({ locale, status: response.status }).toEqual({ locale, status: 400 });
      expect(response.body.error_description).toContain('request.locale');
    }
  });

  test('an IntentRequest without an intent', async () => {
    const envelope = intentRequest('GetNameIntent') as unknown as { request: Record<string, unknown> };
    delete envelope.request.intent;
    expect((await post(envelope)).status).toBe(400);
  });

  /** Every path of a full envelope, each replaced by every JSON type or removed. */
  test('fuzzed: no field of an envelope, replaced by any JSON value or removed, gets a 5xx', async () => {
    const app = createApp(await testDeps({ env: { ALEXA_VERIFY_SIGNATURE: 'false', SKILL_ID: 'amzn1.ask.skill.00000000-0000-0000-0000-000000000000' } }));
    const base = intentRequest('GetAccountFieldIntent', { slots: fieldSlot('phone number', 'phone_number'), newSession: false });
    const replacements: unknown[] = [undefined, null, 42, -1.5, true, '', 'x'.repeat(300), [], [1, 'a'], {}, { type: 'IntentRequest' }];
    const statuses = new Map<number, number>();
    for (const path of paths(base)) {
      for (const replacement of replacements) {
        const response = await request(app).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(replaced(base, path, replacement)));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect({ path: path.join('.'), replacement, status: response.status < 500 }).toEqual({ path: path.join('.'), replacement, status: true });
      }
    }
    // Both outcomes happen: the fuzzing reached the skill and the checks.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });
});

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const inner = Object.entries(value).flatMap(([key, child]) => paths(child, [...prefix, key]));
  return prefix.length > 0 ? [prefix, ...inner] : inner;
}

function replaced(envelope: RequestEnvelope, path: string[], replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(envelope)) as Record<string, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  if (replacement === undefined) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = replacement;
  return copy;
}

describe('speech from odd account values', () => {
  const api = new AccountApiServer();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  async function ask(envelope: RequestEnvelope, fieldMap?: Record<string, string>): Promise<ResponseEnvelope> {
    const config = loadConfig({ ...BASE_TEST_ENV, LINKBRIDGE_CONFIG: 'config.json' }, () => JSON.stringify({ skill: { fieldMap: fieldMap ?? {} } }));
    return buildSkill(config, captureLogger(new CapturedLogs()), { accountApi: new AccountApiClient(api.url, 5000) }).invoke(envelope);
  }

  function ssmlOf(response: ResponseEnvelope): string {
    const output = response.response.outputSpeech;
    if (output?.type !== 'SSML') throw new Error('expected SSML');
    return output.ssml;
  }

  test('control characters, U+FFFE, U+FFFF and lone surrogates are dropped; markup characters are escaped', async () => {
    api.behaviour = { status: 200, body: { name: 'Ada\u0000 \u0007Love\uFFFElace\uD800 <b>&amp;\uFFFF\uDC00 "😀"', email: 'a\u001Bda@example.com' } };
    for (const intent of ['GetNameIntent', 'GetAccountSummaryIntent', 'GetLinkedAccountIntent']) {
      const ssml = ssmlOf(await ask(intentRequest(intent, { accessToken: TOKEN })));
      expect(wellFormedSpeak(ssml)).toBe(true);
    }
    expect(ssmlOf(await ask(intentRequest('GetNameIntent', { accessToken: TOKEN })))).toBe(
      '<speak>Your name is Ada Lovelace &lt;b&gt;&amp;amp; &quot;😀&quot;.</speak>',
    );
  });

  test('a huge value is cut at a word; a huge profile is cut at a sentence; the response stays within 8,000 characters and 24 kB', async () => {
    const longWords = Array.from({ length: 5_000 }, (_, index) => `wörd${index}`).join(' ');
    const fieldMap = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`extra.f${index}`, `field number ${index} 😀`]));
    const extra = Object.fromEntries(Object.keys(fieldMap).map((path) => [path.split('.')[1], `😀😀 value & <${path}> `.repeat(3)]));
    api.behaviour = { status: 200, body: { name: longWords, email: `${'x'.repeat(20_000)}@example.com`, extra } };

    const name = ssmlOf(await ask(intentRequest('GetNameIntent', { accessToken: TOKEN })));
    expect(name).toMatch(/^<speak>Your name is wörd0 wörd1 .* wörd\d+\.<\/speak>$/);
    expect(name.length).toBeLessThan(300);

    const summary = await ask(intentRequest('GetAccountSummaryIntent', { accessToken: TOKEN, newSession: false }), fieldMap);
    const ssml = ssmlOf(summary);
    expect(ssml.length).toBeLessThanOrEqual(8000);
    expect(ssml.length).toBeGreaterThan(6000);
    expect(ssml).toMatch(/\.<\/speak>$/);
    expect(wellFormedSpeak(ssml)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThanOrEqual(24 * 1024);
  });
});

/**
 * Well-formed `<speak>` text as this skill writes it (plain text inside one element): only XML
 * characters, no markup but the outer tags, and every `&` starting one of XML's five entities.
 */
function wellFormedSpeak(ssml: string): boolean {
  const inner = /^<speak>([\s\S]*)<\/speak>$/.exec(ssml)?.[1];
  if (inner === undefined) return false;
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(inner)) return false;
  if (/[<>]/.test(inner)) return false;
  return inner.replace(/&(amp|lt|gt|quot|apos);/g, '').indexOf('&') === -1;
}
