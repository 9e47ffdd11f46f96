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
};

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
  };
}

/** Subject of the events a province sends up to the nation. */
export const upSubject = (settings: ExchangeSettings, province: string) => `${settings.subjectPrefix}.up.${province}`;
/** Subject of the answers the nation sends down to one province. */
export const downSubject = (settings: ExchangeSettings, province: string) => `${settings.subjectPrefix}.down.${province}`;
