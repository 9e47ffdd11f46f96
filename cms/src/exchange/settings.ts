import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Which level this deployment plays in the two-level deployment (两级建设, docs/two-level-deployment.md):
 * - `single` (default): one deployment holds everything, nothing is exchanged (the quick start);
 * - `province`: holds one province's kindergartens and children (DEPLOYMENT_PROVINCE, two digits)
 *   and reports to the national instance through the broker;
 * - `national`: holds the national index and answers the provinces.
 * The broker is NATS JetStream (EXCHANGE_NATS_URL). NATIONAL_INDEX_KEY is the key shared by every
 * deployment of the country (kept apart from each province's own keys): the national blind index of
 * an ID number is an HMAC with it, so the nation compares children without ever holding an ID number.
 */
export type DeploymentRole = 'single' | 'province' | 'national';

export type ExchangeSettings = {
  role: DeploymentRole;
  /** Two-digit province code of a province deployment. */
  province: string | null;
  servers: string;
  stream: string;
  /** First token of every subject; tests use their own. */
  subjectPrefix: string;
  nationalKey: string | null;
  /** How often the relay looks for unsent outbox events, in milliseconds. */
  relayIntervalMs: number;
  /** A province's Ed25519 private key, signing its monthly statistics package (EXCHANGE_SIGNING_KEY). */
  signingKey: KeyObject | null;
  /** The nation's directory of provinces: each province's Ed25519 public key (EXCHANGE_PROVINCE_KEYS). */
  provinceKeys: Map<string, KeyObject>;
  /** Days after a period's snapshot falls due by which the nation expects its package (EXCHANGE_PACKAGE_GRACE_DAYS). */
  packageGraceDays: number;
  /** Most events the nation applies in one transaction, per province (EXCHANGE_BATCH_SIZE, default 200). */
  batchSize: number;
  /** Seconds a consumer waits for an acknowledgement before the broker redelivers (EXCHANGE_ACK_WAIT_SECONDS, default 30). */
  ackWaitSeconds: number;
  /** The exchange stream's retention: days kept (EXCHANGE_STREAM_MAX_AGE_DAYS, default 30) and size (EXCHANGE_STREAM_MAX_GB, default 50). */
  streamMaxAgeDays: number;
  streamMaxGb: number;
  /** How often the nation looks for a province that sends for the first time, in milliseconds (EXCHANGE_DISCOVERY_MS, default 2000). */
  discoveryMs: number;
};

/** A key as PEM, or as base64 of its DER (PKCS#8 for a private key, SPKI for a public one). */
function ed25519Key(kind: 'private' | 'public', text: string, variable: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    const pem = trimmed.startsWith('-----');
    const source = pem ? trimmed : Buffer.from(trimmed, 'base64');
    key = kind === 'private'
      ? createPrivateKey(pem ? source : { key: source as Buffer, format: 'der', type: 'pkcs8' })
      : createPublicKey(pem ? source : { key: source as Buffer, format: 'der', type: 'spki' });
  } catch {
    throw new ExchangeSettingsError(`${variable} 不是可读的 Ed25519 ${kind === 'private' ? '私钥' : '公钥'}（PEM，或 DER 的 base64）`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ExchangeSettingsError(`${variable} 须为 Ed25519 密钥，而不是 ${key.asymmetricKeyType}`);
  return key;
}

function provinceKeys(text: string | undefined): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (!text) return keys;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExchangeSettingsError('EXCHANGE_PROVINCE_KEYS 应为 JSON 对象：{"35": "<Ed25519 公钥>", …}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ExchangeSettingsError('EXCHANGE_PROVINCE_KEYS 应为 JSON 对象：{"35": "<Ed25519 公钥>", …}');
  for (const [province, key] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[1-8]\d$/.test(province)) throw new ExchangeSettingsError(`EXCHANGE_PROVINCE_KEYS：省级代码应为两位数字，而不是 "${province}"`);
    if (typeof key !== 'string') throw new ExchangeSettingsError(`EXCHANGE_PROVINCE_KEYS：省 ${province} 的公钥应为字符串`);
    keys.set(province, ed25519Key('public', key, `EXCHANGE_PROVINCE_KEYS[${province}]`));
  }
  return keys;
}

export class ExchangeSettingsError extends Error {}

export function exchangeSettings(env: NodeJS.ProcessEnv = process.env): ExchangeSettings {
  const role = (env.DEPLOYMENT_ROLE || 'single') as DeploymentRole;
  if (!['single', 'province', 'national'].includes(role)) {
    throw new ExchangeSettingsError(`DEPLOYMENT_ROLE 只能是 single、province 或 national，而不是 "${env.DEPLOYMENT_ROLE}"`);
  }
  const province = role === 'province' ? String(env.DEPLOYMENT_PROVINCE ?? '') : null;
  if (role === 'province' && !/^[1-8]\d$/.test(province!)) {
    throw new ExchangeSettingsError(`DEPLOYMENT_PROVINCE 应为两位省级行政区划代码（如 35），而不是 "${env.DEPLOYMENT_PROVINCE ?? ''}"`);
  }
  const nationalKey = env.NATIONAL_INDEX_KEY || null;
  if (role !== 'single' && (!nationalKey || nationalKey.length < 32)) {
    throw new ExchangeSettingsError('NATIONAL_INDEX_KEY 未设置或少于 32 个字符：省级与全国部署须使用同一个全国索引密钥');
  }
  const subjectPrefix = env.EXCHANGE_SUBJECT_PREFIX || 'preschool';
  if (!/^[A-Za-z0-9_-]+$/.test(subjectPrefix)) throw new ExchangeSettingsError('EXCHANGE_SUBJECT_PREFIX 只能含字母、数字、下划线和连字符');
  return {
    role,
    province,
    servers: env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222',
    stream: env.EXCHANGE_STREAM || 'PRESCHOOL_EXCHANGE',
    subjectPrefix,
    nationalKey,
    relayIntervalMs: Number(env.EXCHANGE_RELAY_INTERVAL_MS || 250),
    signingKey: role === 'province' && env.EXCHANGE_SIGNING_KEY ? ed25519Key('private', env.EXCHANGE_SIGNING_KEY, 'EXCHANGE_SIGNING_KEY') : null,
    provinceKeys: role === 'national' ? provinceKeys(env.EXCHANGE_PROVINCE_KEYS) : new Map(),
    packageGraceDays: graceDays(env.EXCHANGE_PACKAGE_GRACE_DAYS),
    batchSize: bounded(env, 'EXCHANGE_BATCH_SIZE', 200, 1, 1000),
    ackWaitSeconds: bounded(env, 'EXCHANGE_ACK_WAIT_SECONDS', 30, 1, 3600),
    streamMaxAgeDays: bounded(env, 'EXCHANGE_STREAM_MAX_AGE_DAYS', 30, 1, 3650),
    streamMaxGb: bounded(env, 'EXCHANGE_STREAM_MAX_GB', 50, 1, 10_000),
    discoveryMs: bounded(env, 'EXCHANGE_DISCOVERY_MS', 2000, 100, 600_000),
  };
}

function bounded(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const text = env[variable];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new ExchangeSettingsError(`${variable} 应为 ${min} 到 ${max} 的整数，而不是 "${text}"`);
  return value;
}

function graceDays(text: string | undefined): number {
  if (text === undefined || text === '') return 5;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 0 || days > 60) throw new ExchangeSettingsError(`EXCHANGE_PACKAGE_GRACE_DAYS 应为 0 到 60 的整数，而不是 "${text}"`);
  return days;
}

/** Subject of the events a province sends up to the nation. */
export const upSubject = (settings: ExchangeSettings, province: string) => `${settings.subjectPrefix}.up.${province}`;
/** Subject of the answers the nation sends down to one province. */
export const downSubject = (settings: ExchangeSettings, province: string) => `${settings.subjectPrefix}.down.${province}`;
