import crypto from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { SYSTEM } from '../security/can';
import { conflictError, fieldError } from '../utils/validation';
import { CHILD, KINDERGARTEN, dueDate, today, writeEvents, type Actor } from '../domain/lifecycle';
import { newDocumentId } from '../domain/document-ids';
import { transition, type TransitionContext } from '../domain/workflows';
import { enqueue, nationalKey, studentKey, type ExchangeEvent } from './outbox';
import { reportRegistration } from './province';
import { upSubject, type ExchangeSettings } from './settings';

/**
 * Cross-province transfers (跨省转园) through the nation (docs/two-level-deployment.md). The receiving
 * province's kindergarten applies as for any transfer (by 学籍号 or ID number); a child not found in
 * the province is asked for nationally: the nation finds the province that holds the child's open
 * 学籍 (its index) and routes the request there. Both provinces hold the same transfer (same id, same
 * 30-working-day due date, so both flag it overdue), and every step goes through the one transfer
 * machine (config/transitions.json): the sender's kindergarten agrees or refuses; the receiver's
 * completes or cancels; the other side applies the same step as the system when the nation forwards
 * it. On agreement the sender seals the record for the receiver (X25519 + AES-256-GCM to a key only
 * the receiving province can derive): the broker and the nation carry it without reading it. On
 * completion the receiver creates the 学籍 (same 学籍号) and the sender closes its record as 转出;
 * the nation closes the sender's index entry before it indexes the receiver's, so the child is never
 * reported as a duplicate of itself.
 */
export const LINKS = 'api::exchange.transfer-link';
const TRANSFER = 'api::transfer.transfer';
const OPEN = ['requested', 'agreed'];
/** What the sender never puts in the sealed record: derived or system fields (cms/src/domain/child-rules.ts), relations, the status. */
const NOT_CARRIED = new Set(['id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale', 'createdBy', 'updatedBy', 'localizations', 'idKey', 'idNumberMasked', 'pinyinKey', 'studentNumber', 'studentNumberKey', 'studentNumberMasked', 'status', 'countyCode', 'institutionCode', 'schoolClass', 'photo']);

let current: ExchangeSettings | null = null;
/** Set by cms/src/exchange/index.ts at register time. */
export function useTransferSettings(settings: ExchangeSettings): void {
  current = settings;
}
export const crossProvinceEnabled = (): boolean => current?.role === 'province';

// --- sealing: the receiver's per-transfer X25519 key, derived from its province's own key ---
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function receiverKey(settings: ExchangeSettings, transferId: string): crypto.KeyObject {
  if (!settings.signingKey) throw new errors.ValidationError('本省未配置交换密钥（EXCHANGE_SIGNING_KEY），不能办理跨省转园');
  const root = settings.signingKey.export({ format: 'der', type: 'pkcs8' });
  const seed = crypto.createHmac('sha256', root).update(`transfer-seal:${transferId}`).digest();
  return crypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8, seed]), format: 'der', type: 'pkcs8' });
}

export function sealFor(publicKeyBase64: string, transferId: string, value: unknown) {
  const recipient = crypto.createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const ephemeral = crypto.generateKeyPairSync('x25519');
  const key = Buffer.from(crypto.hkdfSync('sha256', crypto.diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), transferId, 'preschool-transfer', 32));
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()]);
  return { ephemeral: ephemeral.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(settings: ExchangeSettings, transferId: string, sealed: any): any {
  const ephemeral = crypto.createPublicKey({ key: Buffer.from(sealed.ephemeral, 'base64'), format: 'der', type: 'spki' });
  const key = Buffer.from(crypto.hkdfSync('sha256', crypto.diffieHellman({ privateKey: receiverKey(settings, transferId), publicKey: ephemeral }), transferId, 'preschool-transfer', 32));
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8'));
}

const linkOf = (strapi: Core.Strapi, transferId: string) => strapi.db.query(LINKS as any).findOne({ where: { transferDocumentId: transferId } });
const up = (strapi: Core.Strapi, type: string, data: Record<string, any>) => enqueue(strapi, upSubject(current!, current!.province!), type, data);
/** Set while a step of the other side is applied here: it is not sent back. */
const fromOtherSide = new AsyncLocalStorage<boolean>();
const step = (action: string, comment?: string | null) => ({ action, actorName: '系统', level: null, at: new Date().toISOString(), comment: comment ?? null });

/**
 * The receiving kindergarten's application for a child its province does not hold (called by the
 * transfer service's apply): the transfer is written here at once, its sending side unknown until
 * the sending province answers, and the request goes up to the nation with the child's national key
 * (never the number itself) and this transfer's public sealing key.
 */
export async function applyAcrossProvinces(strapi: Core.Strapi, user: Actor & { institutionCode?: string | null }, input: Record<string, any>, lookup: { idType?: string; idNumber?: string; studentNumber?: string }): Promise<any> {
  const settings = current!;
  const key = lookup.studentNumber ? studentKey(settings, lookup.studentNumber) : nationalKey(settings, lookup.idType || '1', lookup.idNumber);
  if (!key) return null;
  const to = await strapi.db.query(KINDERGARTEN).findOne({ where: { code: user!.institutionCode }, select: ['name', 'code', 'countyCode'] });
  if (!to) throw new errors.ForbiddenError('本园信息不存在');
  const transferId = newDocumentId();
  const sealKey = crypto.createPublicKey(receiverKey(settings, transferId)).export({ format: 'der', type: 'spki' }).toString('base64');
  const appliedOn = today();
  const actorName = user?.fullName || user?.username || '';
  return strapi.db.transaction(async () => {
    const created = await strapi.db.query(TRANSFER).create({
      data: {
        documentId: transferId, childDocumentId: `remote:${transferId}`, openKey: `remote:${transferId}`, childName: null,
        fromInstitutionCode: '', fromKindergartenName: '外省（待对方省份答复）', fromCountyCode: '',
        toInstitutionCode: to.code, toKindergartenName: to.name, toCountyCode: to.countyCode,
        state: 'requested', reason: input.reason ?? null, appliedOn, dueAt: dueDate(appliedOn, 'transfer'), appliedByName: actorName,
        history: [{ action: 'apply', actorName, level: user?.level ?? null, at: new Date().toISOString(), comment: input.reason ?? null }], version: 1, publishedAt: new Date(),
      },
    });
    await strapi.db.query(LINKS as any).create({ data: { transferDocumentId: transferId, side: 'receiving', otherProvince: null } });
    await up(strapi, 'transfer.requested', {
      transferId, lookup: lookup.studentNumber ? { studentKey: key } : { nationalKey: key }, sealKey,
      to: { institutionCode: to.code, kindergartenName: to.name, countyCode: to.countyCode }, reason: input.reason ?? null, appliedOn, dueAt: created.dueAt, appliedByName: actorName,
    });
    return created;
  });
}

/** Whether a transfer is one side of a cross-province transfer (its link), for the transfer service's completion. */
export async function crossProvinceSide(strapi: Core.Strapi, transferId: string): Promise<any | null> {
  if (!crossProvinceEnabled()) return null;
  return linkOf(strapi, transferId);
}

/**
 * Check of transfer.complete for a cross-province transfer. On the receiving side (a kindergarten's
 * completion): the class, the sealed record opened, no 学籍 with that ID already here. On the sending
 * side (the nation forwarded the receiver's completion; the system acts): the child still here and registered.
 */
export async function checkCrossProvinceCompletion(strapi: Core.Strapi, ctx: TransitionContext, link: any): Promise<void> {
  const { record: transfer, input } = ctx;
  if (link.side === 'sending') {
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: transfer.childDocumentId } });
    if (!child || child.status !== 'registered') throw conflictError('该幼儿的学籍已发生变化，不能完成转园', ['version']);
    Object.assign(ctx.stash, { child, side: 'sending' });
    return;
  }
  const classId = input.schoolClass ?? input.classId;
  const target: any = classId ? await strapi.documents('api::school-class.school-class' as any).findOne({ documentId: String(classId), populate: ['kindergarten'] } as any) : null;
  if (!target?.kindergarten || target.kindergarten.code !== transfer.toInstitutionCode) throw fieldError('schoolClass', '请选择本园已建立的班级');
  if (!link.sealed) throw conflictError('转出省份尚未送达该幼儿的学籍信息，请稍后再试', ['version']);
  const record = unseal(current!, transfer.documentId, link.sealed);
  ctx.data.toClassName = target.name;
  Object.assign(ctx.stash, { target, record, side: 'receiving' });
}

/**
 * Effect of transfer.complete, in its transaction. Receiving side: the 学籍 created in the class
 * with the same 学籍号, its 转入 event, the completion to the nation (before the registration, so
 * the nation closes the sender's entry first). Sending side: the record closed as 转出.
 */
export async function moveAcrossProvinces(strapi: Core.Strapi, ctx: TransitionContext, link: any): Promise<void> {
  const { record: transfer } = ctx;
  if (ctx.stash.side === 'sending') {
    const child = ctx.stash.child;
    const { count } = await strapi.db.query(CHILD).updateMany({ where: { id: child.id, status: 'registered' }, data: { status: 'left' } });
    if (count !== 1) throw conflictError('该幼儿的学籍已发生变化，不能完成转园', ['version']);
    await writeEvents(strapi, [{
      type: 'transfer-out', child, actor: SYSTEM as any, transferId: transfer.documentId, reason: transfer.reason,
      before: { kindergarten: transfer.fromKindergartenName, institutionCode: transfer.fromInstitutionCode }, after: { kindergarten: transfer.toKindergartenName, institutionCode: transfer.toInstitutionCode, province: link.otherProvince },
      countyCode: transfer.fromCountyCode, institutionCode: transfer.fromInstitutionCode,
    } as any]);
    return;
  }
  const { target, record } = ctx.stash;
  const { studentNumber, guardians, ...fields } = record;
  const created: any = await strapi.documents(CHILD as any).create({ data: { ...fields, guardians, schoolClass: target.documentId } } as any);
  const { count } = await strapi.db.query(CHILD).updateMany({ where: { documentId: created.documentId, studentNumber: { $null: true } }, data: { studentNumber, status: 'registered' } });
  if (count !== 1) throw conflictError('该幼儿的学籍号已由他人生成，请刷新', ['studentNumber']);
  const child = await strapi.db.query(CHILD).findOne({ where: { documentId: created.documentId } });
  await strapi.db.query(TRANSFER).update({ where: { id: transfer.id }, data: { childDocumentId: child.documentId } });
  await up(strapi, 'transfer.completed', { transferId: transfer.documentId, senderProvince: link.otherProvince, senderChildId: link.otherChildDocumentId });
  await writeEvents(strapi, [{
    type: 'transfer-in', child, actor: ctx.actor as any, transferId: transfer.documentId, reason: transfer.reason,
    before: { kindergarten: transfer.fromKindergartenName, institutionCode: transfer.fromInstitutionCode, province: link.otherProvince }, after: { kindergarten: transfer.toKindergartenName, institutionCode: transfer.toInstitutionCode, className: target.name, grade: target.grade },
    countyCode: child.countyCode, institutionCode: child.institutionCode,
  } as any]);
  await reportRegistration(strapi, current!, child, studentNumber);
}

/**
 * Steps decided on this side go to the other province through the nation, in the transaction of
 * the step (the transfer machine's guarded UPDATE): the sender's agreement (with the sealed record)
 * or refusal, the receiver's cancellation. Steps applied here as the system are the other side's.
 */
export function reportTransferSteps(strapi: Core.Strapi, settings: ExchangeSettings): void {
  if (settings.role !== 'province') return;
  strapi.db.lifecycles.subscribe({
    models: [TRANSFER],
    async afterUpdateMany(event: any) {
      const state = event.params?.data?.state;
      const id = event.params?.where?.id;
      if (!['agreed', 'refused', 'cancelled'].includes(state) || typeof id !== 'number' || !event.result?.count) return;
      const transfer = await strapi.db.query(TRANSFER).findOne({ where: { id } });
      const link = transfer ? await linkOf(strapi, transfer.documentId) : null;
      if (!link) return;
      if (fromOtherSide.getStore()) return;
      if (link.side === 'sending' && state === 'agreed') {
        const child: any = await strapi.documents(CHILD as any).findOne({ documentId: transfer.childDocumentId, populate: ['guardians'] } as any);
        const full = await strapi.db.query(CHILD).findOne({ where: { documentId: transfer.childDocumentId }, select: ['studentNumber', 'idNumber'] });
        const record: Record<string, any> = { studentNumber: full.studentNumber, idNumber: full.idNumber };
        for (const [key, value] of Object.entries(child ?? {})) if (!NOT_CARRIED.has(key) && key !== 'guardians' && value !== null && value !== undefined && key !== 'idNumber') record[key] = value;
        const guardianRows = await strapi.db.query(CHILD).findOne({ where: { documentId: transfer.childDocumentId }, populate: { guardians: true } });
        record.guardians = (guardianRows?.guardians ?? []).map(({ id: _id, idKey: _k, idNumberMasked: _m, __component: _c, ...guardian }: any) => guardian);
        await up(strapi, 'transfer.agreed', { transferId: transfer.documentId, receiverProvince: link.otherProvince, sealed: sealFor(link.sealKey, transfer.documentId, record) });
      } else if (link.side === 'sending' && state === 'refused') {
        await up(strapi, 'transfer.refused', { transferId: transfer.documentId, receiverProvince: link.otherProvince, reason: transfer.refusalReason ?? null });
      } else if (link.side === 'receiving' && state === 'cancelled' && link.otherProvince) {
        await up(strapi, 'transfer.cancelled', { transferId: transfer.documentId, senderProvince: link.otherProvince });
      }
    },
  } as any);
}

/** A step of the other side, forwarded by the nation, applied here through the transfer machine as the system. */
async function applyStep(strapi: Core.Strapi, transferId: string, action: 'agree' | 'refuse' | 'cancel' | 'complete', input: Record<string, any> = {}): Promise<void> {
  const transfer = await strapi.db.query(TRANSFER).findOne({ where: { documentId: transferId } });
  if (!transfer || !OPEN.includes(transfer.state)) return; // already closed here (a decision crossed on the way)
  await fromOtherSide.run(true, () => transition(strapi, { machine: 'transfer', action, actor: SYSTEM as any, record: transfer, input }));
}

/** The nation's transfer events to this province. */
export async function applyTransferEvent(strapi: Core.Strapi, event: ExchangeEvent): Promise<void> {
  const { data } = event;
  const transferId = String(data.transferId ?? '');
  if (!transferId) throw new Error(`exchange: ${event.type} without a transfer`);
  switch (event.type) {
    case 'transfer.requested': return openOutgoing(strapi, data);
    case 'transfer.opened': {
      // the sending side is known: the receiver sees what a transfer shows before completion
      const transfer = await strapi.db.query(TRANSFER).findOne({ where: { documentId: transferId } });
      if (!transfer) return;
      await strapi.db.query(TRANSFER).update({
        where: { id: transfer.id },
        data: { childName: data.childName ?? null, idNumberMasked: data.idNumberMasked ?? null, studentNumberMasked: data.studentNumberMasked ?? null, fromInstitutionCode: data.fromInstitutionCode, fromKindergartenName: data.fromKindergartenName, fromCountyCode: data.fromCountyCode },
      });
      await strapi.db.query(LINKS as any).update({ where: { transferDocumentId: transferId }, data: { otherProvince: data.senderProvince, otherChildDocumentId: data.senderChildId ?? null } });
      return;
    }
    case 'transfer.agreed': {
      const link = await linkOf(strapi, transferId);
      if (!link) return;
      await strapi.db.query(LINKS as any).update({ where: { id: link.id }, data: { sealed: data.sealed } });
      return applyStep(strapi, transferId, 'agree');
    }
    case 'transfer.refused': return applyStep(strapi, transferId, 'refuse', { refusalReason: data.reason || '对方省份未同意转出', comment: data.reason || '对方省份未同意转出' });
    case 'transfer.cancelled': return applyStep(strapi, transferId, 'cancel');
    case 'transfer.completed': return applyStep(strapi, transferId, 'complete');
    default: throw new Error(`exchange: unknown transfer event ${event.type}`);
  }
}

/** The sending province gets a request: the transfer written here (same id and due date), or refused at once. */
async function openOutgoing(strapi: Core.Strapi, data: Record<string, any>): Promise<void> {
  const transferId = String(data.transferId);
  if (await linkOf(strapi, transferId)) return;
  const refuse = (reason: string) => up(strapi, 'transfer.refused', { transferId, receiverProvince: data.receiverProvince, reason });
  const child = await strapi.db.query(CHILD).findOne({ where: { documentId: String(data.childDocumentId) } });
  if (!child || child.status !== 'registered') return refuse('该幼儿在转出省份没有在读的学籍');
  const open = await strapi.db.query(TRANSFER).findOne({ where: { childDocumentId: child.documentId, state: { $in: OPEN } }, select: ['id'] });
  if (open) return refuse('该幼儿已有办理中的转园申请');
  const from = await strapi.db.query(KINDERGARTEN).findOne({ where: { code: child.institutionCode }, select: ['name', 'code', 'countyCode'] });
  await strapi.db.query(TRANSFER).create({
    data: {
      documentId: transferId, childDocumentId: child.documentId, openKey: child.documentId, childName: child.name,
      idNumberMasked: child.idNumberMasked ?? null, studentNumberMasked: child.studentNumberMasked ?? null,
      fromInstitutionCode: child.institutionCode, fromKindergartenName: from?.name ?? null, fromCountyCode: child.countyCode,
      toInstitutionCode: data.to?.institutionCode, toKindergartenName: data.to?.kindergartenName, toCountyCode: data.to?.countyCode,
      state: 'requested', reason: data.reason ?? null, appliedOn: data.appliedOn, dueAt: data.dueAt, appliedByName: data.appliedByName ?? null,
      history: [{ ...step('apply', data.reason), actorName: data.appliedByName ?? '外省接收幼儿园' }], version: 1, publishedAt: new Date(),
    },
  });
  await strapi.db.query(LINKS as any).create({ data: { transferDocumentId: transferId, side: 'sending', otherProvince: data.receiverProvince, otherChildDocumentId: null, sealKey: data.sealKey } });
  await up(strapi, 'transfer.opened', {
    transferId, receiverProvince: data.receiverProvince, senderChildId: child.documentId, childName: child.name, idNumberMasked: child.idNumberMasked ?? null, studentNumberMasked: child.studentNumberMasked ?? null,
    fromInstitutionCode: child.institutionCode, fromKindergartenName: from?.name ?? null, fromCountyCode: child.countyCode,
  });
}
