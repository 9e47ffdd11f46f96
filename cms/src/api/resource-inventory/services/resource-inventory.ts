/**
 * 玩教具与图书 (docs/safety-and-resources.md): a kindergarten's inventory for a school year (books in
 * volumes, toys by the categories of config/resources.json), one per kindergarten and year (a unique
 * index decides a race), and its shortfalls against the per-child minimums — per kindergarten
 * and summed per county, inside the caller's reach (children counted in SQL by the access scope's
 * `whereSql`).
 */
import { factories } from '@strapi/strapi';
import { readDomainConfig } from '../../../runtime/paths';
import { checkRows, readImportFile } from '../../../domain/import/rows';
import type { Column } from '../../../domain/import/columns';
import { errors } from '@strapi/utils';
import { conflictError, fieldError, fieldsError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';
import { assertAllowed } from '../../../security/can';
import { qualifiedTable } from '../../../runtime/tables';
import { localDate } from '../../../domain/working-days';
import { resourcesConfig, schoolYearOf, shortfallsOf, type Shortfall } from '../../../domain/safety';
import { regionNames } from '../../safety-inspection/services/safety-inspection';

const INVENTORY = 'api::resource-inventory.resource-inventory';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const UNIQUE = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);
const YEAR = /^(\d{4})-(\d{4})$/;

/** The counts of an inventory, checked: 400 naming `books` or `toys.<category>`. */
export function checkInventory(data: Record<string, any>, partial = false) {
  const problems: { field: string; message: string }[] = [];
  const result: Record<string, unknown> = {};
  const count = (value: unknown) => (value === '' || value === null || value === undefined ? NaN : Number(value));
  if (!partial || data.schoolYear !== undefined) {
    const m = YEAR.exec(String(data.schoolYear ?? ''));
    if (!m || Number(m[2]) !== Number(m[1]) + 1) problems.push({ field: 'schoolYear', message: '学年须为 YYYY-YYYY（如 2026-2027）' });
    else result.schoolYear = data.schoolYear;
  }
  if (!partial || data.books !== undefined) {
    const books = count(data.books);
    if (!Number.isInteger(books) || books < 0) problems.push({ field: 'books', message: '图书册数须为不小于 0 的整数' });
    else result.books = books;
  }
  if (!partial || data.toys !== undefined) {
    const toys = data.toys ?? {};
    if (typeof toys !== 'object' || Array.isArray(toys)) problems.push({ field: 'toys', message: '玩教具须按类别填写数量' });
    else {
      const categories = resourcesConfig().toyCategories;
      const clean: Record<string, number> = {};
      for (const key of Object.keys(toys)) if (!categories.some((c) => c.key === key)) problems.push({ field: `toys.${key}`, message: `玩教具类别「${key}」不在配备标准中` });
      for (const category of categories) {
        if (toys[category.key] === undefined || toys[category.key] === '') { clean[category.key] = 0; continue; }
        const n = count(toys[category.key]);
        if (!Number.isInteger(n) || n < 0) problems.push({ field: `toys.${category.key}`, message: `${category.name}数量须为不小于 0 的整数` });
        else clean[category.key] = n;
      }
      result.toys = clean;
    }
  }
  if (data.notes !== undefined) result.notes = data.notes === null ? null : String(data.notes).slice(0, 2000);
  if (problems.length) throw fieldsError(problems);
  return result;
}

const isUnique = (error: any) => UNIQUE.has(error?.code ?? error?.cause?.code) || /resource_inventories__institution_year__unique|UNIQUE constraint failed: resource_inventories/.test(String(error?.message ?? ''));

export default factories.createCoreService(INVENTORY, ({ strapi }) => ({
  /** POST /api/resource-inventories: the kindergarten's own inventory of a school year. */
  async record(user: any, input: any) {
    const scope = accessScope(strapi);
    const code = scope.institutionOf(scope.reachOf(user));
    if (!code || user?.level !== 'institution') throw new errors.ForbiddenError('玩教具与图书由幼儿园填报');
    await assertAllowed(strapi, user, 'api::resource-inventory.resource-inventory.create');
    const data = input && typeof input === 'object' ? input : {};
    const values = checkInventory(data);
    const kindergarten: any = await strapi.documents(KINDERGARTEN).findFirst({ filters: { code }, fields: ['code', 'name', 'countyCode'] } as any);
    if (!kindergarten) throw new errors.NotFoundError('Not Found');
    const existing = await strapi.db.query(INVENTORY).findOne({ where: { institutionCode: code, schoolYear: values.schoolYear }, select: ['id'] });
    if (existing) throw conflictError(`本园 ${values.schoolYear} 学年的玩教具与图书已填报，请修改原记录`, ['schoolYear']);
    try {
      const created: any = await strapi.documents(INVENTORY).create({
        data: { ...values, kindergartenName: kindergarten.name, institutionCode: kindergarten.code, countyCode: kindergarten.countyCode, ...(data.customFields !== undefined ? { customFields: data.customFields } : {}) } as any,
      });
      return this.show(created.documentId);
    } catch (error) {
      if (isUnique(error)) throw conflictError(`本园 ${values.schoolYear} 学年的玩教具与图书已填报，请修改原记录`, ['schoolYear']);
      throw error;
    }
  },

  /** PUT /api/resource-inventories/:id: the counts (the year and the kindergarten stay). */
  async change(user: any, documentId: string, input: any) {
    await assertAllowed(strapi, user, 'api::resource-inventory.resource-inventory.update');
    const data = input && typeof input === 'object' ? input : {};
    if (data.schoolYear !== undefined) {
      const stored: any = await strapi.documents(INVENTORY).findOne({ documentId });
      if (stored && stored.schoolYear !== data.schoolYear) throw fieldError('schoolYear', '学年不能修改：请填报新学年的记录');
    }
    const { schoolYear, ...values } = checkInventory(data, true);
    await strapi.documents(INVENTORY).update({ documentId, data: { ...values, ...(data.customFields !== undefined ? { customFields: data.customFields } : {}) } as any });
    return this.show(documentId);
  },

  /**
   * POST /api/resource-inventories/import (multipart `file`, .xlsx): the kindergarten's inventories,
   * one row per school year, in the columns of the export (机构标识码, 学年, 图书（册）, each
   * category); the workbook is checked as a whole by the shared import reader
   * (cms/src/domain/import/rows.ts, workbook.ts: not an xlsx, too large, formulas, merged cells,
   * missing columns), every row by checkInventory; all rows are written (created or updated) or none.
   */
  async importFile(user: any, file: any) {
    const scope = accessScope(strapi);
    const code = scope.institutionOf(scope.reachOf(user));
    if (!code || user?.level !== 'institution') throw new errors.ForbiddenError('玩教具与图书由幼儿园填报');
    await assertAllowed(strapi, user, 'api::resource-inventory.resource-inventory.import');
    const labels = readDomainConfig<any>('labels.json')['resource-inventory'];
    const columns: Column[] = [
      { path: 'institutionCode', field: 'institutionCode', kind: 'text', header: labels.institutionCode, required: false },
      { path: 'schoolYear', field: 'schoolYear', kind: 'text', header: labels.schoolYear, required: true },
      { path: 'books', field: 'books', kind: 'text', header: labels.books, required: true },
      { path: 'notes', field: 'notes', kind: 'text', header: labels.notes, required: false },
      ...resourcesConfig().toyCategories.map((c) => ({ path: `toys.${c.key}`, field: c.key, kind: 'text' as const, header: `${c.name}（${c.unit}）`, required: false })),
    ];
    const sheet = await readImportFile(file, columns, { maxRows: 1000 });
    const headers = new Map(columns.map((c) => [c.path, c.header]));
    const years = new Map<string, number>();
    const { values: checked, problems } = await checkRows(sheet, (path) => headers.get(path) ?? labels[path], (row) => {
      if (row.cells.institutionCode && row.cells.institutionCode !== code) throw fieldError('institutionCode', `只能导入本园（${code}）的记录`);
      const toys = Object.fromEntries(Object.entries(row.cells).filter(([path]) => path.startsWith('toys.')).map(([path, value]) => [path.slice(5), value]));
      const values = checkInventory({ schoolYear: row.cells.schoolYear, books: row.cells.books, toys, ...(row.cells.notes ? { notes: row.cells.notes } : {}) });
      const year = String(values.schoolYear);
      const first = years.get(year);
      years.set(year, first ?? row.row);
      if (first !== undefined) throw fieldError('schoolYear', `与第 ${first} 行重复`);
      return values;
    });
    const rows = checked.map((item) => item.value);
    if (problems.length) throw fieldsError(problems);
    const kindergarten: any = await strapi.documents(KINDERGARTEN).findFirst({ filters: { code }, fields: ['code', 'name', 'countyCode'] } as any);
    let created = 0;
    let updated = 0;
    await strapi.db.transaction(async () => {
      for (const values of rows) {
        const existing: any = await strapi.documents(INVENTORY).findFirst({ filters: { institutionCode: code, schoolYear: values.schoolYear } } as any);
        if (existing) {
          const { schoolYear, ...counts } = values;
          await strapi.documents(INVENTORY).update({ documentId: existing.documentId, data: counts as any });
          updated += 1;
        } else {
          await strapi.documents(INVENTORY).create({ data: { ...values, kindergartenName: kindergarten.name, institutionCode: code, countyCode: kindergarten.countyCode } as any });
          created += 1;
        }
      }
    });
    return { created, updated, total: rows.length };
  },

  async show(documentId: string) {
    const record: any = await strapi.documents(INVENTORY).findOne({ documentId });
    if (!record) throw new errors.NotFoundError('Not Found');
    return record;
  },

  /** Children counted against the minimums, per kindergarten of the caller's reach (config/resources.json countedStatuses). */
  async childrenPerKindergarten(): Promise<Map<string, number>> {
    const scope = accessScope(strapi);
    const query = strapi.db.connection(qualifiedTable(strapi, 'children')).select('institution_code').count({ n: '*' })
      .whereIn('status', resourcesConfig().countedStatuses).groupBy('institution_code');
    scope.whereSql(query, scope.currentReach(), 'api::child.child');
    const rows: any[] = await query;
    return new Map(rows.map((row) => [row.institution_code, Number(row.n)]));
  },

  /**
   * GET /api/resource-inventories/shortfalls?schoolYear=2026-2027: each kindergarten of the reach
   * (its children, its inventory or none, each line required / have / shortfall, flagged), and per
   * county the sums.
   */
  async shortfalls(query: any) {
    const schoolYear = query?.schoolYear === undefined ? schoolYearOf(localDate()) : String(query.schoolYear);
    const m = YEAR.exec(schoolYear);
    if (!m || Number(m[2]) !== Number(m[1]) + 1) throw fieldError('schoolYear', '学年须为 YYYY-YYYY（如 2026-2027）');
    const kindergartens = (await strapi.documents(KINDERGARTEN).findMany({ fields: ['code', 'name', 'countyCode'], filters: { status: { $ne: 'closed' } }, sort: 'code:asc', limit: 100000 } as any)) as any[];
    const inventories = (await strapi.documents(INVENTORY).findMany({ filters: { schoolYear }, limit: 1000000 } as any)) as any[];
    const byCode = new Map(inventories.map((inv) => [inv.institutionCode, inv]));
    const children = await this.childrenPerKindergarten();
    const rows = kindergartens.map((k) => {
      const inventory = byCode.get(k.code);
      const count = children.get(k.code) ?? 0;
      const lines: Shortfall[] = shortfallsOf(count, inventory?.books ?? 0, inventory?.toys);
      return {
        code: k.code, name: k.name, countyCode: k.countyCode, children: count, reported: Boolean(inventory), inventoryId: inventory?.documentId ?? null,
        lines, flagged: !inventory || lines.some((line) => line.shortfall > 0),
      };
    });
    const counties = new Map<string, any>();
    for (const row of rows) {
      const sum = counties.get(row.countyCode) ?? { countyCode: row.countyCode, kindergartens: 0, reported: 0, flagged: 0, children: 0, lines: {} as Record<string, { have: number; required: number; shortfall: number }> };
      sum.kindergartens += 1;
      sum.reported += row.reported ? 1 : 0;
      sum.flagged += row.flagged ? 1 : 0;
      sum.children += row.children;
      for (const line of row.lines) {
        const total = (sum.lines[line.key] ??= { have: 0, required: 0, shortfall: 0 });
        total.have += line.have;
        total.required += line.required;
        total.shortfall += line.shortfall;
      }
      counties.set(row.countyCode, sum);
    }
    const names = await regionNames(strapi, [...counties.keys()]);
    return {
      schoolYear,
      minimums: { books: resourcesConfig().books, toyCategories: resourcesConfig().toyCategories },
      kindergartens: rows,
      counties: [...counties.values()].sort((a, b) => a.countyCode.localeCompare(b.countyCode)).map((c) => ({ ...c, countyName: names.get(c.countyCode) ?? c.countyCode })),
    };
  },
}));
