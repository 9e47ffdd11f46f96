/**
 * Excel import of children as a job (批量导入): the upload is checked as a whole at once (a hostile
 * file answers 400 and leaves nothing behind), then a `child-import` record tracks the background
 * work — rows validated in chunks, duplicates checked in batches, the valid rows written in one
 * transaction — and keeps the counts, the first errors and the error report for download.
 * While a job runs, its live progress is held in memory (the insert transaction would hide it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { createId } from '@paralleldrive/cuid2';
import { fieldError } from '../../../utils/validation';
import { dataDir, readDomainConfig } from '../../../runtime/paths';
import { columns, customColumns, ERROR_HEADER, HINT_HEADER, RESULT_HEADER } from '../../../domain/import/columns';
import { activeDefinitions, allDefinitions, ensureRegionCodes } from '../../../domain/custom-fields';
import { readUpload, type ParsedSheet } from '../../../domain/import/workbook';
import { buildTemplate, writeReport } from '../../../domain/import/template';
import { checkRow, insertChildren, markDuplicates, markLikelyDuplicates, type ClassRef, type ImportMode, type ImportTarget, type RowOutcome } from '../../../domain/import/children-import';

const JOB = 'api::child-import.child-import';
const CLASS = 'api::school-class.school-class';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const MODES: ImportMode[] = ['all-or-none', 'valid-only'];

export type ImportConfig = {
  maxBytes: number; maxRows: number; templateRows: number; validateChunk: number; insertChunk: number; dupQueryChunk: number; keepErrors: number;
  /** Birth dates per query of the likely-duplicate check (dup-check's default when absent). */
  likelyDateChunk?: number;
};

let settings: ImportConfig | undefined;
/** Limits and chunk sizes (config/imports.json); IMPORT_MAX_ROWS and IMPORT_MAX_BYTES override them. */
export function importConfig(): ImportConfig {
  if (!settings) {
    const { $comment, ...values } = readDomainConfig<Record<string, any>>('imports.json');
    settings = values as ImportConfig;
  }
  return {
    ...settings,
    maxRows: Number(process.env.IMPORT_MAX_ROWS) || settings.maxRows,
    maxBytes: Number(process.env.IMPORT_MAX_BYTES) || settings.maxBytes,
  };
}

type Live = { state: string; processed: number; imported: number };
const live = new Map<number, Live>();
const running = new Set<Promise<unknown>>();
/** The jobs this process is running now (cms/src/domain/import/interrupted-jobs.ts keeps them alive). */
export const liveJobIds = (): number[] => [...live.keys()];

const reportDir = () => path.join(dataDir, 'imports');

const service = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The kindergarten of an institution user, and its classes (only a kindergarten imports its children). */
  async targetOf(user: any, defaultClassId?: string): Promise<ImportTarget> {
    if (user?.level !== 'institution' || !user.institutionCode) throw new errors.ForbiddenError('幼儿学籍由幼儿所在园导入');
    const kindergarten = await strapi.db.query(KINDERGARTEN).findOne({ where: { code: user.institutionCode }, select: ['id', 'code', 'countyCode'] });
    if (!kindergarten) throw new errors.ForbiddenError('没有找到本园');
    const rows = await strapi.db.query(CLASS).findMany({ where: { kindergarten: { id: kindergarten.id } }, select: ['id', 'documentId', 'name', 'grade', 'countyCode'] });
    const classes: ClassRef[] = rows.map((c: any) => ({ id: c.id, documentId: c.documentId, name: c.name, grade: c.grade ?? null, institutionCode: kindergarten.code, countyCode: kindergarten.countyCode }));
    let defaultClass: ClassRef | null = null;
    if (defaultClassId) {
      defaultClass = classes.find((c) => c.documentId === defaultClassId || c.name === defaultClassId) ?? null;
      if (!defaultClass) throw fieldError('schoolClass', '默认班级不是本园的班级');
    }
    const active = await activeDefinitions(strapi, 'child', kindergarten.countyCode);
    const known = (await allDefinitions(strapi)).filter((d) => d.entity === 'child' && d.province === String(kindergarten.countyCode).slice(0, 2));
    if (active.some((d) => d.type === 'region')) await ensureRegionCodes(strapi);
    const custom = { active, known, columns: customColumns(active) };
    const actor = { id: user.id, username: user.username, fullName: user.fullName, level: user.level, institutionCode: user.institutionCode };
    return { institutionCode: kindergarten.code, countyCode: kindergarten.countyCode, classes, defaultClass, custom, actor };
  },

  /** The import template, with the kindergarten's classes as the class column's drop-down. */
  async template(user: any): Promise<Buffer> {
    const target = user?.level === 'institution' ? await this.targetOf(user) : null;
    return buildTemplate([...columns(strapi), ...(target?.custom?.columns ?? [])], { rows: importConfig().templateRows, classes: (target?.classes ?? []).map((c) => c.name) });
  },

  /**
   * Accepts an upload: checks the file as a whole (400 naming the problem), records the job and
   * starts it in the background. Returns the job as it starts.
   */
  async start(user: any, file: any, options: { mode?: string; schoolClass?: string }) {
    const mode = (options.mode || 'all-or-none') as ImportMode;
    if (!MODES.includes(mode)) throw fieldError('mode', '导入方式须为 all-or-none（全部导入或全部不导入）或 valid-only（只导入正确的行）');
    const target = await this.targetOf(user, options.schoolClass || undefined);
    const upload = Array.isArray(file) ? file[0] : file;
    if (!upload) throw fieldError('file', '请选择要上传的 Excel 文件（.xlsx）');
    const config = importConfig();
    if (upload.size > config.maxBytes) throw fieldError('file', `文件超过 ${Math.round(config.maxBytes / 1048576)} MB：请分成几个文件上传`);
    const buffer = await fs.promises.readFile(upload.filepath ?? upload.path);
    const readStarted = performance.now();
    const sheet = await readUpload(buffer, [...columns(strapi), ...(target.custom?.columns ?? [])], config);
    const readMs = Math.round(performance.now() - readStarted);
    const job = await strapi.db.query(JOB).create({
      data: {
        documentId: createId(), fileName: String(upload.originalFilename ?? upload.name ?? 'import.xlsx').slice(0, 255), mode, state: 'queued', total: sheet.rows.length,
        processed: 0, ok: 0, failed: 0, skipped: 0, imported: 0, likely: 0, defaultClass: target.defaultClass?.name ?? null, username: user.username, userId: user.id,
        startedAt: new Date(), countyCode: target.countyCode, institutionCode: target.institutionCode, createdAt: new Date(), updatedAt: new Date(), publishedAt: new Date(),
      },
    });
    const documentId = job.documentId as string;
    live.set(job.id, { state: 'queued', processed: 0, imported: 0 });
    const work = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.run(job.id, documentId, sheet, target, mode, readMs))
      .finally(() => running.delete(work));
    running.add(work);
    return this.present(job);
  },

  /** Validates, checks duplicates (exact ones are errors, likely ones hints), writes; never throws (a failure is the job's state). */
  async run(id: number, documentId: string, sheet: ParsedSheet, target: ImportTarget, mode: ImportMode, readMs = 0) {
    const config = importConfig();
    const state = live.get(id)!;
    const save = (data: Record<string, unknown>) => strapi.db.query(JOB).update({ where: { id }, data: { ...data, updatedAt: new Date() } });
    let outcomes: RowOutcome[] = [];
    const timings: Record<string, number> = { readMs };
    let mark = performance.now();
    const lap = (phase: string) => {
      const now = performance.now();
      timings[phase] = Math.round(now - mark);
      mark = now;
    };
    try {
      state.state = 'validating';
      await save({ state: 'validating' });
      for (let start = 0; start < sheet.rows.length; start += config.validateChunk) {
        for (const row of sheet.rows.slice(start, start + config.validateChunk)) outcomes.push(checkRow(strapi, row, target));
        state.processed = outcomes.length;
        await save({ processed: outcomes.length });
        await new Promise((resolve) => setImmediate(resolve));
      }
      lap('validateMs');
      await markDuplicates(strapi, outcomes, target, config.dupQueryChunk);
      lap('duplicatesMs');
      // Likely duplicates elsewhere: a hint on the row, which is imported all the same.
      const likely = await markLikelyDuplicates(strapi, outcomes, target, config.likelyDateChunk);
      lap('likelyMs');
      const valid = outcomes.filter((o) => o.state === 'ok');
      const failed = outcomes.filter((o) => o.state === 'error');
      const skipped = outcomes.filter((o) => o.state === 'skipped');
      const counts = { processed: outcomes.length, ok: valid.length, failed: failed.length, skipped: skipped.length, likely };
      const rejected = mode === 'all-or-none' && failed.length > 0;
      let imported = 0;
      if (!rejected && valid.length) {
        state.state = 'importing';
        await save({ state: 'importing', ...counts });
        imported = await insertChildren(strapi, valid.map((o) => o.data!), config.insertChunk, (done) => { state.imported = done; }, target.actor);
        lap('insertMs');
      }
      // A report when a row has something to fix or to check (all valid and no hint: the counts say it all).
      const report = failed.length || rejected || likely ? await this.writeReport(documentId, sheet, outcomes, rejected) : null;
      lap('reportMs');
      const message = rejected
        ? `${failed.length} 行有错误，按“全部导入或全部不导入”方式未导入任何一行：请下载错误报告，改正后重新上传`
        : `导入 ${imported} 行${skipped.length ? `，${skipped.length} 行已导入过（跳过）` : ''}${failed.length ? `，${failed.length} 行有错误未导入` : ''}`;
      await save({ state: rejected ? 'rejected' : 'done', ...counts, imported, errors: this.errorList(outcomes, config.keepErrors), reportFile: report, message, timings, finishedAt: new Date() });
    } catch (error: any) {
      strapi.log.error(`child import ${documentId} failed: ${error?.message}`);
      const unique = /unique|23505|SQLITE_CONSTRAINT/i.test(`${error?.code ?? ''} ${error?.message ?? ''}`);
      const message = unique
        ? '导入期间有其他用户录入了相同证件号码的幼儿，本次导入已全部撤销：请重新上传'
        : '导入时发生错误，本次导入已全部撤销，没有写入任何数据：请稍后重试';
      const report = outcomes.length ? await this.writeReport(documentId, sheet, outcomes, true).catch(() => null) : null;
      await save({ state: 'failed', imported: 0, message, reportFile: report, errors: this.errorList(outcomes, config.keepErrors), finishedAt: new Date() }).catch(() => undefined);
    } finally {
      live.delete(id);
    }
  },

  errorList(outcomes: RowOutcome[], keep: number) {
    return outcomes.flatMap((o) => o.errors).slice(0, keep).map(({ row, column, field, message }) => ({ row, column, field, message }));
  },

  /**
   * Streams the report to the data folder: every uploaded row with its result and reasons, and a
   * 提示 column when a row has a hint. The result columns of a report uploaded again are replaced, not repeated.
   */
  async writeReport(documentId: string, sheet: ParsedSheet, outcomes: RowOutcome[], rejected: boolean): Promise<string> {
    const byRow = new Map(outcomes.map((o) => [o.row, o]));
    const ownColumns = new Set([RESULT_HEADER, ERROR_HEADER, HINT_HEADER]);
    const kept = Array.from({ length: sheet.headers.length }, (_, i) => i).filter((i) => !ownColumns.has(sheet.headers[i]));
    const headers = kept.length === sheet.headers.length ? sheet.headers : kept.map((i) => sheet.headers[i]);
    const rows = sheet.rows.map((row) => {
      const outcome = byRow.get(row.row);
      const result = !outcome ? '' : outcome.state === 'error' ? '错误' : outcome.state === 'skipped' ? '已导入（跳过）' : rejected ? '未导入' : '已导入';
      const raw = kept.length === sheet.headers.length ? row.raw : kept.map((i) => row.raw[i]);
      return { raw, result, errors: (outcome?.errors ?? []).map((e) => `${e.column}：${e.message}`), hints: outcome?.hints ?? [] };
    });
    fs.mkdirSync(reportDir(), { recursive: true });
    const name = `${documentId}-report.xlsx`;
    await writeReport(path.join(reportDir(), name), headers, rows);
    return name;
  },

  /** A job inside the caller's reach (404 outside), with its live progress. */
  async findOne(documentId: string) {
    const job = await strapi.documents(JOB).findOne({ documentId });
    if (!job) throw new errors.NotFoundError('Not Found');
    return this.present(job);
  },

  present(job: any) {
    const now = live.get(job.id);
    const merged = now ? { ...job, state: now.state, processed: now.processed, imported: now.imported } : job;
    const { reportFile, id, ...rest } = merged;
    const valid = merged.ok || 0;
    const progress = merged.total ? (['done', 'rejected', 'failed'].includes(merged.state) ? 1 : 0.5 * (merged.processed / merged.total) + (valid ? 0.5 * (merged.imported / valid) : 0)) : 1;
    return { ...rest, likely: merged.likely ?? 0, id: job.documentId, hasReport: Boolean(reportFile), progress: Math.round(progress * 100) / 100 };
  },

  /** The error report of a job inside the caller's reach. */
  async report(documentId: string): Promise<{ name: string; body: Buffer }> {
    const job: any = await strapi.documents(JOB).findOne({ documentId });
    if (!job) throw new errors.NotFoundError('Not Found');
    const stored = await strapi.db.query(JOB).findOne({ where: { id: job.id }, select: ['reportFile'] });
    if (!stored?.reportFile) throw new errors.NotFoundError('该导入还没有错误报告');
    const body = await fs.promises.readFile(path.join(reportDir(), path.basename(stored.reportFile)));
    return { name: `导入结果-${(job.fileName ?? 'import').replace(/\.xlsx$/i, '')}.xlsx`, body };
  },

  /** Waits for the background jobs (tests, shutdown). */
  async settle() {
    await Promise.allSettled([...running]);
  },
});

export type ChildImportService = ReturnType<typeof service>;
export default service;
