/**
 * 安全检查 (docs/safety-and-resources.md): an inspection against the checklist of config/safety.json,
 * by the kindergarten itself (self, monthly) or by its county (county, per term), created with its
 * findings in one transaction. Each failed item has at least one finding; a finding needing
 * rectification gets a deadline in working days and is tracked by the transition engine
 * (config/transitions.json machine safety-finding). Coverage: the kindergartens of the caller's
 * reach without a self-inspection in a month, or without a county inspection in a term.
 */
import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError, fieldsError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';
import { assertAllowed } from '../../../security/can';
import { localDate } from '../../../domain/working-days';
import { INSPECTION_KINDS, INSPECTION_RESULTS, checklistItems, periodOf, rectificationDeadline, safetyConfig, termOf, type InspectionKind } from '../../../domain/safety';

const INSPECTION = 'api::safety-inspection.safety-inspection';
const FINDING = 'api::safety-finding.safety-finding';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const RESULTS = INSPECTION_RESULTS.map((r) => r.code);
const isDay = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

export default factories.createCoreService(INSPECTION, ({ strapi }) => ({
  /** The kindergarten inspected: a kindergarten's own, or one of the county's (found inside the caller's reach). */
  async kindergartenFor(user: any, kind: InspectionKind, given: unknown) {
    const scope = accessScope(strapi);
    const own = scope.institutionOf(scope.reachOf(user));
    const code = own ?? (typeof given === 'string' ? given.trim() : '');
    if (!code) throw fieldError('kindergarten', '请选择被检查的幼儿园');
    const found: any = await strapi.documents(KINDERGARTEN).findFirst({ filters: { $or: [{ code }, { documentId: code }] }, fields: ['code', 'name', 'countyCode'] } as any);
    if (!found) throw fieldError('kindergarten', '幼儿园不存在或不在管辖范围内');
    return found;
  },

  /** POST /api/safety-inspections: the inspection and its findings, all or nothing. */
  async record(user: any, input: any) {
    const prepared = await this.prepare(user, input);
    const created: any = await strapi.db.transaction(() => this.write(prepared));
    return strapi.documents(INSPECTION).findOne({ documentId: created.documentId, populate: { findings: true } } as any);
  },

  /**
   * An inspection checked as it will be stored (400 naming each field; 403 for the wrong level or
   * without the permission): the API's check and the Excel import's (cms/src/domain/import/safety-import.ts).
   */
  async prepare(user: any, input: any) {
    const data = input && typeof input === 'object' ? input : {};
    const kind = data.kind as InspectionKind;
    if (!INSPECTION_KINDS.includes(kind)) throw fieldError('kind', '检查类型须为幼儿园自查（self）或县级检查（county）');
    const declared = safetyConfig().inspections[kind];
    if (user?.level !== declared.level) throw new errors.ForbiddenError(`${declared.name}由${declared.level === 'county' ? '县级教育部门' : '幼儿园'}填报`);
    await assertAllowed(strapi, user, 'api::safety-inspection.safety-inspection.create');
    const problems: { field: string; message: string }[] = [];
    const today = localDate();
    if (!isDay(data.inspectedOn)) problems.push({ field: 'inspectedOn', message: '检查日期须为有效日期（YYYY-MM-DD）' });
    else if (data.inspectedOn > today) problems.push({ field: 'inspectedOn', message: '检查日期不能晚于今天' });
    if (!String(data.inspectorName ?? '').trim()) problems.push({ field: 'inspectorName', message: '检查人必填' });
    const items = checklistItems();
    const results = data.results && typeof data.results === 'object' && !Array.isArray(data.results) ? data.results : null;
    if (!results) problems.push({ field: 'results', message: '请逐项填写检查结果' });
    else {
      for (const key of Object.keys(results)) if (!items.has(key)) problems.push({ field: `results.${key}`, message: `检查项「${key}」不在检查清单中` });
      for (const [key, item] of items) {
        if (!RESULTS.includes(results[key])) problems.push({ field: `results.${key}`, message: `「${item.name}」的结果须为合格、不合格或不适用` });
      }
    }
    const findings = Array.isArray(data.findings) ? data.findings : [];
    if (data.findings !== undefined && !Array.isArray(data.findings)) problems.push({ field: 'findings', message: '隐患须为列表' });
    findings.forEach((finding: any, i: number) => {
      const item = items.get(String(finding?.itemKey ?? ''));
      if (!item) problems.push({ field: `findings.${i}.itemKey`, message: '隐患须对应检查清单中的一项' });
      else if (results?.[item.key] !== 'fail') problems.push({ field: `findings.${i}.itemKey`, message: `「${item.name}」未判为不合格，不能登记隐患` });
      if (!String(finding?.description ?? '').trim()) problems.push({ field: `findings.${i}.description`, message: '隐患描述必填' });
      if (finding?.severity !== undefined && !safetyConfig().severities.some((s) => s.code === finding.severity)) problems.push({ field: `findings.${i}.severity`, message: '隐患等级须为重大隐患或一般隐患' });
    });
    if (results) {
      for (const [key, item] of items) {
        if (results[key] === 'fail' && !findings.some((f: any) => f?.itemKey === key)) problems.push({ field: `results.${key}`, message: `「${item.name}」不合格，须登记隐患` });
      }
    }
    if (problems.length) throw fieldsError(problems);
    const kindergarten = await this.kindergartenFor(user, kind, data.kindergarten);
    return { kind, data, results, findings, kindergarten };
  },

  /** A prepared inspection and its findings created (inside the caller's transaction). */
  async write({ kind, data, results, findings, kindergarten }: any) {
    const items = checklistItems();
    const failed = [...items.keys()].filter((key) => results[key] === 'fail').length;
    const inspection: any = await strapi.documents(INSPECTION).create({
      data: {
        kind, inspectedOn: data.inspectedOn, period: periodOf(kind, data.inspectedOn), inspectorName: String(data.inspectorName).trim(),
        results, failedCount: failed, summary: data.summary ?? null, kindergartenName: kindergarten.name,
        institutionCode: kindergarten.code, countyCode: kindergarten.countyCode,
        ...(data.customFields !== undefined ? { customFields: data.customFields } : {}),
      } as any,
    });
    for (const finding of findings) {
      const item = items.get(finding.itemKey)!;
      const severity = finding.severity ?? item.severity;
      const needs = finding.needsRectification !== false;
      await strapi.documents(FINDING).create({
        data: {
          inspection: inspection.documentId, itemKey: item.key, section: item.section, severity, description: String(finding.description).trim(),
          needsRectification: needs, state: needs ? 'open' : 'noted', deadline: needs ? rectificationDeadline(data.inspectedOn, severity) : null,
          history: [], version: 1, kindergartenName: kindergarten.name, institutionCode: kindergarten.code, countyCode: kindergarten.countyCode,
        } as any,
      });
    }
    return inspection;
  },

  /**
   * GET /api/safety-inspections/coverage?month=YYYY-MM: per county of the caller's reach, the
   * kindergartens without a self-inspection that month and without a county inspection that term.
   */
  async coverage(query: any) {
    const month = typeof query?.month === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(query.month) ? query.month : localDate().slice(0, 7);
    if (query?.month !== undefined && query.month !== month) throw fieldError('month', '月份须为 YYYY-MM');
    const term = termOf(`${month}-01`);
    const kindergartens = (await strapi.documents(KINDERGARTEN).findMany({ fields: ['code', 'name', 'countyCode'], filters: { status: { $ne: 'closed' } }, limit: 100000 } as any)) as any[];
    const inspections = (await strapi.documents(INSPECTION).findMany({ fields: ['institutionCode', 'kind', 'period'], filters: { period: { $in: [month, term] } }, limit: 1000000 } as any)) as any[];
    const selfDone = new Set(inspections.filter((i) => i.kind === 'self' && i.period === month).map((i) => i.institutionCode));
    const countyDone = new Set(inspections.filter((i) => i.kind === 'county' && i.period === term).map((i) => i.institutionCode));
    const byCounty = new Map<string, any>();
    for (const k of kindergartens) {
      const row = byCounty.get(k.countyCode) ?? { countyCode: k.countyCode, kindergartens: 0, selfInspected: 0, countyInspected: 0, missingSelf: [] as any[], missingCounty: [] as any[] };
      row.kindergartens += 1;
      if (selfDone.has(k.code)) row.selfInspected += 1; else row.missingSelf.push({ code: k.code, name: k.name });
      if (countyDone.has(k.code)) row.countyInspected += 1; else row.missingCounty.push({ code: k.code, name: k.name });
      byCounty.set(k.countyCode, row);
    }
    const names = await regionNames(strapi, [...byCounty.keys()]);
    return {
      month, term,
      counties: [...byCounty.values()].sort((a, b) => a.countyCode.localeCompare(b.countyCode)).map((row) => ({ ...row, countyName: names.get(row.countyCode) ?? row.countyCode, missingSelfCount: row.missingSelf.length, missingCountyCount: row.missingCounty.length })),
    };
  },
}));

export async function regionNames(strapi: any, codes: string[]): Promise<Map<string, string>> {
  const rows = codes.length ? await strapi.db.query('api::region.region').findMany({ where: { code: { $in: codes } }, select: ['code', 'name'] }) : [];
  return new Map(rows.map((r: any) => [r.code, r.name]));
}
