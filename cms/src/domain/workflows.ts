import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { readDomainConfig } from '../runtime/paths';
import { calendar } from './working-days';
import { levelOf } from './levels';
import { ownerLevelOf, reviewerLevelOf } from './project-rules';
import { SYSTEM, assertAllowed, isAllowed } from '../security/can';
import { conflictError, fieldError } from '../utils/validation';
import { accessScope } from './request-context';

export type Step = 'submit' | 'resubmit' | 'return' | 'approve' | 'reject';

export type Workflow = {
  key: string;
  name: string;
  nameEn: string;
  subject: string;
  fields: string[];
  required: string[];
  submitters: string[];
  reviewer: string;
  dueWorkingDays: number;
  apply: 'update' | 'create' | 'none';
  target?: string;
  /** apply 'create': the target's field that receives the subject's documentId (e.g. an aid grant's childId). */
  subjectField?: string;
  /** A named effect, '<service uid>#<method>', whose method(workflow, request, actor) writes the approval's effect instead of `apply` (e.g. the 学籍 lifecycle's). */
  effect?: string;
  /** The users-permissions action the reviewer must hold for the effect to be written (cms/src/security/can.ts). */
  effectPermission?: string;
  evidence?: boolean;
  subjectUpdates?: Partial<Record<Step, Record<string, unknown>>>;
  /** The subject's state machine (config/transitions.json) and the transition each step takes on it. */
  subjectMachine?: string;
  subjectTransitions?: Partial<Record<Step, string>>;
  /** Named validators of the proposed values (cms/src/domain/proposal-checks.ts). */
  checks?: string[];
  /** The request is a notice, not a review, when the proposed `field`'s entry of `dictionary` says review false. */
  notice?: { field: string; dictionary: string };
  /** Fields of the subject an approval writes, each from a proposed value through a table (a declaration's kind → the status). */
  sets?: Record<string, { from: string; values: Record<string, unknown> }>;
  /** The subject's fields that change only through this workflow (cms/src/domain/governed-fields.ts). */
  governs?: Governance;
};

export type Governance = {
  fields?: string[];
  when?: Record<string, unknown>;
  via?: string;
  message?: string;
  /** The rule holds for writes without a user too (jobs, scripts), not only for users' requests. */
  system?: boolean;
};

let cached: Record<string, Workflow> | undefined;
let withDeadlines: { deadlines: Record<string, number>; workflows: Record<string, Workflow> } | undefined;

/** The workflow declarations of config/workflows.json, as declared. */
export function declaredWorkflows(): Record<string, Workflow> {
  if (!cached) {
    const { $comment, ...declared } = readDomainConfig<Record<string, any>>('workflows.json');
    cached = Object.fromEntries(Object.entries(declared).map(([key, value]) => [key, { required: [], ...value, key } as Workflow]));
  }
  return cached;
}

/** The workflows in force: review deadlines edited by the province (calendar reviewDeadlines) over the declared ones. */
export function workflows(): Record<string, Workflow> {
  const deadlines = calendar().reviewDeadlines ?? {};
  if (withDeadlines?.deadlines === deadlines) return withDeadlines.workflows;
  const result = Object.fromEntries(Object.entries(declaredWorkflows()).map(([key, wf]) =>
    [key, typeof deadlines[key] === 'number' ? { ...wf, dueWorkingDays: deadlines[key] } : wf]));
  withDeadlines = { deadlines, workflows: result };
  return result;
}

export function workflow(key: unknown): Workflow | undefined {
  return typeof key === 'string' ? workflows()[key] : undefined;
}

/** The content types that workflows change; their fields under review are locked. */
export function subjectTypes(): Set<string> {
  return new Set(Object.values(workflows()).map((w) => w.subject));
}

/** The subject's fields a workflow governs (config/workflows.json `governs`): its own, by default those it sets, else its proposable fields. */
export function governedFields(wf: Workflow): string[] {
  if (!wf.governs) return [];
  return wf.governs.fields ?? (wf.sets ? Object.keys(wf.sets) : wf.fields);
}

/** Key fields: those a workflow both lets a user propose and governs (the key-change workflows' fields). */
export function keyFields(subject: string): string[] {
  return Object.values(declaredWorkflows()).filter((w) => w.subject === subject).flatMap((w) => governedFields(w).filter((field) => w.fields.includes(field)));
}

/* ───────────────────────── the one transition engine ───────────────────────── */

/** A transition as declared in config/transitions.json. */
export type TransitionDeclaration = {
  name: string;
  from: string[];
  /** The state reached; a list when a named check chooses among them (ctx.to). */
  to: string | string[];
  actor: string;
  refusal: string;
  permission: string[];
  comment?: 'required';
  commentField?: string;
  commentMessage?: string;
  stale?: string | Record<string, string>;
  set?: Record<string, unknown>;
  checks?: string[];
  effect?: string;
  /** For moves a request's decision drives: the workflow (config/workflows.json) whose reviewer the actor rule means. */
  workflow?: string;
};

export type Machine = {
  key: string;
  name: string;
  model: string;
  state: string;
  version?: boolean;
  history?: string;
  states: string[];
  conflict: string;
  transitions: Record<string, TransitionDeclaration>;
};

/** Who takes a transition: a user, or the system (jobs, scripts) — cms/src/security/can.ts SYSTEM. */
export type TransitionActor = Record<string, any> | typeof SYSTEM | null | undefined;

/** What a check, an actor rule and an effect see; checks may add `data` to write, choose `to` and keep `stash` for the effect. */
export type TransitionContext = {
  strapi: Core.Strapi;
  machine: Machine;
  action: string;
  transition: TransitionDeclaration;
  actor: TransitionActor;
  record: any;
  records: any[];
  input: Record<string, any>;
  comment: string;
  data: Record<string, unknown>;
  to?: string;
  stash: Record<string, any>;
};

export type TransitionRequest = {
  machine: string;
  action: string;
  actor: TransitionActor;
  /** The stored record (a row of the query engine: id, state, version, history), loaded inside the caller's reach. */
  record?: any;
  /** Several records moved together by one guarded UPDATE (a graduation of a kindergarten). */
  records?: any[];
  input?: Record<string, any>;
  /** Fields the caller writes with the move (e.g. a resubmission's proposal). */
  data?: Record<string, unknown>;
  stash?: Record<string, any>;
};

let machinesCache: Record<string, Machine> | undefined;

/** The state machines of config/transitions.json. */
export function machines(): Record<string, Machine> {
  if (!machinesCache) {
    const { $comment, ...declared } = readDomainConfig<Record<string, any>>('transitions.json');
    machinesCache = Object.fromEntries(Object.entries(declared).map(([key, value]) => [key, { ...value, key } as Machine]));
  }
  return machinesCache;
}

export function machine(key: string): Machine {
  const found = machines()[key];
  if (!found) throw new Error(`unknown state machine ${key} (config/transitions.json)`);
  return found;
}

const isSystem = (actor: TransitionActor): actor is typeof SYSTEM => actor === SYSTEM;
const user = (actor: TransitionActor): Record<string, any> | null => (actor && !isSystem(actor) ? actor : null);
/** The kindergarten a user acts for: its own account (reach institution); a teacher's account acts for none. */
const kindergartenOf = (strapi: Core.Strapi, actor: TransitionActor): string | null => {
  const u = user(actor);
  if (!u) return null;
  const scope = accessScope(strapi);
  return scope.institutionOf(scope.reachOf(u as any));
};
const ownerLevel = (record: any): string => record.ownerLevel ?? (record.regionCode ? ownerLevelOf(String(record.regionCode)) : '');
const reviewerOf = (ctx: TransitionContext, record: any): string | undefined => workflow(ctx.transition.workflow ?? record?.type)?.reviewer;

/**
 * The actor rules a declaration names (config/transitions.json `actor`): who may take a transition
 * on this record. The record was loaded inside the caller's reach (plugins/access-scope); these say
 * which of those who reach it act.
 */
export const ACTOR_RULES: Record<string, (ctx: TransitionContext, record: any) => boolean> = {
  /** The level that reviews the request's workflow (or the declaration's `workflow`). */
  'workflow-reviewer': (ctx, record) => Boolean(user(ctx.actor)?.level) && user(ctx.actor)!.level === reviewerOf(ctx, record),
  /** A level that submits the request's workflow. */
  'workflow-submitter': (ctx, record) => Boolean(workflow(record?.type)?.submitters.includes(user(ctx.actor)?.level ?? '')),
  /** The kindergarten a transfer leaves (it agrees or refuses). */
  'sending-kindergarten': (ctx, record) => kindergartenOf(ctx.strapi, ctx.actor) !== null && kindergartenOf(ctx.strapi, ctx.actor) === record.fromInstitutionCode,
  /** The kindergarten a transfer goes to (it applied; it cancels or completes). */
  'receiving-kindergarten': (ctx, record) => kindergartenOf(ctx.strapi, ctx.actor) !== null && kindergartenOf(ctx.strapi, ctx.actor) === record.toInstitutionCode,
  /** The kindergarten the record belongs to (a child, a problem record). */
  'subject-kindergarten': (ctx, record) => user(ctx.actor)?.level === 'institution' && kindergartenOf(ctx.strapi, ctx.actor) === record.institutionCode,
  /** The county the record belongs to. */
  'subject-county': (ctx, record) => user(ctx.actor)?.level === 'county' && user(ctx.actor)?.regionCode === record.countyCode,
  /** The level and region owning the record (a project). */
  owner: (ctx, record) => user(ctx.actor)?.level === ownerLevel(record) && user(ctx.actor)?.regionCode === record.regionCode,
  /** The level above the record's owning level (projects and monthly reports are reviewed by it). */
  'level-above-owner': (ctx, record) => Boolean(user(ctx.actor)?.level) && user(ctx.actor)!.level === reviewerLevelOf(ownerLevel(record)),
  /** A kindergarten's account writing the child (the write's own path checked which child), or the system. */
  'child-writer': (ctx) => user(ctx.actor)?.level === 'institution',
};

/** A named check or effect: '<service uid>#<method>', called with the transition's context. */
async function runNamed(ctx: TransitionContext, name: string): Promise<void> {
  const [uid, method] = name.split('#');
  const service: any = ctx.strapi.service(uid as any);
  if (typeof service?.[method] !== 'function') throw new Error(`unknown check or effect ${name} (config/transitions.json)`);
  await service[method](ctx);
}

const actorName = (actor: TransitionActor) => (isSystem(actor) || !actor ? '系统' : actor.fullName || actor.username || '');

function refusalOf(ctx: TransitionContext, record: any): string {
  const reviewer = reviewerOf(ctx, record);
  return ctx.transition.refusal.replace('{reviewer}', levelOf(reviewer)?.name ?? reviewer ?? '');
}

function staleMessage(ctx: TransitionContext, state: string): string {
  const stale = ctx.transition.stale;
  if (typeof stale === 'string') return stale;
  return stale?.[state] ?? stale?.['*'] ?? ctx.machine.conflict;
}

function valueOf(ctx: TransitionContext, value: unknown): unknown {
  if (value === '$now') return new Date();
  if (value === '$comment') return ctx.comment || null;
  if (value === '$actorName') return actorName(ctx.actor);
  return value;
}

/** Whether the actor rule lets `actor` take `action` on `record` (the state aside). */
export function actorMay(strapi: Core.Strapi, machineKey: string, action: string, actor: TransitionActor, record: any): boolean {
  const m = machine(machineKey);
  const declared = m.transitions[action];
  if (!declared) return false;
  if (isSystem(actor)) return true;
  const rule = ACTOR_RULES[declared.actor];
  const ctx = { strapi, machine: m, action, transition: declared, actor, record, records: [record], input: {}, comment: '', data: {}, stash: {} };
  return Boolean(rule?.(ctx, record));
}

/**
 * The transitions `actor` may take on each record now: the state allows it, the actor rule admits
 * the actor, and the role holds the permission (by the permission matrix, asked once per action).
 * Records carry these as `actions`; the panel shows these buttons and no others.
 */
export async function actionsFor(strapi: Core.Strapi, machineKey: string, actor: TransitionActor, records: any[]): Promise<string[][]> {
  const m = machine(machineKey);
  const permitted = new Map<string, boolean>();
  for (const [action, declared] of Object.entries(m.transitions)) {
    if (!records.some((record) => declared.from.includes(record?.[m.state]))) continue;
    let ok = true;
    for (const permission of declared.permission) ok = ok && (await isAllowed(strapi, actor as any, permission));
    permitted.set(action, ok);
  }
  return records.map((record) => Object.entries(m.transitions)
    .filter(([action, declared]) => permitted.get(action) && declared.from.includes(record?.[m.state]) && actorMay(strapi, machineKey, action, actor, record))
    .map(([action]) => action));
}

/**
 * The one guarded transition (docs/transition-engine.md). In order: the actor rule (403 with the
 * declaration's refusal), the permission (cms/src/security/can.ts, 403 naming the matrix cell), the
 * comment where required (400), the state (409), the named checks; then, in one transaction, one
 * UPDATE that moves the record only if it is still in a `from` state (and at the expected version,
 * where the machine keeps one) — of two callers at once exactly one wins, the other gets 409 — with
 * the history entry, followed by the named effect. Returns the context (checks' and effect's stash).
 */
export async function transition(strapi: Core.Strapi, request: TransitionRequest): Promise<TransitionContext> {
  const m = machine(request.machine);
  const declared = m.transitions[request.action];
  if (!declared) throw new errors.NotFoundError('Not Found');
  const records = request.records ?? (request.record ? [request.record] : []);
  if (!records.length) throw new errors.NotFoundError('Not Found');
  const input = request.input ?? {};
  const ctx: TransitionContext = {
    strapi, machine: m, action: request.action, transition: declared, actor: request.actor, record: records[0], records, input,
    comment: String(input.comment ?? (declared.commentField ? input[declared.commentField] : undefined) ?? input.reason ?? '').trim(),
    data: { ...(request.data ?? {}) }, stash: { ...(request.stash ?? {}) },
  };
  if (!isSystem(request.actor)) {
    const rule = ACTOR_RULES[declared.actor];
    if (!rule) throw new Error(`unknown actor rule ${declared.actor} (config/transitions.json)`);
    const refused = records.find((record) => !rule(ctx, record));
    if (refused) throw new errors.ForbiddenError(refusalOf(ctx, refused));
  }
  await assertAllowed(strapi, request.actor as any, ...declared.permission);
  if (declared.comment === 'required' && !ctx.comment) throw fieldError(declared.commentField ?? 'comment', declared.commentMessage ?? '请填写意见');
  const stale = records.find((record) => !declared.from.includes(record[m.state]));
  if (stale) throw conflictError(staleMessage(ctx, stale[m.state]), [m.version ? 'version' : m.state]);
  for (const check of declared.checks ?? []) await runNamed(ctx, check);
  const to = Array.isArray(declared.to) ? ctx.to : declared.to;
  if (!to || (Array.isArray(declared.to) && !declared.to.includes(to))) throw new Error(`transition ${m.key}.${request.action}: no state chosen`);
  ctx.to = to;
  const set = Object.fromEntries(Object.entries(declared.set ?? {}).map(([field, value]) => [field, valueOf(ctx, value)]));
  const u = user(request.actor);
  const entry = { action: request.action, actorId: u?.id ?? null, actorName: actorName(request.actor), level: u?.level ?? null, at: new Date().toISOString(), comment: ctx.comment || null };
  await strapi.db.transaction(async () => {
    if (records.length === 1 && (m.version || m.history)) {
      const record = records[0];
      const given = input.version;
      const version = m.version ? (given !== undefined && given !== null && Number.isInteger(Number(given)) ? Number(given) : record.version) : undefined;
      const { count } = await strapi.db.query(m.model as any).updateMany({
        where: { id: record.id, [m.state]: { $in: declared.from }, ...(m.version ? { version } : {}) },
        data: {
          [m.state]: to, ...set, ...ctx.data,
          ...(m.history ? { [m.history]: [...(record[m.history] ?? []), entry] } : {}),
          ...(m.version ? { version: (version as number) + 1 } : {}),
        },
      });
      if (count !== 1) throw conflictError(m.conflict, [m.version ? 'version' : m.state]);
    } else {
      // Several records (or one without version and history): one guarded UPDATE per 500; all move or none.
      const ids = records.map((record) => record.id);
      let moved = 0;
      for (let i = 0; i < ids.length; i += 500) {
        moved += (await strapi.db.query(m.model as any).updateMany({ where: { id: { $in: ids.slice(i, i + 500) }, [m.state]: { $in: declared.from } }, data: { [m.state]: to, ...set, ...ctx.data } })).count;
      }
      if (moved !== ids.length) throw conflictError(records.length > 1 ? staleMessage(ctx, '*') : m.conflict, [m.state]);
    }
    if (declared.effect) await runNamed(ctx, declared.effect);
  });
  return ctx;
}
