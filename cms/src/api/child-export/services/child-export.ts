/**
 * Exports of children's records (xlsx or csv), streamed page by page so that a province's
 * millions never sit in memory: the rows come from the document service, so the caller's reach
 * applies (access-scope), with the list's filters; ID numbers are masked except for the child's
 * kindergarten and county (the rule of the child service), and every export is recorded.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import { recordExport } from '../../../domain/exports';
import { columns, tableEntries, type Column } from '../../../domain/import/columns';
import { FULL_NUMBER_LEVELS } from '../../child/services/child';
import { toStrapiFilters } from '../../../middlewares/ra-bridge';
import { readDomainConfig } from '../../../runtime/paths';
import { definitionsForReach, displayValue, type Definition } from '../../../domain/custom-fields';

const CHILD = 'api::child.child';
const FORMATS = ['xlsx', 'csv'];
const STATUS: Record<string, string> = { draft: '待审核', registered: '在籍', left: '离园', graduated: '毕业' };
const SEARCH = ['name', 'studentNumber'];

type OutColumn = { header: string; value: (child: any, full: boolean) => unknown };

const pageSize = () => Number(readDomainConfig<Record<string, any>>('imports.json').exportPage) || 1000;

function codeName(table: string | undefined, code: unknown): unknown {
  if (code === null || code === undefined || code === '') return '';
  return tableEntries(table ?? '').find((e) => e.code === code)?.name ?? code;
}

function dayText(value: unknown): string {
  if (!value) return '';
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** A template column as an export column: codes as their Chinese names, numbers masked unless `full`. */
function fromTemplate(column: Column): OutColumn {
  const read = (child: any) => (column.guardian ? child.guardians?.[column.guardian - 1]?.[column.field] : child[column.field]);
  return {
    header: column.header,
    value: (child, full) => {
      if (column.kind === 'class') return child.schoolClass?.name ?? '';
      if (column.kind === 'id') {
        const owner = column.guardian ? child.guardians?.[column.guardian - 1] : child;
        return (full ? owner?.idNumber : owner?.idNumberMasked) ?? '';
      }
      const value = read(child);
      if (column.kind === 'code') return codeName(column.table, value);
      if (column.kind === 'boolean') return value === true ? '是' : value === false ? '否' : '';
      if (column.kind === 'date') return dayText(value);
      return value ?? '';
    },
  };
}

const GRADUATE_FIELDS = ['name', 'sex', 'birthDate', 'ethnicity', 'nationality', 'idType', 'idNumber', 'overseasChinese', 'householdRegion', 'householdType', 'address', 'phone'];

const service = ({ strapi }: { strapi: Core.Strapi }) => {
  const masking = () => strapi.service(CHILD) as any;

  /** The custom fields of the children that concern the caller's reach (custom-fields.ts), one column each. */
  const customColumns = (definitions: Definition[]): OutColumn[] => definitions.map((definition) => ({
    header: definition.label,
    value: (child) => displayValue(definition, child.customFields?.[definition.key]),
  }));

  const listColumns = (custom: Definition[] = []): OutColumn[] => [
    ...columns(strapi).map(fromTemplate),
    ...customColumns(custom),
    { header: '学籍号', value: (child, full) => (full ? child.studentNumber : masking().maskStudentNumber(child).studentNumber) ?? '' },
    { header: '学籍状态', value: (child) => STATUS[child.status] ?? child.status ?? '' },
    { header: '机构标识码', value: (child) => child.institutionCode ?? '' },
    { header: '所属区县代码', value: (child) => child.countyCode ?? '' },
  ];

  /** What the primary-school 学籍 system needs of a graduate, with the 学籍号. */
  const graduateColumns = (): OutColumn[] => {
    const byPath = new Map(columns(strapi).map((c) => [c.path, c]));
    return [
      { header: '学籍号', value: (child, full) => (full ? child.studentNumber : masking().maskStudentNumber(child).studentNumber) ?? '' },
      ...GRADUATE_FIELDS.map((field) => fromTemplate(byPath.get(field)!)),
      ...['name', 'relation', 'idType', 'idNumber', 'phone'].flatMap((field) => [1, 2].map((n) => byPath.get(`guardians.${n - 1}.${field}`)!)).map(fromTemplate),
      { header: '毕业幼儿园机构标识码', value: (child) => child.institutionCode ?? '' },
      { header: '毕业班级', value: (child) => child.schoolClass?.name ?? '' },
      { header: '学年', value: (child) => child.schoolClass?.schoolYear ?? '' },
    ];
  };

  /** The filters of the list: Strapi's `filters[...]` or react-admin's `filter={json}`. */
  async function filtersOf(query: Record<string, any>, auth: unknown): Promise<Record<string, unknown>> {
    let filters: Record<string, unknown> = {};
    if (query.filter) {
      try {
        // custom-field filters (customFilters) are applied by custom-fields.ts, like the list's
        const { customFilters, ...filter } = JSON.parse(String(query.filter)) ?? {};
        filters = toStrapiFilters(filter, SEARCH);
      } catch {
        throw fieldError('filter', '筛选条件格式不正确');
      }
    } else if (query.filters && typeof query.filters === 'object') filters = query.filters;
    // As for the list: no filtering on private attributes (ID numbers, keys), so nothing can be probed.
    const sanitized: any = await strapi.contentAPI.sanitize.query({ filters }, strapi.getModel(CHILD) as any, { auth } as any);
    return (sanitized?.filters ?? {}) as Record<string, unknown>;
  }

  /** Streams the rows of `filters` in pages of the document service (scoped to the caller). */
  async function stream(user: any, options: { kind: string; format: string; filters: Record<string, unknown>; columns: OutColumn[]; ip?: string }) {
    if (!FORMATS.includes(options.format)) throw fieldError('format', '导出格式须为 xlsx 或 csv');
    const reach = strapi.plugin('access-scope').service('scope').reachOf(user);
    if (reach.kind === 'none') throw new errors.ForbiddenError('超出管辖范围');
    const full = FULL_NUMBER_LEVELS.has(user?.level);
    const limit = pageSize();
    // Validate the filters with a first page before the answer starts (a bad filter is a 400, not a broken file).
    // Keyset paging by id: every page is an index range, however deep into a province's millions.
    const pageAfter = (lastId: number) => strapi.documents(CHILD).findMany({
      filters: (lastId ? { $and: [options.filters, { id: { $gt: lastId } }] } : options.filters) as any,
      sort: 'id:asc', limit, populate: { schoolClass: { fields: ['name', 'schoolYear'] }, guardians: true } as any,
    });
    let page: any[];
    try {
      page = await pageAfter(0);
    } catch (error: any) {
      if (error?.name === 'ValidationError' || /invalid key|Undefined attribute/i.test(error?.message ?? '')) throw fieldError('filters', `筛选条件不正确：${error.message}`);
      throw error;
    }
    const out = new PassThrough();
    const headers = options.columns.map((c) => c.header);
    const rowOf = (child: any) => options.columns.map((c) => c.value(child, full));
    const run = async () => {
      let count = 0;
      let writeRow: (values: unknown[]) => Promise<void>;
      let finish: () => Promise<void>;
      if (options.format === 'csv') {
        const cell = (v: unknown) => {
          const text = v === null || v === undefined ? '' : String(v);
          return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${(/^[=+\-@]/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"` : text;
        };
        out.write('\ufeff' + headers.map(cell).join(',') + '\r\n');
        writeRow = async (values) => {
          if (!out.write(values.map(cell).join(',') + '\r\n')) await new Promise((resolve) => out.once('drain', resolve));
        };
        finish = async () => { out.end(); };
      } else {
        const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
        const sheet = workbook.addWorksheet(options.kind === 'graduates' ? '毕业生' : '幼儿信息');
        sheet.columns = headers.map((header) => ({ header, width: Math.max(10, header.length * 2 + 2), style: { numFmt: '@' } }));
        writeRow = async (values) => { sheet.addRow(values.map((v) => (v === null || v === undefined ? '' : v))).commit(); };
        finish = async () => { sheet.commit(); await workbook.commit(); };
      }
      while (page.length) {
        for (const child of page) await writeRow(rowOf(child));
        count += page.length;
        if (page.length < limit) break;
        page = await pageAfter(page[page.length - 1].id);
      }
      await finish();
      await recordExport(strapi, { user, kind: options.kind, format: options.format, filters: options.filters, rowCount: count, fullNumbers: full, ip: options.ip });
    };
    run().catch((error) => {
      strapi.log.error(`child export failed: ${error?.message}`);
      out.destroy(error);
    });
    return out;
  }

  return {
    /** GET /api/child-export?format=xlsx|csv&filters…: the caller's children. */
    async children(user: any, auth: unknown, query: Record<string, any>, ip?: string) {
      const format = String(query.format ?? 'xlsx');
      const custom = await definitionsForReach(strapi, 'child', strapi.plugin('access-scope').service('scope').reachOf(user));
      return { format, body: await stream(user, { kind: 'children', format, filters: await filtersOf(query, auth), columns: listColumns(custom), ip }) };
    },

    /** GET /api/child-export/graduates?schoolYear=2025-2026: graduates for the primary-school 学籍 system. */
    async graduates(user: any, query: Record<string, any>, ip?: string) {
      const schoolYear = String(query.schoolYear ?? '');
      if (!/^\d{4}-\d{4}$/.test(schoolYear) || Number(schoolYear.slice(5)) !== Number(schoolYear.slice(0, 4)) + 1) {
        throw fieldError('schoolYear', '学年须写作 2025-2026');
      }
      const format = String(query.format ?? 'xlsx');
      const filters = { status: { $eq: 'graduated' }, schoolClass: { schoolYear: { $eq: schoolYear } } };
      return { format, body: await stream(user, { kind: 'graduates', format, filters, columns: graduateColumns(), ip }) };
    },
  };
};

export type ChildExportService = ReturnType<typeof service>;
export default service;
