import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { addWorkingDays, calendar, localDate } from './working-days';
import { dictionaries } from './dictionaries';
import { actingUser } from './request-context';
import { newDocumentId } from './document-ids';

export const CHILD = 'api::child.child';
export const CHILD_EVENT = 'api::child-event.child-event';
export const SCHOOL_CLASS = 'api::school-class.school-class';
export const KINDERGARTEN = 'api::kindergarten.kindergarten';

export type EventType =
  | 'enrollment' | 'placement' | 'class-move' | 'promotion' | 'graduation' | 'leaving'
  | 'accidental-leave' | 'restoration' | 'key-change' | 'transfer-out' | 'transfer-in';

/** Child statuses in which the child is in school (and so may be placed, moved, promoted, transferred). */
export const IN_SCHOOL = ['draft', 'registered'];
/** Statuses of a closed 学籍 that a restoration may reopen. */
export const CLOSED = ['left', 'cancelled', 'graduated'];

type Window = { from: string; to: string };
type LifecycleCalendar = { windows: Record<'graduation' | 'promotion' | 'enrollment', Window>; lifecycleDeadlines: { transferWorkingDays: number; accidentalLeaveWorkingDays: number } };

/**
 * Today's local date for the lifecycle's windows and deadlines. Outside production,
 * PRESCHOOL_TODAY=YYYY-MM-DD fixes the clock (tests of windows and deadlines).
 */
export function today(): string {
  const fixed = process.env.PRESCHOOL_TODAY;
  if (fixed && process.env.NODE_ENV !== 'production' && /^\d{4}-\d{2}-\d{2}$/.test(fixed)) return fixed;
  return localDate();
}

function lifecycleCalendar(): LifecycleCalendar {
  return calendar();
}

/** Whether `date` (YYYY-MM-DD) lies in the yearly window (MM-DD, inclusive) of config/calendar.json. */
export function inWindow(kind: 'graduation' | 'promotion' | 'enrollment', date = today()): boolean {
  const window = lifecycleCalendar().windows?.[kind];
  if (!window) return true;
  const day = date.slice(5);
  return window.from <= window.to ? day >= window.from && day <= window.to : day >= window.from || day <= window.to;
}

export function windowOf(kind: 'graduation' | 'promotion' | 'enrollment'): Window | undefined {
  return lifecycleCalendar().windows?.[kind];
}

export function deadlineWorkingDays(kind: 'transfer' | 'accidentalLeave'): number {
  const deadlines = lifecycleCalendar().lifecycleDeadlines ?? { transferWorkingDays: 30, accidentalLeaveWorkingDays: 30 };
  return kind === 'transfer' ? deadlines.transferWorkingDays : deadlines.accidentalLeaveWorkingDays;
}

export function dueDate(start: string, kind: 'transfer' | 'accidentalLeave'): string {
  return addWorkingDays(start, deadlineWorkingDays(kind));
}

/** The grade a class moves up to (classGrade `next`), and whether its children graduate instead. */
export function gradeStep(code: string): { next?: string; graduates: boolean } {
  const found = dictionaries().classGrade?.find((entry) => entry.code === code);
  return { next: typeof found?.next === 'string' ? found.next : undefined, graduates: found?.graduates === true };
}

/** "2026-2027" → "2027-2028". */
export function nextSchoolYear(year: string | null | undefined): string | null {
  const match = /^(\d{4})-(\d{4})$/.exec(year ?? '');
  return match ? `${Number(match[1]) + 1}-${Number(match[2]) + 1}` : year ?? null;
}

export type Actor = { id?: number; username?: string; fullName?: string; level?: string; institutionCode?: string | null } | null | undefined;

export type EventInput = {
  type: EventType;
  child: { documentId: string; name?: string; studentNumber?: string | null; countyCode?: string; institutionCode?: string };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reasonCode?: string | null;
  reason?: string | null;
  occurredOn?: string | null;
  late?: boolean;
  requestId?: string | null;
  transferId?: string | null;
  actor?: Actor;
  /** Where the event happened, when not the child's current place (e.g. the sending side of a transfer). */
  countyCode?: string;
  institutionCode?: string;
};

/** An event's row (attribute → value) for the query engine or a bulk INSERT. */
export function eventRow(input: EventInput, now: Date, mask: (number: string) => string) {
  const actor = input.actor;
  // A G-type 学籍号 carries the resident ID number: kept masked (`mask`: the student-id plugin's one rule).
  const masked = (number: unknown) => (typeof number === 'string' && number ? mask(number) : number ?? null);
  const values = (record: Record<string, unknown> | null | undefined) => (record && 'studentNumber' in record ? { ...record, studentNumber: masked(record.studentNumber) } : record ?? null);
  return {
    documentId: newDocumentId(),
    type: input.type,
    childDocumentId: input.child.documentId,
    childName: input.child.name ?? null,
    studentNumber: masked(input.child.studentNumber),
    before: values(input.before),
    after: values(input.after),
    reasonCode: input.reasonCode ?? null,
    reason: input.reason ?? null,
    occurredOn: input.occurredOn ?? localDate(now),
    late: Boolean(input.late),
    actorId: actor?.id ?? null,
    actorName: actor ? actor.fullName || actor.username || null : '系统',
    occurredAt: now,
    requestId: input.requestId ?? null,
    transferId: input.transferId ?? null,
    countyCode: input.countyCode ?? input.child.countyCode ?? null,
    institutionCode: input.institutionCode ?? input.child.institutionCode ?? null,
    createdAt: now,
    updatedAt: now,
    publishedAt: now,
  };
}

/** How an event shows a 学籍号: masked when it carries a resident ID (plugins/student-id studentNumber.mask). */
export const masker = (strapi: Core.Strapi) => (number: string): string => strapi.plugin('student-id').service('studentNumber').mask(number);

/**
 * Writes events in batches (one INSERT per 100 rows) through the query engine, inside the caller's
 * transaction when there is one: a bulk promotion of 300 children costs 3 statements, not 300.
 */
export async function writeEvents(strapi: Core.Strapi, inputs: EventInput[]): Promise<void> {
  const now = new Date();
  const mask = masker(strapi);
  for (let i = 0; i < inputs.length; i += 100) {
    await strapi.db.query(CHILD_EVENT as any).createMany({ data: inputs.slice(i, i + 100).map((input) => eventRow(input, now, mask)) });
  }
}

/** Writes one event and returns its row (its id, for evidence files). */
export async function writeEvent(strapi: Core.Strapi, input: EventInput): Promise<any> {
  return strapi.db.query(CHILD_EVENT as any).create({ data: eventRow(input, new Date(), masker(strapi)) });
}

/**
 * The history's guards, as a document-service middleware:
 * - events are immutable and written only by the lifecycle (through the query engine): every write
 *   through the document service — create, update, delete, publish… — is refused;
 * - a child created with a class gets its 'enrollment' event (placed in that class), and a class
 *   changed by a direct edit of the record gets a 'class-move' event, so every change is kept.
 */
export function lifecycleMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid === CHILD_EVENT && !['findOne', 'findMany', 'findFirst', 'count'].includes(context.action)) {
      throw new errors.ForbiddenError('学籍档案一经记录不能修改或删除');
    }
    if (context.uid !== CHILD || !['create', 'update'].includes(context.action) || !context.params?.data) return next();
    const creating = context.action === 'create';
    const classChanging = context.params.data.schoolClass !== undefined;
    const before = !creating && classChanging
      ? await strapi.db.query(CHILD).findOne({ where: { documentId: context.params.documentId }, populate: { schoolClass: { select: ['id', 'name', 'grade'] } } })
      : null;
    const result: any = await next();
    if (!result?.documentId || !(creating || classChanging)) return result;
    const after = await strapi.db.query(CHILD).findOne({ where: { documentId: result.documentId }, populate: { schoolClass: { select: ['id', 'documentId', 'name', 'grade'] } } });
    if (!after?.schoolClass) return result;
    if (!creating && before?.schoolClass?.id === after.schoolClass.id) return result;
    await writeEvent(strapi, {
      type: creating ? 'enrollment' : 'class-move',
      child: after,
      before: creating ? null : { className: before?.schoolClass?.name ?? null, grade: before?.schoolClass?.grade ?? null },
      after: { className: after.schoolClass.name, grade: after.schoolClass.grade, status: after.status },
      actor: actingUser(strapi) as Actor,
      occurredOn: creating ? after.enrolledOn ?? undefined : undefined,
    });
    return result;
  };
}
