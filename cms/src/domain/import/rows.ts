/**
 * The part every all-or-nothing import shares (玩教具与图书, 体检记录, 接种证查验; the children's
 * import runs as a job, cms/src/api/child-import): the upload read by the one workbook reader
 * (workbook.ts), each row checked by the caller's check — the same function its API runs — and
 * every problem named `rows.<n>.<field>` with "第 n 行「列名」：原因"; nothing is written unless no
 * row has a problem. The error report is the children's (template.ts writeReport): the rows as
 * uploaded with 导入结果 and 错误说明.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { fieldError, fieldsError } from '../../utils/validation';
import { readDomainConfig } from '../../runtime/paths';
import { readUpload, type ImportLimits, type ParsedSheet, type SheetRow } from './workbook';
import { writeReport } from './template';
import type { Column } from './columns';

export type RowProblem = { field: string; message: string };
export type CheckedRows<T> = { sheet: ParsedSheet; values: { row: number; value: T }[]; problems: RowProblem[] };

/** The uploaded file (multipart `file`) read by the workbook reader, with config/imports.json's size limit. */
export async function readImportFile(file: any, columns: Column[], limits: { maxRows: number; sheet?: string }): Promise<ParsedSheet> {
  const upload = Array.isArray(file) ? file[0] : file;
  if (!upload) throw fieldError('file', '请选择要上传的 Excel 文件（.xlsx）');
  const buffer = await fs.promises.readFile(upload.filepath ?? upload.path);
  const { maxBytes } = readDomainConfig<{ maxBytes: number }>('imports.json');
  return readUpload(buffer, columns, { maxBytes, ...limits } as ImportLimits);
}

/** "第 n 行「header」：message" under `rows.<n>.<path>`. */
export function rowProblem(row: number, path: string, header: string, message: string): RowProblem {
  return { field: `rows.${row}.${path}`, message: `第 ${row} 行「${header}」：${message}` };
}

/**
 * Runs `check` on every row (after the cells the reader could not read): its value, or the fields
 * a ValidationError it throws names (its details' paths), each as a row problem with the column's
 * header (`headerOf`, the path itself when no column has it).
 */
export async function checkRows<T>(sheet: ParsedSheet, headerOf: (path: string) => string | undefined, check: (row: SheetRow) => Promise<T> | T): Promise<CheckedRows<T>> {
  const problems: RowProblem[] = [];
  const values: { row: number; value: T }[] = [];
  const named = (path: string) => headerOf(path) ?? path;
  for (const row of sheet.rows) {
    if (row.cellErrors.length) {
      for (const e of row.cellErrors) problems.push(rowProblem(row.row, e.path, named(e.path), e.message));
      continue;
    }
    try {
      values.push({ row: row.row, value: await check(row) });
    } catch (error: any) {
      const details = error?.details?.errors;
      if (!Array.isArray(details) || !details.length) throw error;
      for (const e of details) {
        const at = (Array.isArray(e.path) ? e.path : [e.path]).join('.');
        problems.push(rowProblem(row.row, at, named(at), e.message));
      }
    }
  }
  return { sheet, values, problems };
}

/** The error report of checked rows: each uploaded row with 导入结果 (正确 / 错误 / the caller's word) and its reasons. */
export async function problemReport(sheet: ParsedSheet, problems: RowProblem[], sheetName: string, okResult = '正确，未导入（文件有错误）'): Promise<Buffer> {
  const byRow = new Map<number, string[]>();
  for (const problem of problems) {
    const n = Number(problem.field.split('.')[1]);
    byRow.set(n, [...(byRow.get(n) ?? []), problem.message]);
  }
  const rows = sheet.rows.map((row) => {
    const errors = byRow.get(row.row) ?? [];
    return { raw: row.raw, result: errors.length ? '错误' : okResult, errors };
  });
  const file = path.join(os.tmpdir(), `import-report-${randomUUID()}.xlsx`);
  try {
    await writeReport(file, sheet.headers, rows, sheetName);
    return await fs.promises.readFile(file);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

/**
 * Checked rows written in one transaction (all or none): `write` for each row's value, through the
 * document service; a ValidationError it throws becomes `rows.<n>.<field>` ("第 n 行：原因").
 */
export async function writeRows<T>(strapi: Core.Strapi, values: { row: number; value: T }[], write: (value: T) => Promise<unknown>): Promise<{ created: number; total: number }> {
  let created = 0;
  await strapi.db.transaction(async () => {
    for (const { row, value } of values) {
      try {
        await write(value);
      } catch (error: any) {
        const details = error?.details?.errors;
        if (!Array.isArray(details)) throw error;
        throw fieldsError(details.map((e: any) => ({ field: `rows.${row}.${[].concat(e.path).join('.')}`, message: `第 ${row} 行：${e.message}` })));
      }
      created += 1;
    }
  });
  return { created, total: values.length };
}

/**
 * POST …/:record and POST …/:record/report of an all-or-nothing import: `checked` reads and checks
 * the upload (the record's kind with its data sheet, and the checked rows); `create` writes one
 * row's value (with the permission check) inside the one transaction.
 */
export function allOrNothing<K extends { sheet: string }, T>(
  strapi: Core.Strapi,
  checked: (user: any, record: unknown, file: any) => Promise<{ kind: K; result: CheckedRows<T> }>,
  create: (user: any, kind: K, value: T) => Promise<unknown>,
) {
  return {
    /** All rows created, or none (400 naming rows.<n>.<field>). */
    async importFile(user: any, record: unknown, file: any) {
      const { kind, result } = await checked(user, record, file);
      if (result.problems.length) throw fieldsError(result.problems);
      return writeRows(strapi, result.values, (value) => create(user, kind, value));
    },
    /** The rows as uploaded with each row's result and reasons; nothing stored. */
    async report(user: any, record: unknown, file: any): Promise<{ name: string; body: Buffer }> {
      const { kind, result } = await checked(user, record, file);
      const body = await problemReport(result.sheet, result.problems, kind.sheet, result.problems.length ? '正确，未导入（文件有错误）' : '正确');
      return { name: `${kind.sheet}导入错误报告.xlsx`, body };
    },
  };
}
