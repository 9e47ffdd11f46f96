import type { Core } from '@strapi/strapi';
import { openProblemRecord } from '../domain/problem-records';
import { maskedStudentNumber } from '../security/student-numbers';
import { enqueue, nationalKey, studentKey, type ExchangeEvent } from './outbox';
import { applyTransferEvent } from './transfers';
import { packageOfSnapshot, signPackage } from './packages';
import { upSubject, type ExchangeSettings } from './settings';

const CHILD = 'api::child.child';
const CHILD_EVENT = 'api::child-event.child-event';
const SNAPSHOT = 'plugin::archive-snapshot.snapshot';
/** History steps after which a 学籍 may have opened or closed in this province (离园, 毕业, 转出, 恢复…). */
const STATUS_STEPS = new Set(['graduation', 'leaving', 'accidental-leave', 'restoration', 'transfer-out', 'transfer-in']);

/**
 * The province's side of the exchange (docs/two-level-deployment.md): what it tells the nation — a
 * 学籍 registered (national key, masked 学籍号, county and kindergarten codes; never the ID number
 * nor the G 学籍号, which carries it), and a 学籍 opened or closed — and what it does with the
 * nation's answers.
 */
export async function reportRegistration(strapi: Core.Strapi, settings: ExchangeSettings, child: { documentId: string; idType?: string | null; idNumber?: string | null; countyCode?: string | null; institutionCode?: string | null }, studentNumber: string): Promise<void> {
  await reportIdentity(strapi, settings, child, maskedStudentNumber(strapi, studentNumber), studentNumber);
}

/** The child's national key as it is now: at registration, and again after a key-information change of its ID. */
async function reportIdentity(strapi: Core.Strapi, settings: ExchangeSettings, child: { documentId: string; idType?: string | null; idNumber?: string | null; countyCode?: string | null; institutionCode?: string | null }, studentNumberMasked: string | null, studentNumber: string | null): Promise<void> {
  if (settings.role !== 'province') return;
  const key = nationalKey(settings, child.idType, child.idNumber);
  if (!key) return; // without an identity document the nation has nothing to compare
  await enqueue(strapi, upSubject(settings, settings.province!), 'child.registered', {
    childDocumentId: child.documentId, nationalKey: key, countyCode: child.countyCode ?? null, institutionCode: child.institutionCode ?? null,
    studentNumberMasked, studentKey: studentKey(settings, studentNumber),
  });
}

/**
 * Every history step that may open or close a 学籍 is reported with the child's status after it.
 * Subscribed to the history table (cms/src/domain/lifecycle.ts writes it in the step's transaction),
 * so no path that changes a status can forget to tell the nation. A key-information change (关键信息变更)
 * may have corrected the ID number: the child's national key is reported again.
 */
export function reportStatusSteps(strapi: Core.Strapi, settings: ExchangeSettings): void {
  if (settings.role !== 'province') return;
  const report = async (rows: { type?: string; childDocumentId?: string }[]) => {
    const documentIds = [...new Set(rows.filter((row) => row?.type && STATUS_STEPS.has(row.type) && row.childDocumentId).map((row) => row.childDocumentId!))];
    const children = !documentIds.length ? [] : await strapi.db.query(CHILD).findMany({ where: { documentId: { $in: documentIds }, studentNumberKey: { $notNull: true } }, select: ['documentId', 'status', 'countyCode', 'institutionCode', 'idKey'] });
    for (const child of children) {
      await enqueue(strapi, upSubject(settings, settings.province!), 'child.status', {
        childDocumentId: child.documentId, open: child.status === 'registered', status: child.status, countyCode: child.countyCode, institutionCode: child.institutionCode,
        // whether the nation indexes this child at all (an identity document): a status overtaking its registration is kept
        keyed: Boolean(child.idKey),
      });
    }
    const changedKeys = [...new Set(rows.filter((row) => row?.type === 'key-change' && row.childDocumentId).map((row) => row.childDocumentId!))];
    if (!changedKeys.length) return;
    const changed = await strapi.db.query(CHILD).findMany({ where: { documentId: { $in: changedKeys }, studentNumberKey: { $notNull: true } }, select: ['documentId', 'idType', 'idNumber', 'countyCode', 'institutionCode', 'studentNumber', 'studentNumberMasked'] });
    for (const child of changed) await reportIdentity(strapi, settings, child, child.studentNumberMasked ?? null, child.studentNumber ?? null);
  };
  strapi.db.lifecycles.subscribe({
    models: [CHILD_EVENT],
    async afterCreate(event: any) {
      await report([event.params?.data ?? {}]);
    },
    async afterCreateMany(event: any) {
      await report(Array.isArray(event.params?.data) ? event.params.data : []);
    },
  } as any);
}

/**
 * After the province's monthly snapshot (plugins/archive-snapshot: saved once per period), its
 * figures go to the nation as a package signed with the province's key, through the outbox, as soon as
 * the snapshot is marked done. Without EXCHANGE_SIGNING_KEY no package is sent (logged).
 */
export function reportSnapshots(strapi: Core.Strapi, settings: ExchangeSettings): void {
  if (settings.role !== 'province') return;
  strapi.db.lifecycles.subscribe({
    models: [SNAPSHOT],
    async afterUpdate(event: any) {
      if (event.params?.data?.state !== 'done' || !event.result?.period) return;
      await reportSnapshot(strapi, settings, event.result);
    },
  } as any);
}

export async function reportSnapshot(strapi: Core.Strapi, settings: ExchangeSettings, snapshot: { period: string; finishedAt?: string | Date | null; summary?: any }): Promise<void> {
  if (settings.role !== 'province') return;
  if (!settings.signingKey) {
    strapi.log.warn(`exchange: EXCHANGE_SIGNING_KEY is not set, the statistics package of ${snapshot.period} is not sent to the nation`);
    return;
  }
  const pkg = packageOfSnapshot(settings.province!, snapshot);
  await enqueue(strapi, upSubject(settings, settings.province!), 'statistics.package', { package: pkg, signature: signPackage(pkg, settings.signingKey) });
}

/** An answer from the nation: a child registered here is also open in another province, or a cross-province transfer's step. */
export async function applyNationalEvent(strapi: Core.Strapi, event: ExchangeEvent): Promise<void> {
  if (event.source !== 'national') throw new Error('exchange: only the national instance answers a province');
  if (event.type.startsWith('transfer.')) return applyTransferEvent(strapi, event);
  if (event.type !== 'national.duplicate') throw new Error(`exchange: unknown national event ${event.type}`);
  const { data } = event;
  const child = await strapi.db.query(CHILD).findOne({ where: { documentId: String(data.childDocumentId) }, select: ['id', 'name', 'countyCode', 'institutionCode'] });
  if (!child) return; // deleted meanwhile (a resolved duplicate): nothing left to mark
  const where = `${data.otherPlace || `${data.otherProvince} 省`}`;
  await openProblemRecord(strapi, child, 'duplicate-with-id', `全国学籍查重：该幼儿在${where}另有学籍（学籍号 ${data.otherStudentNumberMasked ?? '—'}），请与对方区县核实后处理`);
}
