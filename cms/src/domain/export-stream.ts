/**
 * How a list leaves the system as a file (xlsx or csv) — one place for every list export
 * (children, kindergartens, staff):
 * - the list's filters (Strapi's `filters[...]`, or the panel's react-admin `filter={json}` with
 *   the bridge's search fields), sanitised as the list's (no filtering on private attributes);
 *   custom-field filters are added by custom-fields.ts, as for the list;
 * - rows from the document service, so the caller's reach applies (access-scope), keyset pages by
 *   id, streamed (exceljs WorkbookWriter; CSV with a UTF-8 BOM); cells as sheet-cells.ts writes them
 *   (identifiers as text, dates as dates, widths fitted to the first page; in CSV, a tab before what a
 *   spreadsheet would turn into a number or a formula);
 * - Chinese headings (config/labels.json), codes as their Chinese names (config/dictionaries.json),
 *   private attributes left out unless a column says how to show them (masked ID numbers);
 * - the active custom fields of the entity that concern the caller's reach as extra columns;
 * - every export recorded by `recordExport` (exports.ts) once its rows are written, before the
 *   file's end, so that a finished download always has its record.
 */
import { PassThrough } from 'node:stream';
import { excel } from '../runtime/excel';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../utils/validation';
import { readDomainConfig } from '../runtime/paths';
import { toStrapiFilters } from '../middlewares/ra-bridge';
import { recordExport } from './exports';
import { rewriteStudentNumberFilters } from '../security/student-numbers';
import { entry, yesNoName } from './dictionaries';
import { definitionsForReach, displayValue, type Definition, type Entity } from './custom-fields';
import { DATE_FORMAT, TEXT_FORMAT, csvCell, dateCell, fitWidth } from './sheet-cells';

export const EXPORT_FORMATS = ['xlsx', 'csv'];
const CONTENT_TYPES: Record<string, string> = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' };
/** Attribute types that are not a cell (relations, JSON, components, media). */
const NOT_CELLS = new Set(['relation', 'json', 'component', 'dynamiczone', 'media', 'blocks']);

/**
 * A column of an export: its heading and how a record reads in it (`full`: the caller sees full ID
 * numbers); `date`: the value is a day (YYYY-MM-DD), written as a date cell in xlsx.
 */
export type OutColumn = { header: string; value: (record: any, full: boolean) => unknown; date?: boolean };
/** A file (`body`), or, for a large list export, the job that will make it (`job`: answered 202). */
export type ExportResult = { format: string; body?: NodeJS.ReadableStream; job?: Record<string, unknown> };

/** Rows per page (config/imports.json `exportPage`). */
export const exportPageSize = () => Number(readDomainConfig<Record<string, any>>('imports.json').exportPage) || 1000;

/** A code as its Chinese name in `table` (the code itself when the table does not know it). */
export function codeName(table: string | undefined, code: unknown): unknown {
  if (code === null || code === undefined || code === '') return '';
  return entry(table ?? '', code)?.name ?? code;
}

/** A date (or datetime) as YYYY-MM-DD. */
export function dayText(value: unknown): string {
  if (!value) return '';
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

export const yesNo = (value: unknown) => (value === true || value === false ? yesNoName(value) : '');

/** One column per custom field (custom-fields.ts), headed by its label. */
export function customColumns(definitions: Definition[]): OutColumn[] {
  return definitions.map((definition) => ({
    header: definition.label,
    value: (record) => displayValue(definition, record.customFields?.[definition.key]),
    date: definition.type === 'date',
  }));
}

/**
 * The columns of a content type's own attributes, in the order of its `labels.json` section, headed
 * by those labels: `tables` names the code table of coded fields, `names` the Chinese names of
 * enumerations without a table, `override` how a field reads instead. Private attributes are left
 * out unless overridden (which then decides what is shown, e.g. a masked number); relations and
 * JSON are never cells.
 */
export function attributeColumns(strapi: Core.Strapi, uid: string, labelsKey: string, options: {
  tables?: Record<string, string>;
  names?: Record<string, Record<string, string>>;
  override?: Record<string, OutColumn['value']>;
} = {}): OutColumn[] {
  const labels = readDomainConfig<Record<string, Record<string, string>>>('labels.json')[labelsKey] ?? {};
  const attributes: Record<string, any> = (strapi.getModel(uid as any) as any).attributes;
  const result: OutColumn[] = [];
  for (const [field, header] of Object.entries(labels)) {
    const attribute = attributes[field];
    const own = options.override?.[field];
    if (!attribute || NOT_CELLS.has(attribute.type) || (attribute.private && !own)) continue;
    const table = options.tables?.[field];
    const names = options.names?.[field];
    const read: OutColumn['value'] = own
      ?? (table ? (r) => codeName(table, r[field])
        : names ? (r) => names[r[field]] ?? r[field] ?? ''
          : attribute.type === 'date' || attribute.type === 'datetime' ? (r) => dayText(r[field])
            : attribute.type === 'boolean' ? (r) => yesNo(r[field])
              : (r) => r[field] ?? '');
    result.push({ header, value: read, date: !own && !table && !names && (attribute.type === 'date' || attribute.type === 'datetime') });
  }
  return result;
}

/** The search fields of a list (`q`), as the bridge's configuration (cms/config/middlewares.ts) gives them. */
function searchFields(strapi: Core.Strapi, resource: string): string[] {
  const middlewares = (strapi.config.get('middlewares') ?? []) as any[];
  const bridge = middlewares.find((m) => m && typeof m === 'object' && m.name === 'global::ra-bridge');
  return bridge?.config?.search?.[resource] ?? [];
}

/** The filters of the list: Strapi's `filters[...]` or react-admin's `filter={json}`, sanitised as the list's. */
export async function listFilters(strapi: Core.Strapi, uid: string, resource: string, query: Record<string, any>, auth: unknown): Promise<Record<string, unknown>> {
  let filters: Record<string, unknown> = {};
  if (query.filter) {
    try {
      // custom-field filters (customFilters) are applied by custom-fields.ts, like the list's
      const { customFilters, ...filter } = JSON.parse(String(query.filter)) ?? {};
      filters = toStrapiFilters(filter, searchFields(strapi, resource));
    } catch {
      throw fieldError('filter', '筛选条件格式不正确');
    }
  } else if (query.filters && typeof query.filters === 'object') filters = query.filters;
  // 学籍号: the full number only, through its blind index; a partial match is a 400 (security/student-numbers.ts)
  filters = (await rewriteStudentNumberFilters(strapi, filters)) as Record<string, unknown>;
  // As for the list: no filtering on private attributes (ID numbers, keys), so nothing can be probed.
  const sanitized: any = await strapi.contentAPI.sanitize.query({ filters }, strapi.getModel(uid as any) as any, { auth } as any);
  return (sanitized?.filters ?? {}) as Record<string, unknown>;
}

export type StreamOptions = {
  uid: string;
  /** The export record's kind ('children', 'kindergartens', 'staff', 'graduates'). */
  kind: string;
  sheet: string;
  format: string;
  filters: Record<string, unknown>;
  columns: OutColumn[];
  populate?: unknown;
  /** Whether the caller sees full ID numbers (recorded with the export). */
  fullNumbers?: boolean;
  /** Adds what the columns read beyond the record to a page (e.g. names of codes), before it is written. */
  preparePage?: (page: any[]) => Promise<void>;
  ip?: string;
  /** Called after each page is written, with the rows written so far (an export job's progress). */
  onPage?: (written: number) => Promise<void>;
};

/** Streams the rows of `filters` in keyset pages of the document service (scoped to the caller); records the export. */
export async function streamExport(strapi: Core.Strapi, user: any, options: StreamOptions): Promise<PassThrough> {
  if (!EXPORT_FORMATS.includes(options.format)) throw fieldError('format', '导出格式须为 xlsx 或 csv');
  const reach = strapi.plugin('access-scope').service('scope').reachOf(user);
  if (reach.kind === 'none') throw new errors.ForbiddenError('超出管辖范围');
  const full = Boolean(options.fullNumbers);
  const limit = exportPageSize();
  // Keyset paging by id: every page is an index range, however deep into a province's millions.
  const pageAfter = async (lastId: number) => {
    const page = await strapi.documents(options.uid as any).findMany({
      filters: (lastId ? { $and: [options.filters, { id: { $gt: lastId } }] } : options.filters) as any,
      sort: 'id:asc', limit, ...(options.populate ? { populate: options.populate as any } : {}),
    });
    await options.preparePage?.(page);
    return page as any[];
  };
  // Validate the filters with a first page before the answer starts (a bad filter is a 400, not a broken file).
  let page: any[];
  try {
    page = await pageAfter(0);
  } catch (error: any) {
    if (error?.name === 'ValidationError' || /invalid key|Undefined attribute/i.test(error?.message ?? '')) throw fieldError('filters', `筛选条件不正确：${error.message}`);
    throw error;
  }
  const out = new PassThrough();
  const rowOf = (record: any) => options.columns.map((c) => c.value(record, full));
  const run = async () => {
    let count = 0;
    const writer = options.format === 'csv' ? csvWriter(out, options.columns) : xlsxWriter(out, options.columns, options.sheet, page.map(rowOf));
    while (page.length) {
      for (const record of page) await writer.row(rowOf(record));
      count += page.length;
      await options.onPage?.(count);
      if (page.length < limit) break;
      page = await pageAfter(page[page.length - 1].id);
    }
    // recorded before the file's last bytes: when the answer has ended, the record is there
    await recordExport(strapi, { user, kind: options.kind, format: options.format, filters: options.filters, rowCount: count, fullNumbers: full, ip: options.ip });
    await writer.finish();
  };
  run().catch((error) => {
    strapi.log.error(`${options.kind} export failed: ${error?.message}`);
    out.destroy(error);
  });
  return out;
}

type Writer = { row: (values: unknown[]) => Promise<void>; finish: () => Promise<void> };

/**
 * CSV for Excel, WPS and LibreOffice: a UTF-8 BOM, CRLF, quoted cells; days as YYYY-MM-DD; a cell a
 * spreadsheet would turn into a number that loses digits or zeros, or into a formula, starts with a
 * tab (sheet-cells.ts csvCell), which the import trims.
 */
function csvWriter(out: PassThrough, columns: OutColumn[]): Writer {
  out.write('\ufeff' + columns.map((c) => csvCell(c.header)).join(',') + '\r\n');
  return {
    row: async (values) => {
      if (!out.write(values.map(csvCell).join(',') + '\r\n')) await new Promise((resolve) => out.once('drain', resolve));
    },
    finish: async () => { out.end(); },
  };
}

/**
 * One streamed worksheet: text columns as text cells (ID numbers and codes keep every digit and
 * their leading zeros), day columns as date cells, widths fitted to the headings and the first page
 * (the column widths are written before the first row), the heading row frozen.
 */
function xlsxWriter(out: PassThrough, columns: OutColumn[], sheetName: string, firstRows: unknown[][]): Writer {
  const workbook = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column, i) => ({
    header: column.header,
    width: column.date ? fitWidth(column.header, ['2000-01-01']) : fitWidth(column.header, firstRows.map((row) => row[i])),
    style: { numFmt: column.date ? DATE_FORMAT : TEXT_FORMAT },
  }));
  sheet.getRow(1).font = { bold: true };
  const dates = columns.map((column) => Boolean(column.date));
  return {
    row: async (values) => {
      sheet.addRow(values.map((v, i) => (v === null || v === undefined ? '' : dates[i] ? dateCell(v) : v))).commit();
    },
    finish: async () => { sheet.commit(); await workbook.commit(); },
  };
}

/** What a list export declares: its content type, list resource, columns and rules. */
export type ListExportSpec = {
  uid: string;
  entity: Entity;
  /** The list's resource (`/api/<resource>`), whose search fields `q` uses. */
  resource: string;
  kind: string;
  sheet: string;
  /** The columns, given the custom fields' columns (placed where the export wants them). */
  columns: (strapi: Core.Strapi, custom: OutColumn[]) => OutColumn[];
  fullNumbers?: (user: any) => boolean;
  populate?: unknown;
  preparePage?: (strapi: Core.Strapi, page: any[]) => Promise<void>;
};

/** Runs a list export of `spec` for `user` with filters already sanitised: the file's stream (the small and the queued exports alike). */
export async function runListExport(strapi: Core.Strapi, spec: ListExportSpec, user: any, options: { format: string; filters: Record<string, unknown>; ip?: string; onPage?: StreamOptions['onPage'] }) {
  const reach = strapi.plugin('access-scope').service('scope').reachOf(user);
  const custom = customColumns(await definitionsForReach(strapi, spec.entity, reach));
  return streamExport(strapi, user, {
    uid: spec.uid, kind: spec.kind, sheet: spec.sheet, format: options.format, filters: options.filters,
    columns: spec.columns(strapi, custom), populate: spec.populate,
    fullNumbers: spec.fullNumbers?.(user) ?? false,
    preparePage: spec.preparePage && ((page) => spec.preparePage!(strapi, page)),
    ip: options.ip, onPage: options.onPage,
  });
}

/** How a list export may become a job (given by its controller, listExportController). */
export type QueueVia = { source: string; action: string; title: string; path: string; query: Record<string, unknown> };

/**
 * The export of a list: `(user, auth, query, ip, via)` → the file's format and stream. With `via`,
 * an export of more rows than config/imports.json `exportJobAboveRows` (counted in the caller's
 * reach with the list's filters) is queued as a job instead (cms/src/api/export-job): the same
 * filters, exporter, masking and export record, run by any instance. `spec` is kept on the function
 * for the job's instance.
 */
export function listExporter(strapi: Core.Strapi, spec: ListExportSpec) {
  const exporter = async (user: any, auth: unknown, query: Record<string, any>, ip?: string, via?: QueueVia): Promise<ExportResult> => {
    const format = String(query.format ?? 'xlsx');
    if (!EXPORT_FORMATS.includes(format)) throw fieldError('format', '导出格式须为 xlsx 或 csv');
    const filters = await listFilters(strapi, spec.uid, spec.resource, query, auth);
    const jobs = strapi.service('api::export-job.export-job' as any) as any;
    const above = via ? jobs.aboveRows() : 0;
    if (above > 0 && strapi.plugin('access-scope').service('scope').reachOf(user).kind !== 'none') {
      const total = await strapi.documents(spec.uid as any).count({ filters: filters as any });
      if (total > above) {
        const job = await jobs.queue({ ...via!, kind: spec.kind, format, filters, total, user, ip });
        return { format, job };
      }
    }
    return { format, body: await runListExport(strapi, spec, user, { format, filters, ip }) };
  };
  return Object.assign(exporter, { spec });
}

/** Answers a file: attachment named `<name>.<format>`, its content type, the stream as body. */
export function sendExport(ctx: any, name: string, result: ExportResult) {
  if (result.job) {
    // a large export: queued; the user polls the job and downloads its file when it is done
    ctx.status = 202;
    ctx.set('Location', String(result.job.poll));
    ctx.body = { data: result.job };
    return;
  }
  ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${name}.${result.format}`)}`);
  ctx.type = CONTENT_TYPES[result.format];
  ctx.body = result.body;
}

/** The controller of a list export: `GET /api/<name>?format=xlsx|csv&filters[...]` (or `filter={json}`), by `method` of `serviceUid`. */
export function listExportController(serviceUid: string, title: string, method = 'export') {
  return ({ strapi }: { strapi: Core.Strapi }) => ({
    async export(ctx: any) {
      const service = strapi.service(serviceUid as any) as any;
      // the route's action (config/roles.json) is asked again when the export runs as a job
      const via: QueueVia = { source: `${serviceUid}.${method}`, action: `${serviceUid}.export`, title, path: ctx.path, query: { ...ctx.query } };
      sendExport(ctx, `${title}-${new Date().toISOString().slice(0, 10)}`, await service[method](ctx.state.user, ctx.state.auth, ctx.query, ctx.request.ip, via));
    },
  });
}
