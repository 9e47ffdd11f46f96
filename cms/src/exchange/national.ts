import type { Core } from '@strapi/strapi';
import { regionIndex, regionPath } from '../domain/region-names';
import { addFigures, emptyFigures, englishLabelOf, indicatorsConfig, indicatorsOf } from '../domain/indicators';
import { enqueue, INBOX, NATIONAL_INDEX, type ExchangeEvent } from './outbox';
import { packageDueAt, verifyPackage, type StatisticsPackage } from './packages';
import { downSubject, type ExchangeSettings } from './settings';
import { fieldError } from '../utils/validation';

/**
 * The national instance's side (docs/two-level-deployment.md): the national index of 学籍, kept from
 * the provinces' events, and the national duplicate check — a child whose national key is open in
 * another province is reported to both provinces, each told only the other's province and county.
 */
export async function applyProvinceEvent(strapi: Core.Strapi, settings: ExchangeSettings, event: ExchangeEvent): Promise<void | { refused: string }> {
  const { data } = event;
  if (event.type === 'statistics.package') return acceptPackage(strapi, settings, event);
  if (event.type.startsWith('transfer.')) return routeTransfer(strapi, settings, event);
  if (!/^\d{2}$/.test(String(event.source)) || !data?.childDocumentId) throw new Error(`exchange: malformed province event ${event.type}`);
  const province = String(event.source);
  const where = { province, childDocumentId: String(data.childDocumentId) };
  const entry = await strapi.db.query(NATIONAL_INDEX as any).findOne({ where });
  // A child's events apply in the order its province wrote them (its outbox id, `sequence`), whatever
  // the clocks say (`occurredAt` is never compared): an event older than the last one applied for the
  // child changes nothing of what the newer one set. Only a registration overtaken by a status (a
  // redelivery) still gives the entry its national key.
  if (entry && Number(entry.lastSequence ?? 0) >= event.sequence) {
    if (event.type === 'child.registered' && !entry.nationalKey && data.nationalKey) {
      await strapi.db.query(NATIONAL_INDEX as any).update({ where: { id: entry.id }, data: { nationalKey: String(data.nationalKey), studentNumberMasked: data.studentNumberMasked ?? null, registeredAt: event.occurredAt } });
    }
    return;
  }
  if (event.type === 'child.registered') {
    const fields = registrationFields(event);
    if (entry) await strapi.db.query(NATIONAL_INDEX as any).update({ where: { id: entry.id }, data: fields });
    else await strapi.db.query(NATIONAL_INDEX as any).create({ data: { ...where, ...fields } });
    await reportDuplicates(strapi, settings, { ...where, ...fields });
    return;
  }
  if (event.type === 'child.status') {
    if (!entry) {
      if (data.keyed === false) return; // no identity document: the nation never indexes the child
      // the status overtook the child's registration: kept, so the registration arriving later cannot reopen it
      await strapi.db.query(NATIONAL_INDEX as any).create({
        data: { ...where, nationalKey: '', active: Boolean(data.open), countyCode: data.countyCode ?? null, institutionCode: data.institutionCode ?? null, lastSequence: event.sequence },
      });
      return;
    }
    await strapi.db.query(NATIONAL_INDEX as any).update({
      where: { id: entry.id },
      data: { active: Boolean(data.open), countyCode: data.countyCode ?? entry.countyCode, institutionCode: data.institutionCode ?? entry.institutionCode, lastSequence: event.sequence },
    });
    return;
  }
  throw new Error(`exchange: unknown province event ${event.type}`);
}

/** PostgreSQL advisory locks of the national keys, apart from the relay's (cms/src/exchange/relay.ts). */
const KEY_LOCK = 735_202;

/**
 * Taken at the start of a batch's transaction on the nation (cms/src/exchange/inbox.ts): the provinces'
 * batches apply concurrently, one transaction per province, so two provinces registering the same child
 * at the same moment would each look for the other before either committed and neither would see a
 * duplicate. Each batch first locks the national keys (and 学籍号 keys) it registers or looks up, in one
 * order (no deadlock between two batches); the second waits for the first to commit and then
 * finds its entry. SQLite runs one transaction at a time: nothing to lock.
 */
export async function lockNationalKeys(strapi: Core.Strapi, events: ExchangeEvent[]): Promise<void> {
  if (strapi.db.dialect.client !== 'postgres') return;
  const keys = new Set<string>();
  for (const event of events) {
    if (event.type === 'child.registered' && event.data?.nationalKey) keys.add(String(event.data.nationalKey));
    if (event.type === 'transfer.requested') for (const key of [event.data?.lookup?.nationalKey, event.data?.lookup?.studentKey]) if (key) keys.add(String(key));
  }
  if (!keys.size) return;
  // in the order of the locks' own ids, so that two batches never wait on each other in a circle
  await strapi.db.transaction(({ trx }: any) => strapi.db.connection.raw(
    'SELECT pg_advisory_xact_lock(?, h) FROM (SELECT DISTINCT hashtext(key) AS h FROM json_array_elements_text(?::json) AS k(key) ORDER BY h) AS locks',
    [KEY_LOCK, JSON.stringify([...keys])],
  ).transacting(trx));
}

/** What a registration sets on the child's index entry. */
function registrationFields(event: ExchangeEvent) {
  const { data } = event;
  return {
    nationalKey: String(data.nationalKey), countyCode: data.countyCode ?? null, institutionCode: data.institutionCode ?? null,
    studentNumberMasked: data.studentNumberMasked ?? null, studentKey: data.studentKey ?? null, active: true, lastSequence: event.sequence, registeredAt: event.occurredAt,
  };
}

const isNewRegistration = (event: ExchangeEvent, source: string) => event.type === 'child.registered' && String(event.source) === source && /^\d{2}$/.test(source) && Boolean(event.data?.childDocumentId) && Boolean(event.data?.nationalKey);

/**
 * A batch of one province's events (cms/src/exchange/inbox.ts), in order. The bulk of a September day
 * is registrations of new children: a run of consecutive registrations of children the index does not
 * hold yet, none twice, is applied with one insert and one duplicate lookup for the whole run (what
 * `applyProvinceEvent` does one by one, with the same effect: the run's children are in no other event
 * of the run, and a run never spans another kind of event, so a transfer's completion still closes the
 * sender's entry before the receiver's registration is compared). Any other event, or a run holding a
 * child already indexed, is applied one by one.
 */
export async function applyProvinceEvents(strapi: Core.Strapi, settings: ExchangeSettings, events: ExchangeEvent[]): Promise<(void | { refused: string })[]> {
  const outcomes: (void | { refused: string })[] = [];
  let start = 0;
  while (start < events.length) {
    const source = String(events[start].source);
    let end = start;
    while (end < events.length && isNewRegistration(events[end], source)) end += 1;
    if (end - start >= 2 && (await registerMany(strapi, settings, source, events.slice(start, end)))) {
      outcomes.push(...events.slice(start, end).map(() => undefined));
      start = end;
      continue;
    }
    for (const event of events.slice(start, Math.max(end, start + 1))) outcomes.push(await applyProvinceEvent(strapi, settings, event));
    start = Math.max(end, start + 1);
  }
  return outcomes;
}

async function registerMany(strapi: Core.Strapi, settings: ExchangeSettings, province: string, events: ExchangeEvent[]): Promise<boolean> {
  const ids = events.map((event) => String(event.data.childDocumentId));
  if (new Set(ids).size !== ids.length) return false;
  if (await strapi.db.query(NATIONAL_INDEX as any).count({ where: { province, childDocumentId: { $in: ids } } })) return false;
  const entries = events.map((event) => ({ province, childDocumentId: String(event.data.childDocumentId), ...registrationFields(event) }));
  await strapi.db.query(NATIONAL_INDEX as any).createMany({ data: entries });
  const others = await strapi.db.query(NATIONAL_INDEX as any).findMany({ where: { nationalKey: { $in: [...new Set(entries.map((entry) => entry.nationalKey))] }, active: true, province: { $ne: province } }, orderBy: { id: 'asc' } });
  if (!others.length) return true;
  for (const entry of entries) await tellDuplicates(strapi, settings, entry, others.filter((other: any) => other.nationalKey === entry.nationalKey));
  return true;
}

async function reportDuplicates(strapi: Core.Strapi, settings: ExchangeSettings, entry: any): Promise<void> {
  if (!entry.nationalKey) return;
  const others = await strapi.db.query(NATIONAL_INDEX as any).findMany({ where: { nationalKey: entry.nationalKey, active: true, province: { $ne: entry.province } } });
  await tellDuplicates(strapi, settings, entry, others);
}

/** Each of the two provinces is told of the other: its province and county only. */
async function tellDuplicates(strapi: Core.Strapi, settings: ExchangeSettings, entry: any, others: any[]): Promise<void> {
  for (const other of others) {
    const tell = async (recipient: any, about: any) => enqueue(strapi, downSubject(settings, recipient.province), 'national.duplicate', {
      childDocumentId: recipient.childDocumentId,
      otherProvince: about.province,
      otherPlace: about.countyCode ? regionPath(await regionIndex(strapi), about.countyCode) : '',
      otherStudentNumberMasked: about.studentNumberMasked,
    });
    await tell(entry, other);
    await tell(other, entry);
  }
}

export const PACKAGES = 'api::exchange.national-statistics-package';

/**
 * A province's monthly statistics package: accepted when it is signed by the key registered for the
 * province that sent it (EXCHANGE_PROVINCE_KEYS) and is the first for that province and period;
 * refused — recorded in the inbox with the reason, never stored — when forged, from an unknown
 * province, or a replay of a package already received.
 */
async function acceptPackage(strapi: Core.Strapi, settings: ExchangeSettings, event: ExchangeEvent): Promise<void | { refused: string }> {
  const pkg = event.data?.package as StatisticsPackage | undefined;
  const signature = String(event.data?.signature ?? '');
  if (!pkg || typeof pkg !== 'object' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(String(pkg.period)) || !pkg.figures || typeof pkg.figures !== 'object') return { refused: '数据包格式不正确' };
  if (pkg.province !== event.source) return { refused: `省 ${pkg.province} 的数据包由 ${event.source} 报送` };
  const key = settings.provinceKeys.get(String(pkg.province));
  if (!key) return { refused: `未登记省 ${pkg.province} 的公钥` };
  if (!verifyPackage(pkg, signature, key)) return { refused: '签名验证未通过（伪造或数据被改动）' };
  const existing = await strapi.db.query(PACKAGES as any).findOne({ where: { province: pkg.province, period: pkg.period }, select: ['packageId'] });
  if (existing) return { refused: existing.packageId === pkg.packageId ? `重复报送：数据包 ${pkg.packageId} 已收到` : `已收到省 ${pkg.province} ${pkg.period} 的数据包` };
  await strapi.db.query(PACKAGES as any).create({
    data: { province: pkg.province, period: pkg.period, packageId: String(pkg.packageId), snapshotAt: pkg.snapshotAt ?? null, receivedAt: new Date(), figures: pkg.figures, counties: pkg.counties ?? [], signature },
  });
}

/**
 * The Ministry's national figures of a period from the provinces' packages: one row per province of
 * the directory (the provinces with a registered key) or that sent a package, its figures as the
 * province signed them, and whether its package is late (not received by the period's due date,
 * EXCHANGE_PACKAGE_GRACE_DAYS after the snapshot falls due); the national total is the sum of the
 * provinces' figures received.
 */
export async function nationalStatistics(strapi: Core.Strapi, settings: ExchangeSettings, period: string, now = new Date()) {
  const received = await strapi.db.query(PACKAGES as any).findMany({ where: { period }, orderBy: { province: 'asc' } });
  const byProvince = new Map<string, any>(received.map((row: any) => [String(row.province), row]));
  const provinces = [...new Set([...settings.provinceKeys.keys(), ...byProvince.keys()])].sort();
  const dueAt = packageDueAt(period, settings.packageGraceDays);
  const names = await regionIndex(strapi);
  let total = emptyFigures();
  const rows = provinces.map((province) => {
    const row = byProvince.get(province);
    if (row) total = addFigures(total, row.figures ?? {});
    return {
      province,
      code: `${province}0000`,
      name: regionPath(names, `${province}0000`) || province,
      received: Boolean(row),
      receivedAt: row?.receivedAt ?? null,
      snapshotAt: row?.snapshotAt ?? null,
      late: !row && now.getTime() > dueAt.getTime(),
      receivedLate: Boolean(row) && new Date(row.receivedAt).getTime() > dueAt.getTime(),
      // in the directory of provinces (EXCHANGE_PROVINCE_KEYS); a package is stored only once its signature verified against that key
      keyRegistered: settings.provinceKeys.has(province),
      signatureVerified: Boolean(row),
      figures: row?.figures ?? null,
      indicators: row ? indicatorsOf(row.figures ?? {}) : null,
    };
  });
  const periods = await strapi.db.connection((strapi.db.metadata.get(PACKAGES as any) as any).tableName).distinct('period').orderBy('period', 'desc').limit(36);
  const refused = await strapi.db.query(INBOX as any).findMany({ where: { type: 'statistics.package', outcome: 'refused' }, orderBy: { id: 'desc' }, limit: 20 });
  const { figures, indicators } = indicatorsConfig();
  return {
    period,
    dueAt: dueAt.toISOString(),
    /** the periods of which at least one package was received, newest first */
    periods: periods.map((row: any) => String(row.period)),
    /** the labels of the figures and indicators, as config/indicators.json names them */
    figureLabels: Object.entries(figures).map(([key, { label, unit }]) => ({ key, label, labelEn: englishLabelOf(key, label), unit })),
    indicatorLabels: Object.entries(indicators).map(([key, { label, unit, scale }]) => ({ key, label, labelEn: englishLabelOf(key, label), unit, scale: scale ?? 1 })),
    /** the latest packages refused (forged, altered, replayed, unknown province), whatever their period: never stored */
    refused: refused.map((row: any) => ({ province: row.source, name: regionPath(names, `${row.source}0000`) || row.source, receivedAt: row.receivedAt, reason: row.reason })),
    provinces: rows,
    total: { code: '000000', name: '全国', figures: total, indicators: indicatorsOf(total), provincesReceived: received.length, provincesLate: rows.filter((row) => row.late).length },
  };
}

const PROVINCE = /^[1-8]\d$/;

/**
 * Cross-province transfers (cms/src/exchange/transfers.ts): the nation routes each step between
 * the two provinces. A request is sent to the province whose open 学籍 has the child's national key
 * (or 学籍号 key); none found, the receiver is refused. The receiver's completion closes the sender's
 * entry here before the receiver's registration arrives (same sender, later in its order), so the
 * moved child is never a duplicate of itself. The sealed record passes through unread.
 */
async function routeTransfer(strapi: Core.Strapi, settings: ExchangeSettings, event: ExchangeEvent): Promise<void> {
  const { data } = event;
  const source = String(event.source);
  const send = (province: unknown, type: string, body: Record<string, any>) => {
    if (!PROVINCE.test(String(province))) throw new Error(`exchange: ${event.type} names no province`);
    return enqueue(strapi, downSubject(settings, String(province)), type, body);
  };
  switch (event.type) {
    case 'transfer.requested': {
      const { nationalKey, studentKey } = data.lookup ?? {};
      const key = nationalKey ? { nationalKey: String(nationalKey) } : studentKey ? { studentKey: String(studentKey) } : null;
      const holder = key ? await strapi.db.query(NATIONAL_INDEX as any).findOne({ where: { ...key, active: true, province: { $ne: source } } }) : null;
      if (!holder) return send(source, 'transfer.refused', { transferId: data.transferId, reason: '全国学籍索引中未找到该幼儿在其他省份的在读学籍' });
      const { lookup: _lookup, ...rest } = data;
      return send(holder.province, 'transfer.requested', { ...rest, childDocumentId: holder.childDocumentId, receiverProvince: source });
    }
    case 'transfer.opened':
    case 'transfer.agreed':
    case 'transfer.refused':
      return send(data.receiverProvince, event.type, { ...data, senderProvince: source });
    case 'transfer.cancelled':
      return send(data.senderProvince, event.type, { ...data, receiverProvince: source });
    case 'transfer.completed': {
      if (data.senderChildId) {
        await strapi.db.query(NATIONAL_INDEX as any).updateMany({ where: { province: String(data.senderProvince), childDocumentId: String(data.senderChildId) }, data: { active: false } });
      }
      return send(data.senderProvince, event.type, { ...data, receiverProvince: source });
    }
    default:
      throw new Error(`exchange: unknown transfer event ${event.type}`);
  }
}

/**
 * The national deployment's answer to a statistics query (cms/src/api/statistics/services/query.ts):
 * it holds no kindergarten or child, so its chart pages read the provinces' signed packages — by
 * province (their figures), by prefecture or county (their counties' rows), or month by month (the
 * sum of each period's packages) — inside the reach `prefix`. A breakdown the packages do not carry
 * (by kindergarten, sex, grade…) or a filter on one is refused with a 400 naming the field.
 * The period of a regional breakdown is `to` when given, else the newest period received.
 */
export async function nationalGroups(strapi: Core.Strapi, prefix: string, dimension: { kind: string; digits?: number }, filters: Record<string, any>): Promise<[string, string, Record<string, number>][]> {
  const { from, to, region: _region, ...others } = filters;
  const other = Object.keys(others)[0];
  if (other) throw fieldError(`filters.${other}`, '全国部署只有各省报送的统计数据包，不能按此条件筛选');
  const inReach = (code: string) => String(code).startsWith(prefix);
  const countiesOf = (row: any): { code: string; figures: Record<string, number> }[] => (row.counties ?? []).filter((county: any) => inReach(county.code));
  /** A package's figures inside the reach: the province's own when the reach covers the province, else its counties' sum. */
  const figuresOf = (row: any) => (prefix.length <= 2 && inReach(`${row.province}0000`) ? { ...emptyFigures(), ...(row.figures ?? {}) } : countiesOf(row).reduce((sum, county) => addFigures(sum, county.figures ?? {}), emptyFigures()));
  if (dimension.kind === 'snapshot') {
    const where: any = {};
    if (from || to) where.period = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
    const rows = await strapi.db.query(PACKAGES as any).findMany({ where, select: ['province', 'period', 'figures', 'counties'], orderBy: { period: 'asc' } });
    const byPeriod = new Map<string, Record<string, number>>();
    for (const row of rows) byPeriod.set(row.period, addFigures(byPeriod.get(row.period) ?? emptyFigures(), figuresOf(row)));
    const periods = [...byPeriod.keys()].sort();
    return (from || to ? periods : periods.slice(-12)).map((period) => [period, period, byPeriod.get(period)!]);
  }
  if (dimension.kind !== 'region') throw fieldError('dimension', '全国部署只有各省报送的统计数据包：可按省、市、县或月份统计');
  const period = to ?? (await strapi.db.query(PACKAGES as any).findOne({ select: ['period'], orderBy: { period: 'desc' } }))?.period;
  if (!period) return [];
  const rows = await strapi.db.query(PACKAGES as any).findMany({ where: { period }, select: ['province', 'figures', 'counties'] });
  const groups = new Map<string, Record<string, number>>();
  const digits = dimension.digits ?? 6;
  for (const row of rows) {
    if (digits <= 2) {
      if (inReach(`${row.province}0000`) || prefix.startsWith(String(row.province))) groups.set(`${row.province}0000`, figuresOf(row));
      continue;
    }
    for (const county of countiesOf(row)) {
      const code = String(county.code).slice(0, digits).padEnd(6, '0');
      groups.set(code, addFigures(groups.get(code) ?? emptyFigures(), county.figures ?? {}));
    }
  }
  const names = await regionIndex(strapi);
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([code, figures]) => [code, names.byCode.get(code)?.name ?? code, figures]);
}
