import type { Core } from '@strapi/strapi';
import { regionIndex, regionPath } from '../domain/region-names';
import { addFigures, emptyFigures, indicatorsOf } from '../domain/indicators';
import { enqueue, NATIONAL_INDEX, type ExchangeEvent } from './outbox';
import { packageDueAt, verifyPackage, type StatisticsPackage } from './packages';
import { downSubject, type ExchangeSettings } from './settings';

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
    const fields = {
      nationalKey: String(data.nationalKey), countyCode: data.countyCode ?? null, institutionCode: data.institutionCode ?? null,
      studentNumberMasked: data.studentNumberMasked ?? null, studentKey: data.studentKey ?? null, active: true, lastSequence: event.sequence, registeredAt: event.occurredAt,
    };
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

async function reportDuplicates(strapi: Core.Strapi, settings: ExchangeSettings, entry: any): Promise<void> {
  if (!entry.nationalKey) return;
  const others = await strapi.db.query(NATIONAL_INDEX as any).findMany({ where: { nationalKey: entry.nationalKey, active: true, province: { $ne: entry.province } } });
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
  if (!pkg || typeof pkg !== 'object' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(String(pkg.period)) || !pkg.figures || typeof pkg.figures !== 'object') return { refused: 'malformed package' };
  if (pkg.province !== event.source) return { refused: `package of province ${pkg.province} sent by ${event.source}` };
  const key = settings.provinceKeys.get(String(pkg.province));
  if (!key) return { refused: `no public key registered for province ${pkg.province}` };
  if (!verifyPackage(pkg, signature, key)) return { refused: 'signature does not verify (forged or altered)' };
  const existing = await strapi.db.query(PACKAGES as any).findOne({ where: { province: pkg.province, period: pkg.period }, select: ['packageId'] });
  if (existing) return { refused: existing.packageId === pkg.packageId ? `replay of package ${pkg.packageId}` : `a package of ${pkg.province} for ${pkg.period} was already received` };
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
      figures: row?.figures ?? null,
      indicators: row ? indicatorsOf(row.figures ?? {}) : null,
    };
  });
  return {
    period,
    dueAt: dueAt.toISOString(),
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
