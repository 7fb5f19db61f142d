import { randomBytes, randomUUID } from 'node:crypto';
import { sleep } from '../../models/clock';
import type { LinkedAccounts, LinkLookup, ProviderCredentials } from '../../models/linked-accounts';
import type { Logger } from '../../models/logger';
import { StoreUnavailableError } from '../../models/store';
import { InvalidGrantError, TemporarilyUnavailableError } from '../errors';
import { credentialDigest } from '../credential-digest';
import { AnswerBudget } from '../grants/answer-budget';
import { backgroundProviderCalls } from '../grants/background-calls';
import { ProviderCallOnce } from '../grants/provider-call-once';
import type { LinkingDeps } from '../linking-deps';
import type { AlexaTokenResponse } from '../token-response';
import type { UpstreamTokens } from '../upstream-client';
import { isProviderFailure, judge } from '../upstream-errors';
import { LinkRecords, type LinkPointer, type LinkRecord, type ProviderGrant } from './link-records';
import { grantRefreshed, grantRefreshFailed, grantWriteFailed, linkDied, linkEnded, linkKept, revocationFailed, vaultRefreshAnswered, vaultRefreshRefused, vaultTaskFailed } from './vault-log';
import { isVaultToken, mintVaultToken } from './vault-tokens';

/** The provider's access token is refreshed when it has less than this left, so the account API never gets an expired one. */
export const REFRESH_AHEAD_MS = 60_000;
const DAY_MS = 86_400_000;
/** Access tokens whose link this process remembers (about 200 bytes each). */
const MAX_REMEMBERED_POINTERS = 10_000;

/**
 * Vault custody (`TOKEN_CUSTODY=vault`): linkbridge keeps the provider's grant in one link record and
 * hands Alexa tokens of its own, which only point to the link.
 *
 * - Alexa's refresh never calls the provider: it mints a new access token for a live link.
 * - The skill resolves Alexa's token in-process ({@link LinkedAccounts}); near the provider token's
 *   expiry it refreshes it at the provider, one refresh per link at a time across instances (the
 *   single-flight lock of the refresh grant), and writes the new grant before using it.
 * - Only the provider's own `invalid_grant` (by the profile's error map) kills a link.
 * - Every write of a link record happens under the link's lock; a renewal that finds the lock taken
 *   skips (whoever holds it writes the link anyway).
 * @see docs/how-linking-works.md, "Token custody"
 */
export class Vault implements LinkedAccounts {
  readonly records: LinkRecords;
  private readonly once: ProviderCallOnce;
  private readonly idleMs: number;
  /** A link, refresh token or user is written again to renew its idle lifetime at most this often. */
  private readonly renewEveryMs: number;
  /** Names the identity fields also go by: the last part of their path in the token answer (`openid`). */
  private readonly identityAliases: ReadonlyArray<readonly [string, string]>;
  /**
   * Where each access token points, by its hash: a token's link never changes (a token is made for one link,
   * and ending the link deletes the link, not its tokens), so the skill reads one record per request, the link.
   */
  private readonly pointers = new Map<string, LinkPointer>();
  /** The renewals this process started, by link: when, and for which Alexa user. */
  private readonly renewalsStarted = new Map<string, { readonly at: number; readonly userId?: string }>();
  /** Grants refreshed at the provider whose write failed, kept here until a write succeeds. */
  private readonly unsaved = new Map<string, LinkRecord>();
  private readonly log: Logger;

  constructor(private readonly deps: LinkingDeps) {
    const { store, clock, logger, config, upstream } = deps;
    this.records = new LinkRecords(store, clock);
    this.once = new ProviderCallOnce({ store, clock, logger, lockTtlMs: config.tokenReplay.lockTtlMs });
    this.idleMs = config.vault.linkIdleDays * DAY_MS;
    this.renewEveryMs = Math.min(DAY_MS, Math.floor(this.idleMs / 10));
    this.log = logger.child({ part: 'vault' });
    this.identityAliases = Object.entries(upstream.profile.token.answer.identity)
      .map(([name, path]) => [name, path.split('.').pop() ?? name] as const)
      .filter(([name, alias]) => alias !== name);
  }

  // The linking side: keeping a grant, and Alexa's tokens.

  /** Keeps the provider's tokens as a new link; returns its id. */
  async keep(tokens: UpstreamTokens, from: 'code' | 'implicit' | 'relay-refresh-token', log: Logger): Promise<string> {
    const now = this.deps.clock.now();
    const link: LinkRecord = {
      id: randomBytes(32).toString('base64url'),
      state: 'live',
      grant: grantOf(tokens, undefined, now),
      identity: tokens.identity ?? {},
      createdAt: now,
      renewedAt: now,
      idleUntil: now + this.idleMs,
    };
    await this.records.writeLink(link);
    linkKept(log, link.id, { from, expiresIn: tokens.expiresIn, rotates: tokens.refreshToken !== undefined });
    return link.id;
  }

  /** Code mode: an access token and a refresh token for the link, as Alexa's token answer. */
  async issueTokens(linkId: string): Promise<AlexaTokenResponse> {
    const now = this.deps.clock.now();
    const refreshToken = mintVaultToken('refresh');
    await this.records.putRefresh(refreshToken, { linkId, expiresAt: now + this.idleMs, renewedAt: now });
    const read = await this.records.readLink(linkId);
    return { ...(await this.issueAccess(linkId, this.deps.config.vault.accessTokenSeconds)), refresh_token: refreshToken, ...scopeOf(read?.link) };
  }

  /** Implicit mode: one access token for the link, living `VAULT_IMPLICIT_TOKEN_SECONDS` (Alexa cannot refresh it). */
  issueImplicitToken(linkId: string): Promise<AlexaTokenResponse> {
    return this.issueAccess(linkId, this.deps.config.vault.implicitTokenSeconds);
  }

  /**
   * Alexa's refresh with one of linkbridge's refresh tokens: a new access token for a live link, and the
   * same refresh token back (it stays valid, as Amazon asks). No provider call; `invalid_grant` only for
   * a link that is gone or dead.
   */
  async refreshForAlexa(refreshToken: string, log: Logger): Promise<AlexaTokenResponse> {
    const pointer = await this.records.readRefresh(refreshToken);
    if (!pointer) return this.refuseRefresh(log, 'the refresh token is unknown, or unused for longer than the link lives');
    const read = await this.records.readLink(pointer.linkId);
    if (!read) return this.refuseRefresh(log, 'the link ended: the skill was disabled, the account linked again, or the link was idle too long');
    if (read.link.state === 'dead') return this.refuseRefresh(log, `the link is dead: ${read.link.deathReason ?? 'the provider refused its refresh'}`);
    const answer = await this.issueAccess(read.link.id, this.deps.config.vault.accessTokenSeconds);
    const now = this.deps.clock.now();
    if (this.renewalDue(pointer, now)) {
      this.background('renew a refresh token', this.records.putRefresh(refreshToken, { linkId: pointer.linkId, expiresAt: now + this.idleMs, renewedAt: now }));
    }
    this.afterUse(read.link, read.sealedWithOlderKey, undefined);
    vaultRefreshAnswered(log, read.link.id);
    return { ...answer, refresh_token: refreshToken, ...scopeOf(read.link) };
  }

  /** A relay-era refresh token that became a link (see the vault refresh grant); `undefined` when none did. */
  async migratedLink(providerRefreshToken: string): Promise<string | undefined> {
    return (await this.records.readMigrated(providerRefreshToken))?.linkId;
  }

  /** Remembers that `providerRefreshToken` became `linkId`, for as long as a link lives unused. */
  async rememberMigration(providerRefreshToken: string, linkId: string): Promise<void> {
    await this.records.putMigrated(providerRefreshToken, { linkId, expiresAt: this.deps.clock.now() + this.idleMs });
  }

  // The skill side (LinkedAccounts).

  async resolve(alexaAccessToken: string, userId: string | undefined): Promise<LinkLookup> {
    // Not one of linkbridge's: a provider token Alexa got in relay custody, used as it is until Alexa's next refresh.
    if (!isVaultToken(alexaAccessToken, 'access')) return { status: 'linked', credentials: { accessToken: alexaAccessToken, identity: {} } };
    try {
      const pointer = await this.accessPointer(alexaAccessToken);
      if (!pointer) return { status: 'expired', reason: 'the access token is unknown or expired' };
      const read = await this.readLink(pointer.linkId);
      if (!read) return { status: 'expired', reason: 'the link ended or was idle too long' };
      let { link } = read;
      if (link.state === 'dead') return { status: 'expired', reason: `the link is dead: ${link.deathReason ?? 'the provider refused its refresh'}` };
      if (needsRefresh(link.grant, this.deps.clock.now())) {
        const refreshed = await this.refreshGrant(link);
        if ('status' in refreshed) return refreshed;
        link = refreshed;
      }
      this.afterUse(link, read.sealedWithOlderKey, userId);
      return { status: 'linked', credentials: this.credentialsOf(link) };
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { status: 'unavailable', reason: 'the store did not answer' };
      throw error;
    }
  }

  accountLinked(userId: string, alexaAccessToken: string | undefined): void {
    this.background('SkillAccountLinked', this.bindNewLink(userId, alexaAccessToken));
  }

  skillDisabled(userId: string, alexaAccessToken: string | undefined): void {
    this.background('SkillDisabled', this.endUsersLink(userId, alexaAccessToken));
  }

  // Refreshing the grant.

  /** The link with a fresh grant, or why there is none; one provider call per link at a time, across instances. */
  private async refreshGrant(link: LinkRecord): Promise<LinkRecord | LinkLookup> {
    const { clock, config } = this.deps;
    const budget = new AnswerBudget(clock, config.upstream.timeoutMs);
    let current: LinkRecord | undefined = link;
    // Done when the link no longer needs a refresh: another request (here or on another instance) did it, or it died.
    const settled = async (): Promise<boolean> => {
      current = (await this.readLink(link.id))?.link;
      return !current || current.state === 'dead' || !needsRefresh(current.grant, clock.now());
    };
    try {
      await this.once.ensure(`link:${link.id}`, budget, settled, async () => {
        current = await this.refreshAtProvider(current!);
      });
    } catch (error) {
      if (error instanceof TemporarilyUnavailableError) return { status: 'unavailable', reason: 'the provider is still answering the refresh' };
      if (error instanceof StoreUnavailableError) return { status: 'unavailable', reason: 'the store did not answer' };
      if (!isProviderFailure(error)) throw error;
      if (judge(error) === 'invalid_grant') return { status: 'expired', reason: 'the provider refused the refresh: invalid_grant' };
      return { status: 'unavailable', reason: 'the provider could not refresh the grant just now' };
    }
    if (!current) return { status: 'expired', reason: 'the link ended' };
    if (current.state === 'dead') return { status: 'expired', reason: `the link is dead: ${current.deathReason ?? 'the provider refused its refresh'}` };
    return current;
  }

  /** Runs under the link's lock: the provider's new grant is written before anyone uses it. */
  private async refreshAtProvider(link: LinkRecord): Promise<LinkRecord> {
    const { clock, config, upstream } = this.deps;
    const grant = link.grant!;
    let tokens: UpstreamTokens;
    try {
      tokens = await upstream.refresh(grant.refreshToken!, { timeoutMs: config.tokenReplay.providerDeadlineMs });
    } catch (error) {
      if (isProviderFailure(error) && judge(error) === 'invalid_grant') {
        await this.markDead(link, 'the provider refused the refresh with invalid_grant');
      } else if (isProviderFailure(error)) {
        grantRefreshFailed(this.log, link.id, error);
      }
      throw error;
    }
    const now = clock.now();
    const refreshed: LinkRecord = {
      ...link,
      grant: grantOf(tokens, grant, now),
      identity: { ...link.identity, ...tokens.identity },
      renewedAt: now,
      idleUntil: now + this.idleMs,
    };
    await this.save(refreshed);
    grantRefreshed(this.log, link.id, { rotated: tokens.refreshToken !== undefined && tokens.refreshToken !== grant.refreshToken, expiresIn: tokens.expiresIn });
    return refreshed;
  }

  private async markDead(link: LinkRecord, reason: string): Promise<void> {
    const { grant: _grant, ...rest } = link;
    await this.save({ ...rest, state: 'dead', diedAt: this.deps.clock.now(), deathReason: reason });
    linkDied(this.log, link.id, reason);
  }

  /**
   * Writes a link the provider just answered for. Should the store refuse, the provider has already
   * rotated its refresh token: this process keeps the record (and reads it first) and writes it again
   * in the background until the store takes it.
   */
  private async save(link: LinkRecord): Promise<void> {
    try {
      await this.records.writeLink(link);
      this.unsaved.delete(link.id);
    } catch (error) {
      grantWriteFailed(this.log, link.id, error);
      this.unsaved.set(link.id, link);
      this.background('write a refreshed grant again', this.writeAgain(link));
    }
  }

  private async writeAgain(link: LinkRecord): Promise<void> {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      await sleep(this.deps.clock, 1000);
      if (this.unsaved.get(link.id) !== link) return;
      try {
        await this.records.writeLink(link);
        this.unsaved.delete(link.id);
        return;
      } catch {
        // The next attempt, a second later.
      }
    }
  }

  private async readLink(linkId: string) {
    const kept = this.unsaved.get(linkId);
    if (kept) return { link: kept, sealedWithOlderKey: false };
    return this.records.readLink(linkId);
  }

  // Use: renewing the idle lifetime, re-sealing, binding the Alexa user.

  /**
   * After a link was used: renews its idle lifetime when the last renewal is older than the renewal
   * interval, writes it again under the newest key when an older one sealed it, and binds the Alexa user.
   * At most one write per link per interval, in the background, so the answer waits for none of it.
   */
  private afterUse(link: LinkRecord, sealedWithOlderKey: boolean, userId: string | undefined): void {
    const now = this.deps.clock.now();
    // What this process already set out to write: requests that read the link before that write landed add none.
    const started = this.renewalsStarted.get(link.id);
    const renewedAt = Math.max(link.renewedAt, started?.at ?? 0);
    const newUser = userId !== undefined && link.alexaUserId !== userId && started?.userId !== userId;
    if (!sealedWithOlderKey && !newUser && !this.renewalDue({ renewedAt }, now)) return;
    if (this.renewalsStarted.size >= MAX_REMEMBERED_POINTERS) this.renewalsStarted.delete(this.renewalsStarted.keys().next().value!);
    this.renewalsStarted.set(link.id, { at: now, userId: userId ?? started?.userId });
    this.background('renew a link', this.underLinkLock(link.id, 'try', async () => {
      const read = await this.records.readLink(link.id);
      if (!read || read.link.state === 'dead') return;
      const at = this.deps.clock.now();
      const renewed: LinkRecord = { ...read.link, renewedAt: at, idleUntil: at + this.idleMs, ...(userId !== undefined ? { alexaUserId: userId } : {}) };
      await this.records.writeLink(renewed);
      if (renewed.alexaUserId !== undefined) await this.records.putUser(renewed.alexaUserId, { linkId: link.id, expiresAt: renewed.idleUntil, renewedAt: at });
    }));
  }

  private renewalDue(record: { readonly renewedAt?: number }, now: number): boolean {
    return record.renewedAt === undefined || now - record.renewedAt >= this.renewEveryMs;
  }

  // Skill events.

  /** `SkillAccountLinked`: the user's earlier link (if any other) ends, and the user points to the new one. */
  private async bindNewLink(userId: string, alexaAccessToken: string | undefined): Promise<void> {
    const pointer = alexaAccessToken && isVaultToken(alexaAccessToken, 'access') ? await this.records.readAccess(alexaAccessToken) : undefined;
    const earlier = await this.records.readUser(userId);
    if (earlier && earlier.linkId !== pointer?.linkId) await this.endLink(earlier.linkId, 'the user linked the account again');
    if (!pointer) return;
    await this.underLinkLock(pointer.linkId, 'wait', async () => {
      const read = await this.records.readLink(pointer.linkId);
      if (!read || read.link.state === 'dead') return;
      await this.records.writeLink({ ...read.link, alexaUserId: userId });
      await this.records.putUser(userId, { linkId: pointer.linkId, expiresAt: read.link.idleUntil, renewedAt: this.deps.clock.now() });
    });
  }

  /** `SkillDisabled`: the user's link, found by the user or by the token the event carries, ends. */
  private async endUsersLink(userId: string, alexaAccessToken: string | undefined): Promise<void> {
    const byUser = await this.records.readUser(userId);
    const byToken = !byUser && alexaAccessToken && isVaultToken(alexaAccessToken, 'access') ? await this.records.readAccess(alexaAccessToken) : undefined;
    const linkId = byUser?.linkId ?? byToken?.linkId;
    if (linkId) await this.endLink(linkId, 'the user disabled the skill');
    if (byUser) await this.records.deleteUser(userId);
  }

  /** Deletes the link, then revokes its grant at the provider where it has a revocation endpoint (RFC 7009). */
  private async endLink(linkId: string, why: string): Promise<void> {
    let grant: ProviderGrant | undefined;
    await this.underLinkLock(linkId, 'wait', async () => {
      const read = await this.records.readLink(linkId);
      grant = read?.link.grant;
      await this.records.deleteLink(linkId);
      this.unsaved.delete(linkId);
      if (read?.link.alexaUserId !== undefined) {
        const pointer = await this.records.readUser(read.link.alexaUserId);
        if (pointer?.linkId === linkId) await this.records.deleteUser(read.link.alexaUserId);
      }
    });
    if (!grant) return linkEnded(this.log, linkId, { why, revoked: 'no grant' });
    // Revoking the refresh token ends the whole grant at providers that follow RFC 7009 §2.1.
    const [token, hint] = grant.refreshToken !== undefined ? [grant.refreshToken, 'refresh_token' as const] : [grant.accessToken, 'access_token' as const];
    try {
      const revoked = await this.deps.upstream.revoke(token, hint, { timeoutMs: this.deps.config.tokenReplay.providerDeadlineMs });
      linkEnded(this.log, linkId, { why, revoked: revoked ? 'yes' : 'no endpoint' });
    } catch (error) {
      revocationFailed(this.log, linkId, error);
      linkEnded(this.log, linkId, { why, revoked: 'failed' });
    }
  }

  // Helpers.

  /** The link an access token points to, from this process's memory when it read it before. */
  private async accessPointer(accessToken: string): Promise<LinkPointer | undefined> {
    const digest = credentialDigest(accessToken);
    const known = this.pointers.get(digest);
    if (known && known.expiresAt > this.deps.clock.now()) return known;
    if (known) this.pointers.delete(digest);
    const pointer = await this.records.readAccess(accessToken);
    if (pointer) {
      // Bounded: the oldest entry goes first (a Map keeps insertion order).
      if (this.pointers.size >= MAX_REMEMBERED_POINTERS) this.pointers.delete(this.pointers.keys().next().value!);
      this.pointers.set(digest, pointer);
    }
    return pointer;
  }

  private async issueAccess(linkId: string, lifetimeSeconds: number): Promise<AlexaTokenResponse> {
    const accessToken = mintVaultToken('access');
    await this.records.putAccess(accessToken, { linkId, expiresAt: this.deps.clock.now() + lifetimeSeconds * 1000 });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetimeSeconds };
  }

  private refuseRefresh(log: Logger, reason: string): never {
    vaultRefreshRefused(log, reason);
    throw new InvalidGrantError('the refresh token is invalid, or the account link ended');
  }

  private credentialsOf(link: LinkRecord): ProviderCredentials {
    const identity: Record<string, string> = { ...link.identity };
    for (const [name, alias] of this.identityAliases) {
      if (identity[name] !== undefined && identity[alias] === undefined) identity[alias] = identity[name];
    }
    return { accessToken: link.grant!.accessToken, identity };
  }

  /**
   * Runs `work` holding the link's lock (the one the grant's refresh takes). `try`: skips when another
   * holds it (a renewal: whoever holds it writes the link anyway). `wait`: waits for it, at most a lock's
   * lifetime, after which the holder's lock has lapsed.
   */
  private async underLinkLock(linkId: string, mode: 'try' | 'wait', work: () => Promise<void>): Promise<void> {
    const { store, clock, config } = this.deps;
    const lockKey = `lock:link:${linkId}`;
    const owner = randomUUID();
    const giveUpAt = clock.now() + config.tokenReplay.lockTtlMs;
    while (!(await store.lock(lockKey, owner, clock.now() + config.tokenReplay.lockTtlMs))) {
      if (mode === 'try' || clock.now() >= giveUpAt) {
        if (mode === 'try') return;
        break;
      }
      await sleep(clock, 100);
    }
    try {
      await work();
    } finally {
      await store.unlock(lockKey, owner).catch(() => undefined);
    }
  }

  /** Work that outlives the request that started it: tracked, so a stopping process (or a Lambda invocation) waits for it. */
  private background(task: string, work: Promise<void>): void {
    const logged = work.catch((error: unknown) => vaultTaskFailed(this.log, task, error));
    backgroundProviderCalls.track(logged);
  }
}

/** The grant from the provider's answer; a refresh answer without a refresh token keeps the one the grant had. */
function grantOf(tokens: UpstreamTokens, previous: ProviderGrant | undefined, now: number): ProviderGrant {
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  const scope = tokens.scope ?? previous?.scope;
  return {
    accessToken: tokens.accessToken,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(tokens.expiresIn !== undefined ? { expiresAt: now + tokens.expiresIn * 1000 } : {}),
    ...(scope !== undefined ? { scope } : {}),
  };
}

/** Whether the provider's access token is (nearly) expired and can be refreshed. */
function needsRefresh(grant: ProviderGrant | undefined, now: number): boolean {
  return grant?.refreshToken !== undefined && grant.expiresAt !== undefined && grant.expiresAt - now <= REFRESH_AHEAD_MS;
}

function scopeOf(link: LinkRecord | undefined): { scope?: string } {
  return link?.grant?.scope !== undefined ? { scope: link.grant.scope } : {};
}

export type { LinkPointer };

const builtFor = new WeakMap<LinkingDeps, Vault>();

/** The vault of `deps`: the one `buildDeps` made, or one made once for deps built another way (tests). */
export function vaultOf(deps: LinkingDeps): Vault {
  if (deps.vault) return deps.vault;
  let vault = builtFor.get(deps);
  if (!vault) {
    vault = new Vault(deps);
    builtFor.set(deps, vault);
  }
  return vault;
}
