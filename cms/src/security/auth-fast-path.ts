import type { Core } from '@strapi/strapi';
import { securityConfig } from './config';
import { onEveryWrite } from '../runtime/on-every-write';
import { plainCopy } from '../runtime/plain-copy';

/**
 * The per-request cost of authenticating a session JWT, cut without changing who is let in:
 * - Strapi's content API tries the API-token strategy first: it hashes the bearer (HMAC) and looks
 *   it up in `strapi_api_tokens`. An API token is hex (no dots); a bearer of three dot-separated
 *   parts is a JWT and can never be one, so its lookup answers "no such token" without a query.
 * - users-permissions reads its `advanced` settings from the core store on every request: kept for
 *   session.cacheSeconds (config/security.json), dropped at once when this instance writes them.
 * - users-permissions looks up the user and the role on every request: kept per user for
 *   session.cacheSeconds, as the session check (cms/src/security/sessions.ts) keeps the session, and
 *   dropped at once by any write to a user or a role through Strapi's database layer (blocking an
 *   account, a password change, a lockout, a role change). Another instance sees such a write
 *   within a second on PostgreSQL (cms/src/runtime/on-every-write.ts), else within cacheSeconds.
 * Each answer is a copy, so a request that changes its `ctx.state.user` changes nothing shared.
 */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const NOT_AN_API_TOKEN = Symbol('not an API token');
const USER = 'plugin::users-permissions.user';
const ROLE = 'plugin::users-permissions.role';
const MAX_USERS = 10_000;

type Cached<T> = { value: Promise<T>; at: number };

const ttl = () => securityConfig().session.cacheSeconds * 1000;
const fresh = (entry: Cached<unknown> | undefined) => entry !== undefined && Date.now() - entry.at < ttl();

const users = new Map<number, Cached<any>>();
let userGeneration = 0;
let advanced: Cached<unknown> | undefined;

/** Drops every cached user and the cached settings (a user, a role or a permission changed). */
export function clearAuthCache(): void {
  userGeneration += 1;
  users.clear();
  advanced = undefined;
}

function skipApiTokenLookupForJwts(strapi: Core.Strapi): void {
  const service: any = strapi.service('admin::api-token-content-api' as any) ?? strapi.service('admin::api-token' as any);
  if (!service?.hash || !service?.getByAccessKey) {
    strapi.log.warn('auth-fast-path: no API-token service to shortcut (Strapi changed?): every bearer is looked up');
    return;
  }
  const hash = service.hash.bind(service);
  const getByAccessKey = service.getByAccessKey.bind(service);
  service.hash = (token: unknown) => (typeof token === 'string' && JWT_SHAPE.test(token) ? NOT_AN_API_TOKEN : hash(token));
  service.getByAccessKey = (accessKey: unknown) => (accessKey === NOT_AN_API_TOKEN ? Promise.resolve(null) : getByAccessKey(accessKey));
}

function cacheAdvancedSettings(strapi: Core.Strapi): void {
  const store: any = strapi.store;
  const isAdvanced = (params: any) => params?.type === 'plugin' && params?.name === 'users-permissions' && params?.key === 'advanced';
  const get = store.get.bind(store);
  store.get = (params: any) => {
    if (!isAdvanced(params) || params.environment || params.tag) return get(params);
    if (fresh(advanced)) return advanced!.value.then((value) => plainCopy(value));
    const value = get(params);
    const entry = { value, at: Date.now() };
    advanced = entry;
    value.catch(() => { if (advanced === entry) advanced = undefined; });
    return value.then((result: unknown) => plainCopy(result));
  };
  for (const method of ['set', 'delete']) {
    const original = store[method].bind(store);
    store[method] = (params: any) => {
      if (isAdvanced(params)) advanced = undefined;
      return original(params);
    };
  }
}

function cacheAuthenticatedUser(strapi: Core.Strapi): void {
  const service: any = strapi.plugin('users-permissions').service('user');
  const fetch = service.fetchAuthenticatedUser.bind(service);
  service.fetchAuthenticatedUser = (id: number) => {
    const key = Number(id);
    const hit = users.get(key);
    if (fresh(hit)) return hit!.value.then((user) => (user ? plainCopy(user) : user));
    const generation = userGeneration;
    const value: Promise<any> = fetch(id);
    const entry = { value, at: Date.now() };
    if (users.size >= MAX_USERS) users.clear();
    users.set(key, entry);
    const forget = () => { if (users.get(key) === entry) users.delete(key); };
    value.then(() => { if (generation !== userGeneration) forget(); }, forget);
    return value.then((user) => (user ? plainCopy(user) : user));
  };
  onEveryWrite(strapi, [USER, ROLE], clearAuthCache);
}

/** Installs the three shortcuts (bootstrap: the services exist by then). */
export function installAuthFastPath(strapi: Core.Strapi): void {
  skipApiTokenLookupForJwts(strapi);
  cacheAdvancedSettings(strapi);
  cacheAuthenticatedUser(strapi);
}
