/**
 * linkbridge in vault custody (`TOKEN_CUSTODY=vault`) in front of a {@link RotatingProvider} whose
 * access tokens live ten minutes, on a clock the tests jump forward (provider and instances share it),
 * with helpers that play Alexa: the skill requests, the implicit flow, and what is at rest.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { intentRequest, skillEvent, USER_ID } from '../../fixtures/skill/envelopes';
import { Cleanup } from '../../support/cleanup';
import { JumpingClock } from '../../support/jumping-clock';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV } from '../../support/test-app';
import { alexaToken, codeGrant, linkAccount, startInstance, withRetries, type Instance } from '../refresh/instances';
import { RotatingProvider, type RotatingProviderOptions } from '../refresh/rotating-provider';
import { StoreFactory, type StoreKind } from '../refresh/stores';

/** The provider's access tokens live this long: the skill outlives many of them. */
export const PROVIDER_TOKEN_SECONDS = 600;

export class VaultStack {
  readonly clock = new JumpingClock();
  readonly cleanup = new Cleanup();
  provider!: RotatingProvider;
  private stores!: StoreFactory;
  private directory!: string;

  constructor(
    readonly kind: StoreKind,
    private readonly providerOptions: RotatingProviderOptions = {},
  ) {}

  async start(): Promise<this> {
    this.directory = this.cleanup.add(mkdtempSync(join(tmpdir(), 'linkbridge-vault-')), (made) => rmSync(made, { recursive: true, force: true }));
    // Vault custody refuses a Redis that keeps nothing across its restart: this one keeps an append-only file.
    this.stores = this.cleanup.add(new StoreFactory(this.kind, 'aof'), (made) => made.close());
    this.provider = this.cleanup.add(
      await new RotatingProvider(undefined, { now: () => this.clock.now(), accessTokenSeconds: PROVIDER_TOKEN_SECONDS, ...this.providerOptions }).start(),
      (started) => started.close(),
    );
    return this;
  }

  close(): Promise<void> {
    return this.cleanup.run();
  }

  /** `count` instances sharing a fresh store, in vault custody, with the provider's revocation endpoint in the profile. */
  async instances(count: number, env: Record<string, string> = {}, profile: Record<string, unknown> = {}): Promise<{ instances: Instance[]; storeUrl: string }> {
    const storeUrl = await this.stores.freshUrl();
    const configFile = join(this.directory, `linkbridge-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(configFile, JSON.stringify({ upstream: { profile: { revocationUrl: `${this.provider.baseUrl}/revoke`, ...profile } } }));
    const started: Instance[] = [];
    for (let i = 0; i < count; i += 1) {
      const instance = await startInstance(
        this.provider,
        {
          STORE_URL: storeUrl,
          TOKEN_CUSTODY: 'vault',
          ALEXA_VERIFY_SIGNATURE: 'false',
          ACCOUNT_API_URL: `${this.provider.baseUrl}/me`,
          LINKBRIDGE_CONFIG: configFile,
          ...env,
        },
        { clock: this.clock },
      );
      started.push(this.cleanup.add(instance, (made) => made.close()));
    }
    return { instances: started, storeUrl };
  }

  /** A code-mode link as the Alexa app makes it: sign-in through `a`, callback at `b`, Alexa's token request at `a`. */
  async link(a: Instance, b: Instance = a): Promise<{ accessToken: string; refreshToken: string; code: string }> {
    const code = await linkAccount(a.baseUrl, b.baseUrl);
    const answer = await withRetries(() => alexaToken(a.baseUrl, codeGrant(code)));
    if (answer.status !== 200) throw new Error(`the token request answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return { accessToken: answer.body.access_token, refreshToken: answer.body.refresh_token, code };
  }

  /** What the store holds at rest: the SQLite file with its write-ahead log, or every Redis key and value. */
  async atRest(storeUrl: string): Promise<string[]> {
    if (this.kind === 'sqlite') return sqliteFiles(storeUrl);
    if (this.kind === 'redis') return redisContents(storeUrl);
    return this.stores.dynamoItems(storeUrl);
  }
}

/** What the skill answered: the speech and the card's type. */
export interface SkillAnswer {
  readonly status: number;
  readonly speech: string;
  readonly card?: string;
}

/** "What's my name?" with `accessToken`, as Alexa sends it to `/alexa`. */
export async function askName(baseUrl: string, accessToken: string): Promise<SkillAnswer> {
  return postSkill(baseUrl, intentRequest('GetNameIntent', { accessToken }));
}

/** A skill event (`SkillDisabled`, `SkillAccountLinked`) for the test user. */
export async function sendSkillEvent(baseUrl: string, type: 'AlexaSkillEvent.SkillAccountLinked' | 'AlexaSkillEvent.SkillDisabled', accessToken?: string): Promise<SkillAnswer> {
  return postSkill(baseUrl, skillEvent(type, accessToken));
}

export { USER_ID };

async function postSkill(baseUrl: string, envelope: unknown): Promise<SkillAnswer> {
  const response = await fetch(`${baseUrl}/alexa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  const body = (await response.json()) as { response?: { outputSpeech?: { ssml?: string }; card?: { type?: string } } };
  return { status: response.status, speech: body.response?.outputSpeech?.ssml ?? '', card: body.response?.card?.type };
}

/** The implicit flow as the Alexa app drives it: the access token from the redirect's fragment. */
export async function linkImplicitly(baseUrl: string): Promise<string> {
  const authorize = new URL(`${baseUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID,
    response_type: 'token',
    redirect_uri: ALEXA_REDIRECT_URI,
    state: 'alexa-state',
    scope: 'profile',
  }).toString();
  const toProvider = await fetch(authorize, { redirect: 'manual' });
  const fromProvider = await fetch(toProvider.headers.get('location') ?? '', { redirect: 'manual' });
  const back = new URL(fromProvider.headers.get('location') ?? '');
  const callback = await fetch(`${baseUrl}/oauth/callback${back.search}`, { redirect: 'manual' });
  const landing = new URL(callback.headers.get('location') ?? '');
  const token = new URLSearchParams(landing.hash.slice(1)).get('access_token');
  if (!token) throw new Error(`no access token in the redirect: ${landing.origin}${landing.pathname}`);
  return token;
}

/** The SQLite file and its write-ahead log and shared-memory file, as raw bytes (latin1 keeps them 1:1). */
function sqliteFiles(storeUrl: string): string[] {
  const path = storeUrl.slice('sqlite:'.length);
  const directory = join(path, '..');
  const base = path.slice(directory.length + 1);
  const files = readdirSync(directory).filter((name) => name.startsWith(base));
  if (!files.includes(`${base}-wal`)) throw new Error(`no write-ahead log beside ${base}: ${files.join(', ')}`);
  return files.map((name) => readFileSync(join(directory, name)).toString('latin1'));
}

/** Every key and value in the Redis database. */
async function redisContents(storeUrl: string): Promise<string[]> {
  const client = new Redis(storeUrl);
  try {
    const keys = await client.keys('*');
    const values = await Promise.all(keys.map((key) => client.get(key)));
    return [...keys, ...values.map((value) => value ?? '')];
  } finally {
    await client.quit();
  }
}
