import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { newDocumentId } from '../domain/document-ids';
import { securityConfig } from './config';
import { loadSecrets } from '../runtime/secrets';
import { onEveryWrite } from '../runtime/on-every-write';

/**
 * Sessions: a short-lived access token (JWT {id, sid}, config session.accessTokenMinutes) and a
 * refresh token, rotated at every refresh and stored only as a SHA-256 hash in `auth_sessions`.
 * A session ends at logout, after session.idleMinutes without a request, or at absoluteHours.
 * Every request's session is checked (security middleware) through a cache of cacheSeconds, so a
 * revocation by another instance is seen within that time and at once on this one.
 */
export const SESSION = 'api::auth-session.auth-session';

export type SessionRow = {
  id: number;
  documentId: string;
  userId: number;
  refreshHash: string;
  previousHash?: string | null;
  lastSeenAt: string | Date;
  expiresAt: string | Date;
  revokedAt?: string | Date | null;
  pending?: string | null;
  delegationId?: number | null;
  delegateId?: number | null;
  delegateUsername?: string | null;
};

const cache = new Map<number, { row: SessionRow | null; fetchedAt: number }>();

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');
export function pendingList(row: Pick<SessionRow, 'pending'> | null | undefined): string[] {
  return row?.pending ? row.pending.split(',').filter(Boolean) : [];
}

const secretKeys = new Map<string, crypto.KeyObject>();
/**
 * The HMAC key of a token secret, as a KeyObject made once. Given a string, jsonwebtoken first tries
 * to parse it as a PEM public key (an OpenSSL decode that fails, about 0.5 ms) on every sign and verify:
 * two verifications a request (the session check and users-permissions) paid it for nothing.
 */
export function tokenKey(secret: string): crypto.KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}

export function issueAccessToken(userId: number, sid: number): string {
  const minutes = securityConfig().session.accessTokenMinutes;
  return jwt.sign({ id: userId, sid }, tokenKey(loadSecrets().JWT_SECRET), { expiresIn: `${minutes}m` });
}

const VERIFIED_MAX = 10_000;
/** Tokens whose signature was found good, by token: the secret and algorithm it was checked with and its payload. */
const verified = new Map<string, { secret: string; algorithm: string; payload: Record<string, any> }>();

/**
 * jsonwebtoken's verify of a token signed with `secret` (HMAC), remembered: each request carries
 * its session's token and had it verified twice (the session check below and users-permissions'),
 * an HMAC and two JSON parses each time. A token found good with the same secret and algorithm
 * is not checked again; its expiry is, at every call, as jsonwebtoken checks it (expired once the
 * current second reaches `exp`). A bad token is never remembered and throws what jsonwebtoken throws.
 * Returns a copy of the payload.
 */
export function verifyToken(token: string, secret: string, algorithm = 'HS256'): Record<string, any> {
  const known = verified.get(token);
  if (known && known.secret === secret && known.algorithm === algorithm) {
    const exp = known.payload.exp;
    if (typeof exp !== 'number' || Math.floor(Date.now() / 1000) < exp) return { ...known.payload };
    verified.delete(token);
  }
  const payload = jwt.verify(token, tokenKey(secret), { algorithms: [algorithm as jwt.Algorithm] }) as any;
  if (payload && typeof payload === 'object' && payload.nbf === undefined) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(token, { secret, algorithm, payload: { ...payload } });
  }
  return payload;
}

/** The payload of a valid access token of ours, or null (expired, forged, another kind of token). */
export function readAccessToken(token: string): { id: number; sid?: number } | null {
  try {
    const payload = verifyToken(token, loadSecrets().JWT_SECRET) as any;
    return payload && typeof payload === 'object' && payload.id !== undefined ? payload : null;
  } catch {
    return null;
  }
}

export function bearerOf(ctx: any): string | null {
  const header = ctx.request?.header?.authorization;
  if (!header) return null;
  const [scheme, token, ...rest] = String(header).split(/\s+/);
  return scheme?.toLowerCase() === 'bearer' && token && !rest.length ? token : null;
}

export function aliveReason(row: SessionRow | null, now = Date.now()): string | null {
  if (!row) return 'SESSION_UNKNOWN';
  if (row.revokedAt) return 'SESSION_REVOKED';
  if (new Date(row.expiresAt).getTime() <= now) return 'SESSION_EXPIRED';
  if (now - new Date(row.lastSeenAt).getTime() > securityConfig().session.idleMinutes * 60_000) return 'SESSION_IDLE';
  return null;
}

export function sessionService(strapi: Core.Strapi) {
  const query = () => strapi.db.query(SESSION as any);
  return {
    async create(userId: number, options: { pending?: string[]; ip?: string | null; userAgent?: string | null; delegation?: { id: number; delegateId: number; delegateUsername: string; endsAt: string | Date } | null }) {
      const { absoluteHours } = securityConfig().session;
      const refreshToken = newToken();
      const now = new Date();
      const row = (await query().create({
        data: {
          documentId: newDocumentId(), userId, refreshHash: hashToken(refreshToken), lastSeenAt: now,
          // a delegated session ends with its delegation at the latest
          expiresAt: new Date(Math.min(now.getTime() + absoluteHours * 3_600_000, options.delegation ? new Date(options.delegation.endsAt).getTime() : Infinity)),
          pending: options.pending?.join(',') || null,
          ip: options.ip?.slice(0, 64) ?? null, userAgent: options.userAgent?.slice(0, 255) ?? null,
          delegationId: options.delegation?.id ?? null, delegateId: options.delegation?.delegateId ?? null, delegateUsername: options.delegation?.delegateUsername ?? null,
        },
      })) as SessionRow;
      cache.set(row.id, { row, fetchedAt: Date.now() });
      return { row, refreshToken, accessToken: issueAccessToken(userId, row.id) };
    },

    /** The session, through the cache. */
    async get(sid: number, fresh = false): Promise<SessionRow | null> {
      const hit = cache.get(sid);
      if (!fresh && hit && Date.now() - hit.fetchedAt < securityConfig().session.cacheSeconds * 1000) return hit.row;
      const row = (await query().findOne({ where: { id: sid } })) as SessionRow | null;
      cache.set(sid, { row, fetchedAt: Date.now() });
      if (cache.size > 20_000) for (const [key, value] of cache) if (Date.now() - value.fetchedAt > 60_000) cache.delete(key);
      return row;
    },

    /** Marks activity (at most every touchSeconds, so requests do not all write). */
    async touch(row: SessionRow): Promise<void> {
      const now = Date.now();
      if (now - new Date(row.lastSeenAt).getTime() < securityConfig().session.touchSeconds * 1000) return;
      const lastSeenAt = new Date(now);
      await query().update({ where: { id: row.id }, data: { lastSeenAt } });
      cache.set(row.id, { row: { ...row, lastSeenAt }, fetchedAt: Date.now() });
    },

    /**
     * Exchanges a refresh token for a new pair. A rotated (previous) token presented again means it
     * was stolen or replayed: the session is revoked.
     */
    async refresh(refreshToken: unknown): Promise<{ row: SessionRow; refreshToken: string; accessToken: string } | { error: string }> {
      if (typeof refreshToken !== 'string' || !refreshToken) return { error: 'REFRESH_TOKEN_MISSING' };
      const hash = hashToken(refreshToken);
      const row = (await query().findOne({ where: { refreshHash: hash } })) as SessionRow | null;
      if (!row) {
        const replayed = (await query().findOne({ where: { previousHash: hash } })) as SessionRow | null;
        if (replayed && !replayed.revokedAt) await this.revoke(replayed.id);
        return { error: replayed ? 'REFRESH_TOKEN_REUSED' : 'SESSION_UNKNOWN' };
      }
      const reason = aliveReason(row);
      if (reason) return { error: reason };
      const next = newToken();
      const lastSeenAt = new Date();
      // Guarded by the current hash: of two refreshes with one token, one wins.
      const changed = await strapi.db.connection(strapi.db.metadata.get(SESSION as any).tableName)
        .where({ id: row.id, refresh_hash: hash })
        .update({ refresh_hash: hashToken(next), previous_hash: hash, last_seen_at: lastSeenAt });
      if (!changed) return { error: 'REFRESH_TOKEN_REUSED' };
      const updated = { ...row, refreshHash: hashToken(next), previousHash: hash, lastSeenAt };
      cache.set(row.id, { row: updated, fetchedAt: Date.now() });
      return { row: updated, refreshToken: next, accessToken: issueAccessToken(row.userId, row.id) };
    },

    async revoke(sid: number): Promise<void> {
      await query().update({ where: { id: sid }, data: { revokedAt: new Date() } });
      cache.delete(sid);
    },

    /** Ends every session of a user but `except` (password changed, account blocked). */
    async revokeAllOf(userId: number, except?: number): Promise<void> {
      const open = await query().findMany({ where: { userId, revokedAt: null }, select: ['id'] });
      const ids = open.map((row: any) => row.id).filter((id: number) => id !== except);
      if (ids.length) await query().updateMany({ where: { id: { $in: ids } }, data: { revokedAt: new Date() } });
      for (const id of ids) cache.delete(id);
    },

    /** Ends every session acting under a delegation (revoked). */
    async revokeDelegation(delegationId: number): Promise<void> {
      const open = await query().findMany({ where: { delegationId, revokedAt: null }, select: ['id'] });
      const ids = open.map((row: any) => row.id);
      if (ids.length) await query().updateMany({ where: { id: { $in: ids } }, data: { revokedAt: new Date() } });
      for (const id of ids) cache.delete(id);
    },

    async setPending(row: SessionRow, pending: string[]): Promise<void> {
      await query().update({ where: { id: row.id }, data: { pending: pending.join(',') || null } });
      cache.delete(row.id);
    },
  };
}

/** Ends every session of a user (password reset, account blocked). */
export async function revokeSessionsOf(strapi: Core.Strapi, userId: number): Promise<void> {
  await sessionService(strapi).revokeAllOf(userId);
}

const USER = 'plugin::users-permissions.user';
const blocking = (data: any) => data?.blocked === true || data?.blocked === 'true' || data?.blocked === 1;

/**
 * Blocking an account ends every session of it at once, whatever the path that blocks it (the
 * accounts API, users-permissions' own user update, Strapi's admin, a script): a query-engine
 * lifecycle of the user model, so no path can forget it. Revoked sessions stay revoked: unblocking
 * the account later revives none of the tokens issued before the block (a new login is needed).
 * Other instances see the revocation within session.cacheSeconds, this one at once.
 */
export function revokeSessionsOnBlock(strapi: Core.Strapi): void {
  strapi.db.lifecycles.subscribe({
    models: [USER],
    async afterUpdate(event: any) {
      if (blocking(event.params?.data) && event.result?.id) await revokeSessionsOf(strapi, event.result.id);
    },
    async beforeUpdateMany(event: any) {
      if (!blocking(event.params?.data)) return;
      const rows = await strapi.db.query(USER).findMany({ where: event.params.where ?? {}, select: ['id'] });
      event.state.blockedUserIds = rows.map((row: any) => row.id);
    },
    async afterUpdateMany(event: any) {
      for (const id of event.state?.blockedUserIds ?? []) await revokeSessionsOf(strapi, id);
    },
  } as any);
}

/**
 * The browser's copy of the refresh token: an httpOnly cookie the page's scripts cannot read (an
 * injected script cannot carry the session away), sent only to the auth routes and only from this
 * site (SameSite=Strict). Every answer that issues a session sets it; logout clears it. API clients
 * keep using `refreshToken` in the JSON body, which stays in every answer.
 */
export const REFRESH_COOKIE = 'preschool_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/**
 * A refresh by cookie must carry this header, which the panel sends and a cross-site form cannot
 * (a custom header needs a CORS preflight): the cookie alone never renews a session.
 */
export const PANEL_HEADER = { name: 'X-Requested-With', value: 'preschool-panel' };

/** https as the browser sees it: the connection's own, or the public URL's (TLS ended at a proxy). */
function browserUsesHttps(ctx: any): boolean {
  if (ctx.secure) return true;
  const publicUrl = (globalThis as any).strapi?.config?.get?.('server.url', '') ?? '';
  return /^https:/i.test(String(publicUrl));
}

function cookieOptions(ctx: any) {
  const secure = browserUsesHttps(ctx);
  // koa's cookies refuse a Secure cookie on a connection they think plain (TLS ended at a proxy)
  if (secure && !ctx.secure) ctx.cookies.secure = true;
  return { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'strict' as const, secure, signed: false, overwrite: true };
}

/** Sets the refresh cookie; it lives as long as the session can (its absolute end). */
export function setRefreshCookie(ctx: any, refreshToken: string, expiresAt: string | Date): void {
  if (!ctx?.cookies) return;
  const maxAge = Math.max(0, new Date(expiresAt).getTime() - Date.now());
  ctx.cookies.set(REFRESH_COOKIE, refreshToken, { ...cookieOptions(ctx), maxAge });
}

/** Clears the refresh cookie (expires in the past). */
export function clearRefreshCookie(ctx: any): void {
  if (!ctx?.cookies) return;
  ctx.cookies.set(REFRESH_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0, expires: new Date(0) });
}

/** Whether the request carries the panel's header (see PANEL_HEADER). */
export function fromPanel(ctx: any): boolean {
  return ctx.get?.(PANEL_HEADER.name) === PANEL_HEADER.value;
}

/**
 * The refresh token a request presents: the body's (API clients), else the cookie's — the latter
 * only with the panel's header, or `CSRF_HEADER_REQUIRED`. No token at all: `token` undefined.
 */
export function presentedRefreshToken(ctx: any): { token?: string; source?: 'body' | 'cookie'; error?: 'CSRF_HEADER_REQUIRED' } {
  const fromBody = ctx.request?.body?.refreshToken;
  if (fromBody !== undefined && fromBody !== null && fromBody !== '') return { token: fromBody, source: 'body' };
  const fromCookie = ctx.cookies?.get(REFRESH_COOKIE, { signed: false });
  if (!fromCookie) return {};
  if (!fromPanel(ctx)) return { error: 'CSRF_HEADER_REQUIRED' };
  return { token: fromCookie, source: 'cookie' };
}

/**
 * A session written by another instance (revoked, rotated, a pending step done) is dropped from this
 * instance's cache within a second (cms/src/runtime/on-every-write.ts); this instance's own writes
 * keep the cache up to date where they happen.
 */
export function subscribeSessionInvalidation(strapi: Core.Strapi): void {
  onEveryWrite(strapi, [SESSION], (event) => {
    if (!event.remote) return;
    if (!event.ids) cache.clear();
    else for (const id of event.ids) cache.delete(Number(id));
  });
}

/** For tests and operators: forget cached sessions (the next request reads the database). */
export function clearSessionCache(): void {
  cache.clear();
}
