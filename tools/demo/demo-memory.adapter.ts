import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Most records kept; the oldest go first. A demo provider holds a handful of sign-ins. */
const MAX_RECORDS = 10_000;

interface Entry {
  readonly payload: AdapterPayload;
  readonly expiresAt: number;
}

/**
 * oidc-provider's storage for the demo provider: records in memory, expiring as oidc-provider asks.
 * The provider's built-in one works the same but announces on the console that it is for development,
 * which the person trying the demo cannot act on.
 * @see https://github.com/panva/node-oidc-provider/blob/v8.x/example/my_adapter.js
 */
export function demoMemoryAdapter(now: () => number = Date.now): new (model: string) => Adapter {
  const records = new Map<string, Entry>();
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();

  const read = (key: string): AdapterPayload | undefined => {
    const entry = records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      records.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class DemoMemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.key(id);
      if (records.size >= MAX_RECORDS) records.delete(records.keys().next().value as string);
      records.set(key, { payload, expiresAt: now() + expiresIn * 1000 });
      if (this.model === 'Session' && payload.uid) index.set(`sessionUid:${payload.uid}`, id);
      if (payload.userCode) index.set(`userCode:${payload.userCode}`, id);
      if (payload.grantId) grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(key));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return read(this.key(id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = index.get(`sessionUid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = index.get(`userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const payload = read(this.key(id));
      if (payload) payload.consumed = Math.floor(now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      records.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) records.delete(key);
      grants.delete(grantId);
    }
  };
}
