import type { Core } from '@strapi/strapi';
import { regionIndex, regionPath } from '../domain/region-names';
import { enqueue, NATIONAL_INDEX, type ExchangeEvent } from './outbox';
import { downSubject, type ExchangeSettings } from './settings';

/**
 * The national instance's side (docs/two-level-deployment.md): the national index of 学籍, kept from
 * the provinces' events, and the national duplicate check — a child whose national key is open in
 * another province is reported to both provinces, each told only the other's province and county.
 */
export async function applyProvinceEvent(strapi: Core.Strapi, settings: ExchangeSettings, event: ExchangeEvent): Promise<void> {
  const { data } = event;
  if (!/^\d{2}$/.test(String(event.source)) || !data?.childDocumentId) throw new Error(`exchange: malformed province event ${event.type}`);
  const province = String(event.source);
  const where = { province, childDocumentId: String(data.childDocumentId) };
  const entry = await strapi.db.query(NATIONAL_INDEX as any).findOne({ where });
  // a child's events apply in the order its province wrote them (outbox id), whatever the clocks say
  if (entry && Number(entry.lastSequence ?? 0) >= event.sequence) return;
  if (event.type === 'child.registered') {
    const fields = {
      nationalKey: String(data.nationalKey), countyCode: data.countyCode ?? null, institutionCode: data.institutionCode ?? null,
      studentNumberMasked: data.studentNumberMasked ?? null, active: true, lastSequence: event.sequence, registeredAt: event.occurredAt,
    };
    if (entry) await strapi.db.query(NATIONAL_INDEX as any).update({ where: { id: entry.id }, data: fields });
    else await strapi.db.query(NATIONAL_INDEX as any).create({ data: { ...where, ...fields } });
    await reportDuplicates(strapi, settings, { ...where, ...fields });
    return;
  }
  if (event.type === 'child.status') {
    if (!entry) return; // never registered nationally (no ID number): nothing to keep
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
