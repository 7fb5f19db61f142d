import type { Clock } from '../../models/clock';
import { parseStored, type Store } from '../../models/store';

/** The provider's grant as the link keeps it. */
export interface ProviderGrant {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** When the provider's access token expires (ms since the epoch); unknown when the provider gave no `expires_in`. */
  readonly expiresAt?: number;
  readonly scope?: string;
}

/**
 * One user's link: the only copy of the provider's grant, with the fields that identify the user. It
 * lives until it is dead (the provider refused its refresh), ended (skill disabled, linked again) or
 * unused for `VAULT_LINK_IDLE_DAYS`. A dead link keeps no grant: it stays only to say that it died.
 */
export interface LinkRecord {
  readonly id: string;
  readonly state: 'live' | 'dead';
  readonly grant?: ProviderGrant;
  /** By the profile's names (`userId`): `token.answer.identity`. */
  readonly identity: Readonly<Record<string, string>>;
  /** Alexa's user id, once a skill request or `SkillAccountLinked` told it. */
  readonly alexaUserId?: string;
  readonly createdAt: number;
  /** When the idle lifetime was last renewed; renewed at most once per renewal interval, not per request. */
  readonly renewedAt: number;
  readonly idleUntil: number;
  readonly diedAt?: number;
  readonly deathReason?: string;
}

/** What one of linkbridge's tokens, or one Alexa user, points to. */
export interface LinkPointer {
  readonly linkId: string;
  /** When this pointer stops counting (ms since the epoch), checked on read whatever the store's own expiry. */
  readonly expiresAt: number;
  /** When its lifetime was last renewed (refresh tokens and users: renewed as their link is). */
  readonly renewedAt?: number;
}

/** A link as read, and whether its record was sealed under an older key (then it is written again). */
export interface ReadLink {
  readonly link: LinkRecord;
  readonly sealedWithOlderKey: boolean;
}

/**
 * The vault's records in the store, every one sealed at rest under a hashed key:
 * - `link:<link id>`: the {@link LinkRecord};
 * - `link-access:<token>`, `link-refresh:<token>`: linkbridge's tokens, pointing to their link;
 * - `link-user:<Alexa user id>`: the user's link, for skill events;
 * - `link-migrated:<provider refresh token>`: a relay-era refresh token and the link it became.
 * Each record carries its own expiry and is checked against the clock on read, so a store whose
 * entries outlive it (Redis counts expiry on its own clock) never hands out a stale one.
 */
export class LinkRecords {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async readLink(linkId: string): Promise<ReadLink | undefined> {
    const key = linkKey(linkId);
    const record = this.store.getRecord ? await this.store.getRecord(key) : await this.plain(key);
    const link = record && parseStored<LinkRecord>(record.value);
    if (!link || typeof link.id !== 'string' || link.idleUntil <= this.clock.now()) return undefined;
    return { link, sealedWithOlderKey: record.sealedWithOlderKey };
  }

  /** Writes the link; it expires when it has been idle for its lifetime. */
  async writeLink(link: LinkRecord): Promise<void> {
    await this.store.put(linkKey(link.id), JSON.stringify(link), link.idleUntil);
  }

  async deleteLink(linkId: string): Promise<void> {
    await this.store.delete(linkKey(linkId));
  }

  readAccess(token: string): Promise<LinkPointer | undefined> {
    return this.readPointer(`link-access:${token}`);
  }

  putAccess(token: string, pointer: LinkPointer): Promise<void> {
    return this.putPointer(`link-access:${token}`, pointer);
  }

  deleteAccess(token: string): Promise<void> {
    return this.store.delete(`link-access:${token}`);
  }

  readRefresh(token: string): Promise<LinkPointer | undefined> {
    return this.readPointer(`link-refresh:${token}`);
  }

  putRefresh(token: string, pointer: LinkPointer): Promise<void> {
    return this.putPointer(`link-refresh:${token}`, pointer);
  }

  readUser(alexaUserId: string): Promise<LinkPointer | undefined> {
    return this.readPointer(`link-user:${alexaUserId}`);
  }

  putUser(alexaUserId: string, pointer: LinkPointer): Promise<void> {
    return this.putPointer(`link-user:${alexaUserId}`, pointer);
  }

  deleteUser(alexaUserId: string): Promise<void> {
    return this.store.delete(`link-user:${alexaUserId}`);
  }

  readMigrated(providerRefreshToken: string): Promise<LinkPointer | undefined> {
    return this.readPointer(`link-migrated:${providerRefreshToken}`);
  }

  putMigrated(providerRefreshToken: string, pointer: LinkPointer): Promise<void> {
    return this.putPointer(`link-migrated:${providerRefreshToken}`, pointer);
  }

  private async readPointer(key: string): Promise<LinkPointer | undefined> {
    const pointer = parseStored<LinkPointer>(await this.store.get(key));
    if (!pointer || typeof pointer.linkId !== 'string' || !(pointer.expiresAt > this.clock.now())) return undefined;
    return pointer;
  }

  private async putPointer(key: string, pointer: LinkPointer): Promise<void> {
    await this.store.put(key, JSON.stringify(pointer), pointer.expiresAt);
  }

  private async plain(key: string): Promise<{ value: string; sealedWithOlderKey: boolean } | undefined> {
    const value = await this.store.get(key);
    return value === undefined ? undefined : { value, sealedWithOlderKey: false };
  }
}

function linkKey(linkId: string): string {
  return `link:${linkId}`;
}
