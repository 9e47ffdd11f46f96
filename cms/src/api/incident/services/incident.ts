/**
 * 意外事故 (docs/safety-and-resources.md): reported by the kindergarten (its own; `late` when the
 * report comes after config/safety.json incidents.reportWithinHours), reviewed by its county through
 * config/transitions.json machine `incident` (review | return; the kindergarten resubmits with
 * its corrections), counted by type and severity in the safety summary.
 */
import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { actionsFor, transition } from '../../../domain/workflows';
import { fieldError, fieldsError } from '../../../utils/validation';
import { regionNames } from '../../safety-inspection/services/safety-inspection';
import { accessScope } from '../../../domain/request-context';
import { assertAllowed } from '../../../security/can';
import { reportedLate, safetyConfig } from '../../../domain/safety';

const INCIDENT = 'api::incident.incident';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const EDITABLE = ['occurredAt', 'type', 'severity', 'place', 'description', 'injured', 'measures'];

/** The reported values, checked: 400 naming each field. `partial`: only the fields given (a resubmission). */
export function checkIncident(data: Record<string, any>, partial = false, now = new Date()) {
  const problems: { field: string; message: string }[] = [];
  const config = safetyConfig().incidents;
  const given = (field: string) => !partial || data[field] !== undefined;
  const result: Record<string, unknown> = {};
  if (given('occurredAt')) {
    const at = new Date(String(data.occurredAt ?? ''));
    if (!data.occurredAt || Number.isNaN(at.getTime())) problems.push({ field: 'occurredAt', message: '事故发生时间必填，须为有效时间' });
    else if (at.getTime() > now.getTime() + 60_000) problems.push({ field: 'occurredAt', message: '事故发生时间不能晚于现在' });
    else result.occurredAt = at;
  }
  if (given('type')) {
    if (!config.types.some((t) => t.code === data.type)) problems.push({ field: 'type', message: `事故类型须为：${config.types.map((t) => t.name).join('、')}` });
    else result.type = data.type;
  }
  if (given('severity')) {
    if (!config.severities.some((s) => s.code === data.severity)) problems.push({ field: 'severity', message: `严重程度须为：${config.severities.map((s) => s.name).join('、')}` });
    else result.severity = data.severity;
  }
  if (given('description')) {
    const text = String(data.description ?? '').trim();
    if (!text) problems.push({ field: 'description', message: '事故经过必填' });
    else if (text.length > 4000) problems.push({ field: 'description', message: '事故经过不能超过 4000 字' });
    else result.description = text;
  }
  if (given('injured') && data.injured !== undefined && data.injured !== null && data.injured !== '') {
    const n = Number(data.injured);
    if (!Number.isInteger(n) || n < 0) problems.push({ field: 'injured', message: '受伤人数须为不小于 0 的整数' });
    else result.injured = n;
  }
  for (const field of ['place', 'measures']) {
    if (data[field] !== undefined) result[field] = data[field] === null ? null : String(data[field]).slice(0, field === 'place' ? 100 : 4000);
  }
  if (problems.length) throw fieldsError(problems);
  return result;
}

export default factories.createCoreService(INCIDENT, ({ strapi }) => ({
  /** POST /api/incidents: a kindergarten reports an accident of its own. */
  async report(user: any, input: any) {
    const scope = accessScope(strapi);
    const code = scope.institutionOf(scope.reachOf(user));
    if (!code || user?.level !== 'institution') throw new errors.ForbiddenError('意外事故由发生事故的幼儿园报告');
    await assertAllowed(strapi, user, 'api::incident.incident.create');
    const data = input && typeof input === 'object' ? input : {};
    const values = checkIncident(data);
    const kindergarten: any = await strapi.documents(KINDERGARTEN).findFirst({ filters: { code }, fields: ['code', 'name', 'countyCode'] } as any);
    if (!kindergarten) throw new errors.NotFoundError('Not Found');
    const created: any = await this.write(kindergarten, values, data.customFields);
    return this.show(user, created.documentId);
  },

  /** Checked values (checkIncident) stored as reported now, `late` by the report deadline: the API's and the Excel import's write. */
  async write(kindergarten: { code: string; name: string; countyCode: string }, values: Record<string, unknown>, customFields?: unknown) {
    const reportedAt = new Date();
    return strapi.documents(INCIDENT).create({
      data: {
        ...values, reportedAt, late: reportedLate(values.occurredAt as Date, reportedAt), state: 'reported', history: [], version: 1,
        kindergartenName: kindergarten.name, institutionCode: kindergarten.code, countyCode: kindergarten.countyCode,
        ...(customFields !== undefined ? { customFields } : {}),
      } as any,
    });
  },

  async decorate(user: any, data: any) {
    const list = Array.isArray(data) ? data : data ? [data] : [];
    const actions = await actionsFor(strapi, 'incident', user, list);
    list.forEach((record, i) => { record.actions = actions[i]; });
  },

  async show(user: any, documentId: string) {
    const record: any = await strapi.documents(INCIDENT).findOne({ documentId });
    if (!record) throw new errors.NotFoundError('Not Found');
    await this.decorate(user, record);
    return record;
  },

  /** A move of the machine `incident` (config/transitions.json) by the caller. */
  async move(user: any, documentId: string, action: string, input: Record<string, any>) {
    const inReach: any = await strapi.documents(INCIDENT).findOne({ documentId: String(documentId) });
    if (!inReach) throw new errors.NotFoundError('Not Found');
    const record = await strapi.db.query(INCIDENT).findOne({ where: { id: inReach.id } });
    await transition(strapi, { machine: 'incident', action, actor: user, record, input: input ?? {} });
    return this.show(user, documentId);
  },

  /**
   * GET /api/incidents/summary?from=YYYY-MM-DD&to=YYYY-MM-DD (occurrence dates, both optional): per
   * county of the caller's reach, incidents by type and by severity, late reports, awaiting review.
   */
  async summary(query: any) {
    const day = /^\d{4}-\d{2}-\d{2}$/;
    const filters: any[] = [];
    for (const [field, op] of [['from', '$gte'], ['to', '$lt']] as const) {
      if (query?.[field] === undefined) continue;
      if (!day.test(String(query[field])) || Number.isNaN(Date.parse(String(query[field]))) || !new Date(`${query[field]}T00:00:00Z`).toISOString().startsWith(String(query[field]))) throw fieldError(field, '日期须为 YYYY-MM-DD');
      const at = new Date(`${query[field]}T00:00:00+08:00`);
      if (field === 'to') at.setUTCDate(at.getUTCDate() + 1);
      filters.push({ occurredAt: { [op]: at.toISOString() } });
    }
    const rows = (await strapi.documents(INCIDENT).findMany({ fields: ['countyCode', 'type', 'severity', 'late', 'state'], filters: filters.length ? { $and: filters } : {}, limit: 1000000 } as any)) as any[];
    const config = safetyConfig().incidents;
    const empty = () => ({ total: 0, late: 0, awaitingReview: 0, byType: Object.fromEntries(config.types.map((t) => [t.code, 0])), bySeverity: Object.fromEntries(config.severities.map((s) => [s.code, 0])) });
    const byCounty = new Map<string, any>();
    const total = empty();
    for (const row of rows) {
      const sum = byCounty.get(row.countyCode) ?? empty();
      for (const target of [sum, total]) {
        target.total += 1;
        target.late += row.late ? 1 : 0;
        target.awaitingReview += row.state === 'reported' ? 1 : 0;
        target.byType[row.type] = (target.byType[row.type] ?? 0) + 1;
        target.bySeverity[row.severity] = (target.bySeverity[row.severity] ?? 0) + 1;
      }
      byCounty.set(row.countyCode, sum);
    }
    const names = await regionNames(strapi, [...byCounty.keys()]);
    return {
      types: config.types, severities: config.severities, total,
      counties: [...byCounty.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([countyCode, sum]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...sum })),
    };
  },

  /** Check of `resubmit`: the corrected values (only those given), written with the move. */
  async checkResubmission(ctx: any) {
    const values = checkIncident(Object.fromEntries(EDITABLE.filter((f) => ctx.input[f] !== undefined).map((f) => [f, ctx.input[f]])), true);
    Object.assign(ctx.data, values);
    if (values.occurredAt) ctx.data.late = reportedLate(values.occurredAt as Date, new Date(ctx.record.reportedAt));
  },
}));
