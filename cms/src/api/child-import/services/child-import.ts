/**
 * Excel import of children as a job (批量导入): the upload is checked at once (a hostile file answers
 * 400 and leaves nothing behind; a large one up to its header row, the job reading it whole once),
 * then a `child-import` record tracks the work and the
 * workbook is kept, encrypted, in `child-import-upload` while the job waits on the job queue
 * (cms/src/runtime/jobs.ts, job `child-import`): any instance takes it — rows validated in chunks,
 * duplicates checked in batches, the valid rows written in one transaction — and keeps the counts,
 * the first errors and the error report (DATA_DIR/imports: a directory shared by the instances).
 * The job row is claimed by a conditional update (one runner); a run cut by a crash is queued again
 * from the stored workbook, or failed after maxResumes (cms/src/domain/import/interrupted-jobs.ts).
 * Progress is in the database (on PostgreSQL the insert's progress is written beside its transaction)
 * and, on the running instance, in memory too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { createId } from '@paralleldrive/cuid2';
import { fieldError } from '../../../utils/validation';
import { dataDir, readDomainConfig } from '../../../runtime/paths';
import { columns, customColumns, REPORT_HEADERS } from '../../../domain/import/columns';
import { activeDefinitions, allDefinitions, ensureRegionCodes } from '../../../domain/custom-fields';
import { IN_MEMORY_MAX_BYTES, readUpload, type SheetRow } from '../../../domain/import/workbook';
import { buildTemplate } from '../../../domain/import/template';
import { reportArchive, type ReportRow } from '../../../domain/import/report-xml';
import { isSealed, openSealed, openText, SEAL_HEAD_BYTES, sealBuffer, sealText, sealTo } from '../../../domain/import/sealed-file';
import { DATA_SHEET } from '../../../domain/import/workbook';
import { packCells, Spool, unpackCells } from '../../../domain/import/spool';
import { isAllowed, refusalMessage } from '../../../security/can';
import { checkRow, insertChildren, likelyDuplicateHints, markDuplicates, type ClassRef, type DuplicateState, type ImportMode, type ImportTarget, type RowOutcome, type RowProblem } from '../../../domain/import/children-import';
import { FirstRows } from '../../../domain/import/first-rows';
import { LikelyProbes } from '../../../domain/import/likely-probes';
import { BatchChannel } from '../../../domain/import/batch-channel';
import { markRevealedInRequest } from '../../../security/pii-read-audit';
import { jobQueue } from '../../../runtime/jobs';
import { RowBudget } from '../../../domain/import/row-budget';

const JOB = 'api::child-import.child-import';
const UPLOAD = 'api::child-import.child-import-upload';
const USER = 'plugin::users-permissions.user';
/** The import's job on the job queue (config/cluster.json jobs). */
export const IMPORT_JOB = 'child-import';
const FINAL_STATES = ['done', 'rejected', 'failed'];
/** The stored workbook's part size when config/imports.json does not say. */
const DEFAULT_PART_BYTES = 1048576;
const CLASS = 'api::school-class.school-class';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const MODES: ImportMode[] = ['all-or-none', 'valid-only'];
/** An import writes new children only (rows already in this kindergarten are skipped, never updated). */
const CREATE_CHILD = 'api::child.child.create';

/** Refused by the permission matrix: the job ends as failed with this reason, nothing written. */
class ImportRefused extends Error {}
/** Checked batches (validateChunk rows each) waiting for the insert (PostgreSQL): with two, the import's RSS peak went past 400 MB. */
const BATCHES_WAITING = 1;
/** What runQueued reads of a queued job: to wait its turn (`total`), to claim it and to run it. */
const QUEUED_JOB_FIELDS = ['id', 'documentId', 'state', 'attempts', 'mode', 'userId', 'defaultClass', 'total'];
/** All-or-none with an error: the rows already being written are rolled back (the insert's channel is aborted with it). */
class ImportRejected extends Error {}

export type ImportConfig = {
  maxBytes: number; maxRows: number; validateChunk: number; insertChunk: number; dupQueryChunk: number; keepErrors: number;
  /** Birth dates per query of the likely-duplicate check (dup-check's default when absent). */
  likelyDateChunk?: number;
  /** Days an error report is kept (then deleted; the job says it expired). */
  reportRetentionDays?: number;
  /** Bytes of the uploaded workbook per stored part (storeWorkbook). */
  storedPartBytes?: number;
  /** Rows of imports one process works on at once (cms/src/domain/import/row-budget.ts). */
  rowsAtOnce: number;
};

let settings: ImportConfig | undefined;
/** Limits and chunk sizes (config/imports.json); IMPORT_MAX_ROWS, IMPORT_MAX_BYTES and IMPORT_ROWS_AT_ONCE override them. */
export function importConfig(): ImportConfig {
  if (!settings) {
    const { $comment, ...values } = readDomainConfig<Record<string, any>>('imports.json');
    settings = values as ImportConfig;
  }
  return {
    ...settings,
    maxRows: Number(process.env.IMPORT_MAX_ROWS) || settings.maxRows,
    maxBytes: Number(process.env.IMPORT_MAX_BYTES) || settings.maxBytes,
    rowsAtOnce: Number(process.env.IMPORT_ROWS_AT_ONCE) || settings.rowsAtOnce,
  };
}

/** The rows of the imports this process runs now, bounded by rowsAtOnce (the others wait their turn). */
const rowBudget = new RowBudget(() => importConfig().rowsAtOnce);

type Live = { state: string; processed: number; imported: number };
const live = new Map<number, Live>();
const running = new Set<Promise<unknown>>();
/** The jobs this process is running now (cms/src/domain/import/interrupted-jobs.ts keeps them alive). */
export const liveJobIds = (): number[] => [...live.keys()];

const reportDir = () => path.join(dataDir, 'imports');
/** Reports hold the uploaded rows with their full ID numbers: readable by the server's user only, and encrypted. */
const REPORT_MODE = 0o600;
/** A scratch file older than this is left over from a write that never finished. */
const SCRATCH_MAX_MS = 10 * 60000;
/** The jobs queued by this instance and not seen finished yet (settle waits for them). */
const queuedHere = new Set<number>();

/**
 * A checked row as the import keeps it between its passes (cms/src/domain/import/spool.ts): what the
 * report needs (the uploaded cells, the result, the reasons). The valid rows' data go to a scratch
 * file of their own: the insert reads only those, the report only these.
 */
type SpooledRow = { row: number; raw: unknown[]; state: RowOutcome['state']; errors: string[] };

/** The first bytes of a stored report (enough to tell how it is sealed). */
async function head(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const bytes = Buffer.alloc(SEAL_HEAD_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, SEAL_HEAD_BYTES, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const reportDays = () => importConfig().reportRetentionDays ?? 7;

const service = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The rows of the imports this process runs now (config/imports.json rowsAtOnce). */
  rowBudget,

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
    return buildTemplate([...columns(strapi), ...(target?.custom?.columns ?? [])], { rows: importConfig().maxRows, classes: (target?.classes ?? []).map((c) => c.name) });
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
    // A small file is checked as a whole here, its rows counted and let go (the job reads them again,
    // a batch at a time): any problem of the file answers 400. A large one is read once, by the job:
    // here only its kind and its header row (the required columns; 400 too) and about how many rows it
    // has; a problem of the file as a whole (too many rows, formulas, merged cells…) then fails the
    // job with the same message (导入文件无法读取：…).
    const large = buffer.length > IN_MEMORY_MAX_BYTES;
    const sheet = await readUpload(buffer, [...columns(strapi), ...(target.custom?.columns ?? [])], config, large ? undefined : { onRow: () => undefined }, { headersOnly: large });
    const readMs = Math.round(performance.now() - readStarted);
    const job = await strapi.db.query(JOB).create({
      data: {
        documentId: createId(), fileName: String(upload.originalFilename ?? upload.name ?? 'import.xlsx').slice(0, 255), mode, state: 'queued', total: sheet.count,
        processed: 0, ok: 0, failed: 0, skipped: 0, imported: 0, likely: 0, defaultClass: target.defaultClass?.name ?? null, username: user.username, userId: user.id,
        startedAt: new Date(), countyCode: target.countyCode, institutionCode: target.institutionCode, createdAt: new Date(), updatedAt: new Date(), publishedAt: new Date(),
      },
    });
    const documentId = job.documentId as string;
    try {
      await this.storeWorkbook(job.id, buffer, config.storedPartBytes);
      queuedHere.add(job.id);
      await jobQueue(strapi).send(IMPORT_JOB, { id: job.id, readMs }, { singletonKey: documentId });
    } catch (error) {
      // nothing half-written: no job without its file, no file without its job
      queuedHere.delete(job.id);
      await strapi.db.query(UPLOAD).deleteMany({ where: { job: job.id } }).catch(() => undefined);
      await strapi.db.query(JOB).delete({ where: { id: job.id } }).catch(() => undefined);
      throw error;
    }
    return this.present(job);
  },

  /**
   * The queue's handler (any instance): waits for the job's turn among this process's imports
   * (config/imports.json rowsAtOnce: two large imports at once would take the process past its memory
   * cap), claims it (one runner: the update re-checks the state), reads the stored workbook and the
   * uploader's reach again, and runs it. A job finished, or claimed elsewhere, is left alone.
   */
  async runQueued(data: { id?: number; readMs?: number }) {
    const id = Number(data?.id);
    if (!Number.isInteger(id)) return { skipped: 'no job id' };
    const row = await strapi.db.query(JOB).findOne({ where: { id }, select: QUEUED_JOB_FIELDS });
    if (!row) return { skipped: 'gone' };
    if (row.state !== 'queued') return { skipped: row.state };
    // its turn among this process's imports (config/imports.json rowsAtOnce); while it waits it stays
    // queued, kept alive like a running job (interrupted-jobs.ts would otherwise take it for abandoned)
    const waitStarted = performance.now();
    if (!live.has(id)) live.set(id, { state: 'queued', processed: 0, imported: 0 });
    let release: () => void;
    try {
      release = await rowBudget.acquire(Number(row.total) || 0);
    } finally {
      if (live.get(id)?.state === 'queued') live.delete(id);
    }
    const queuedMs = Math.round(performance.now() - waitStarted);
    try {
      // read again: while it waited, the job may have been claimed, resumed or failed elsewhere
      const current = queuedMs ? await strapi.db.query(JOB).findOne({ where: { id }, select: QUEUED_JOB_FIELDS }) : row;
      if (!current || current.state !== 'queued') return { skipped: current?.state ?? 'gone' };
      return await this.claimAndRun(current, Number(data.readMs) || 0, queuedMs);
    } finally {
      release();
    }
  },

  /** runQueued once the job's turn has come: the claim (one runner: the update re-checks the state), then the run. */
  async claimAndRun(row: any, readMs: number, queuedMs: number) {
    const id = row.id as number;
    const attempts = (Number(row.attempts) || 0) + 1;
    const { count } = await strapi.db.query(JOB).updateMany({ where: { id, state: 'queued' }, data: { state: 'validating', attempts, processed: 0, updatedAt: new Date() } });
    if (!count) return { skipped: 'claimed elsewhere' };
    live.set(id, { state: 'validating', processed: 0, imported: 0 });
    const work = (async () => {
      try {
        const user = row.userId ? await strapi.db.query(USER).findOne({ where: { id: row.userId } }) : null;
        if (!user || user.blocked) throw new ImportRefused(refusalMessage(CREATE_CHILD));
        const target = await this.targetOf(user, row.defaultClass || undefined);
        // the workbook is held by run() alone, which lets it go once its rows are read
        await this.run(id, row.documentId, await this.storedWorkbook(id), target, row.mode as ImportMode, readMs, queuedMs);
      } catch (error: any) {
        live.delete(id);
        const message = error instanceof ImportRefused ? error.message : error?.status === 400 || error?.name === 'ValidationError' ? `导入文件无法读取：${error.message}` : '导入时发生错误，本次导入已全部撤销，没有写入任何数据：请稍后重试';
        if (!(error instanceof ImportRefused)) strapi.log.error(`child import ${row.documentId} could not start: ${error?.message ?? error}`);
        await strapi.db.query(JOB).update({ where: { id }, data: { state: 'failed', imported: 0, message, finishedAt: new Date(), updatedAt: new Date() } }).catch(() => undefined);
      }
      // the workbook is kept only while the job waits or runs
      const after = await strapi.db.query(JOB).findOne({ where: { id }, select: ['state'] }).catch(() => null);
      if (after && FINAL_STATES.includes(after.state)) await strapi.db.query(UPLOAD).deleteMany({ where: { job: id } }).catch(() => undefined);
      const final = await strapi.db.query(JOB).findOne({ where: { id }, select: ['state', 'imported'] }).catch(() => null);
      return { state: final?.state, imported: final?.imported, attempt: attempts };
    })();
    running.add(work);
    try {
      return await work;
    } finally {
      running.delete(work);
    }
  },

  /**
   * Keeps an uploaded workbook for its job: sealed in parts of `partBytes` (config/imports.json
   * storedPartBytes), one statement a part, so that no text of the whole file's size goes through
   * the database driver (it held about 100 MB for a moment for a 14 MB workbook).
   */
  async storeWorkbook(jobId: number, buffer: Buffer, partBytes = DEFAULT_PART_BYTES) {
    for (let part = 0, start = 0; start < buffer.length || part === 0; part += 1, start += partBytes) {
      const now = new Date();
      await strapi.db.query(UPLOAD).create({
        data: { documentId: createId(), job: jobId, part, content: sealText(buffer.subarray(start, start + partBytes)), createdAt: now, updatedAt: now, publishedAt: now },
      });
    }
  },

  /**
   * The uploaded workbook of a job, as stored by storeWorkbook: its parts read one at a time (a
   * workbook stored whole, without `part`, before parts: cms/src/domain/import/sealed-file.ts openText).
   */
  async storedWorkbook(id: number): Promise<Buffer> {
    const parts = await strapi.db.query(UPLOAD).findMany({ where: { job: id }, select: ['id', 'part'], orderBy: [{ part: 'asc' }, { id: 'asc' }] });
    if (!parts.length) throw new Error('the uploaded workbook is no longer stored');
    const opened: Buffer[] = [];
    for (const { id: partId } of parts) {
      const stored = await strapi.db.query(UPLOAD).findOne({ where: { id: partId }, select: ['content'] });
      if (!stored?.content) throw new Error('the uploaded workbook is no longer stored');
      opened.push(openText(stored.content));
    }
    return opened.length === 1 ? opened[0] : Buffer.concat(opened);
  },

  /**
   * Validates, checks duplicates (exact ones are errors, likely ones hints), writes; never throws (a
   * failure is the job's state). The workbook is read row by row and checked a batch
   * (config/imports.json validateChunk) at a time — the rules of the entry form, duplicates in the
   * file and in the province — and each checked batch goes to an encrypted scratch file
   * (cms/src/domain/import/spool.ts). The valid rows are written in one transaction: on PostgreSQL
   * while the file is still being read, each checked batch handed to the insert (BatchChannel; an
   * error in all-or-none mode, a file found unreadable, a refusal or any failure rolls back what was
   * written); on SQLite (one connection) read back from a second scratch file once the whole file is
   * checked. The likely duplicates are looked for once for the whole file (from each valid row's
   * name, birth date, sex and guardian keys only) and the report written from the scratch file
   * before the transaction commits. What is held is a batch or two and a few values per row,
   * whatever the size of the file.
   */
  async run(id: number, documentId: string, buffer: Buffer, target: ImportTarget, mode: ImportMode, readMs = 0, queuedMs = 0) {
    const config = importConfig();
    const state = live.get(id) ?? { state: 'validating', processed: 0, imported: 0 };
    live.set(id, state);
    const save = (data: Record<string, unknown>) => strapi.db.query(JOB).update({ where: { id }, data: { ...data, updatedAt: new Date() } });
    const dropUpload = () => strapi.db.query(UPLOAD).deleteMany({ where: { job: id } }).catch(() => undefined);
    const timings: Record<string, number> = { queuedMs, readMs, validateMs: 0, duplicatesMs: 0, handOverMs: 0 };
    const counts = { processed: 0, ok: 0, failed: 0, skipped: 0, likely: 0 };
    /** The first problems (config keepErrors), in row order, for the job's page. */
    const problems: RowProblem[] = [];
    /** How many ID numbers (children's and guardians') the uploaded rows hold: what the report shows. */
    let idNumbers = 0;
    let headers: string[] = [];
    /** What the likely-duplicate check needs of each valid row (compactly: likely-probes.ts). */
    let probes = new LikelyProbes();
    /** The hints of the rows with likely duplicates, by row. */
    let hints = new Map<number, string[]>();
    fs.mkdirSync(reportDir(), { recursive: true, mode: 0o700 });
    const spool = new Spool<SpooledRow>(path.join(reportDir(), `${documentId}.${process.pid}.spool`));
    /**
     * PostgreSQL: the checked rows are written while the rest of the file is read (the insert's
     * transaction on its own connection; the duplicate queries and the likely-duplicate search on
     * others). SQLite has one connection, which the reading's queries need: the valid rows go to a
     * scratch file of their own and are written once the whole file is read.
     */
    const streaming = strapi.db.dialect.client === 'postgres';
    const validSpool = new Spool<Record<string, any>>(path.join(reportDir(), `${documentId}.${process.pid}.valid.spool`));
    /** The insert while the file is read (PostgreSQL), once the first valid batch is checked. */
    let writer: { channel: BatchChannel<Record<string, any>>; done: Promise<number> } | null = null;
    let spooled = false;
    /**
     * The batch before, being checked for duplicates in the province and written to the scratch
     * file while the next one is read and validated (the database answers meanwhile): one batch at a
     * time past that point, in the file's order (the duplicates' state goes from one to the next).
     */
    let behind: Promise<void> = Promise.resolve();
    /** The report, while the rows are written (see writeReport in the try below). */
    let alongside: Promise<void> | null = null;
    // The import writes beside the document service: the permission to create children is asked
    // here (cms/src/security/can.ts), before reading a row and again just before writing.
    const mayCreate = async () => {
      if (!(await isAllowed(strapi, target.actor, CREATE_CHILD))) throw new ImportRefused(refusalMessage(CREATE_CHILD));
    };
    const onInserted = (done: number) => {
      state.imported = done;
      this.showProgress(id, done);
    };
    /**
     * The insert fed batch by batch (PostgreSQL). It commits only once the channel is closed (the
     * whole file read and sound) and `alongside` (the likely duplicates and the report) is done; its
     * failure aborts the channel, so the reading stops at the next batch with the insert's error.
     */
    const startWriter = () => {
      const channel = new BatchChannel<Record<string, any>>(BATCHES_WAITING);
      const done = insertChildren(strapi, channel, config.insertChunk, onInserted, target.actor, () => alongside!);
      done.catch((error) => channel.abort(error));
      return { channel, done };
    };
    /** Whatever ends the run early: what the insert wrote while the file was read is rolled back (before the job says so). */
    const stopWriter = async (reason: Error) => {
      if (!writer) return;
      writer.channel.abort(reason);
      await writer.done.catch(() => undefined);
    };
    try {
      await mayCreate();
      state.state = 'validating';
      await save({ state: 'validating' });
      const firstRow = new FirstRows();
      const duplicateState: DuplicateState = { firstRow };
      // the columns holding ID numbers (children's and guardians'), decided once: each filled one is counted
      const numberColumns = [...columns(strapi), ...(target.custom?.columns ?? [])].map((column) => column.path).filter((column) => /(^|\.)idNumber$/.test(column));
      let batch: SheetRow[] = [];
      /** How long the reading waited for the batch before (its duplicate queries). */
      let waitedMs = 0;
      const finish = async (rows: SheetRow[], outcomes: RowOutcome[]) => {
        let started = performance.now();
        await markDuplicates(strapi, outcomes, target, config.dupQueryChunk, duplicateState);
        timings.duplicatesMs += performance.now() - started;
        started = performance.now();
        const valid: Record<string, any>[] = [];
        const spooledRows = outcomes.map((outcome, i): SpooledRow => {
          counts.processed += 1;
          if (outcome.state === 'ok') counts.ok += 1;
          else if (outcome.state === 'error') counts.failed += 1;
          else counts.skipped += 1;
          for (const problem of outcome.errors) if (problems.length < config.keepErrors) problems.push(problem);
          const { cells } = rows[i];
          for (const column of numberColumns) if (cells[column]) idNumbers += 1;
          const data = outcome.data!;
          if (outcome.state === 'ok') {
            valid.push(data);
            if (data.birthDate) probes.add(outcome.row, data.name, data.birthDate, data.sex, (data.guardians ?? []).map((g: any) => g?.idKey));
          }
          return { row: outcome.row, raw: packCells(rows[i].raw), state: outcome.state, errors: outcome.errors.map((e) => `${e.column}：${e.message}`) };
        });
        await spool.write(spooledRows);
        timings.validateMs += performance.now() - started;
        started = performance.now();
        if (streaming && mode === 'all-or-none' && counts.failed) await stopWriter(new ImportRejected());
        else if (valid.length && streaming) await (writer ??= startWriter()).channel.push(valid);
        else if (valid.length) await validSpool.write(valid);
        // (PostgreSQL: how long the batch waited for the insert to take it; the next batch was read meanwhile)
        timings.handOverMs += performance.now() - started;
        state.processed = counts.processed;
        await save({ processed: counts.processed });
      };
      const waitBehind = async () => {
        const started = performance.now();
        await behind;
        waitedMs += performance.now() - started;
      };
      const flush = async () => {
        const rows = batch;
        batch = [];
        if (!rows.length) return;
        const started = performance.now();
        const outcomes = rows.map((row) => checkRow(strapi, row, target));
        timings.validateMs += performance.now() - started;
        await waitBehind();
        behind = finish(rows, outcomes);
        behind.catch(() => undefined); // awaited by the next batch, or after the last
        await new Promise((resolve) => setImmediate(resolve));
      };
      const passStarted = performance.now();
      const sheet = await readUpload(buffer, [...columns(strapi), ...(target.custom?.columns ?? [])], config, {
        onRow: (row) => {
          batch.push(row);
          if (batch.length >= config.validateChunk) return flush();
        },
      });
      await flush();
      await waitBehind();
      // the workbook's rows are all read: it is let go (the rest of the run holds the scratch file)
      buffer = null as unknown as Buffer;
      spooled = true;
      headers = sheet.headers;
      // the rows read (a large file's upload only estimated them)
      await save({ total: sheet.count });
      // (the duplicate queries ran beside the reading: only the time it waited for them is not reading)
      timings.readMs += performance.now() - passStarted - timings.validateMs - waitedMs;
      const rejected = mode === 'all-or-none' && counts.failed > 0;
      let report: string | null = null;
      // the file's in-file duplicate keys are no longer needed
      firstRow.clear();
      duplicateState.sameNameAndDate = undefined;
      /** Likely duplicates elsewhere: a hint on the row, which is imported all the same. */
      const findHints = async () => {
        const likelyStarted = performance.now();
        hints = await likelyDuplicateHints(strapi, probes, target, config.likelyDateChunk, timings);
        counts.likely = hints.size;
        probes = new LikelyProbes();
        timings.likelyMs = performance.now() - likelyStarted;
      };
      /**
       * The report, when a row has something to fix or to check (all valid and no hint: the counts
       * say it all), from the scratch file and the hints.
       */
      const writeReport = async () => {
        const reportStarted = performance.now();
        report = counts.failed || rejected || counts.likely ? await this.writeReport(documentId, headers, spool, hints, rejected) : null;
        timings.reportMs = performance.now() - reportStarted;
      };
      let imported = 0;
      if (!rejected && counts.ok) {
        await mayCreate();
        state.state = 'importing';
        await save({ state: 'importing', imported: state.imported, ...counts });
        const started = performance.now();
        /**
         * While the rows are written: the likely duplicates looked for (their hints change no row: on
         * PostgreSQL the database answers those queries on other connections while the insert's waits
         * for its COPY, and the server prepares rows while it waits for them; SQLite has one connection,
         * which the insert holds, so they are looked for first), then the report written. The insert's
         * transaction commits only once both are done: if either fails, nothing is written.
         */
        if (!streaming) await findHints();
        alongside = (async () => {
          if (streaming) await findHints();
          await writeReport();
        })();
        alongside.catch(() => undefined); // awaited before the commit (or, on a failure, before the report is written again)
        if (streaming) {
          // the last batches go in, and the transaction commits once `alongside` is done
          writer!.channel.close();
          imported = await writer!.done;
        } else imported = await insertChildren(strapi, this.validRows(validSpool, config.insertChunk), config.insertChunk, onInserted, target.actor, () => alongside!);
        await alongside;
        // PostgreSQL: the insert's time after the reading (it wrote while the file was read)
        timings.insertMs = performance.now() - started;
      } else {
        await stopWriter(new ImportRejected());
        await findHints();
        await writeReport();
      }
      const message = rejected
        ? `${counts.failed} 行有错误，按“全部导入或全部不导入”方式未导入任何一行：请下载错误报告，改正后重新上传`
        : `导入 ${imported} 行${counts.skipped ? `，${counts.skipped} 行已导入过（跳过）` : ''}${counts.failed ? `，${counts.failed} 行有错误未导入` : ''}`;
      for (const phase of Object.keys(timings)) timings[phase] = Math.round(timings[phase]);
      // gone before the job says it ended: the scratch file, and the stored workbook (runQueued drops it
      // too, after: whoever sees the job ended finds it gone)
      await spool.remove();
      await validSpool.remove();
      await dropUpload();
      await save({ state: rejected ? 'rejected' : 'done', ...counts, imported, errors: this.errorList(problems), reportFile: report, reportIds: report ? idNumbers : 0, message, timings, finishedAt: new Date() });
    } catch (error: any) {
      await stopWriter(error instanceof Error ? error : new Error(String(error)));
      if (error instanceof ImportRefused) {
        await dropUpload();
        await save({ state: 'failed', imported: 0, message: error.message, finishedAt: new Date() }).catch(() => undefined);
        return;
      }
      const unreadable = error?.status === 400 || error?.name === 'ValidationError';
      if (!unreadable) strapi.log.error(`child import ${documentId} failed: ${error?.message}`);
      const unique = /unique|23505|SQLITE_CONSTRAINT/i.test(`${error?.code ?? ''} ${error?.message ?? ''}`);
      const message = unreadable ? `导入文件无法读取：${error.message}`
        : unique ? '导入期间有其他用户录入了相同证件号码的幼儿，本次导入已全部撤销：请重新上传'
          : '导入时发生错误，本次导入已全部撤销，没有写入任何数据：请稍后重试';
      // the batch being finished, and the report written alongside the insert (as imported), are done
      // before the report is written again, as not imported
      await behind.catch(() => undefined);
      await alongside?.catch(() => undefined);
      const report = spooled && fs.existsSync(spool.file) ? await this.writeReport(documentId, headers, spool, hints, true).catch(() => null) : null;
      await spool.remove().catch(() => undefined);
      await validSpool.remove().catch(() => undefined);
      await dropUpload();
      await save({ state: 'failed', imported: 0, message, reportFile: report, reportIds: report ? idNumbers : 0, errors: this.errorList(problems), finishedAt: new Date() }).catch(() => undefined);
    } finally {
      live.delete(id);
      await stopWriter(new Error('import ended'));
      // a refused run's (nothing else left them), once no batch is being written to them
      await behind.catch(() => undefined);
      await spool.remove().catch(() => undefined);
      await validSpool.remove().catch(() => undefined);
    }
  },

  /** The valid rows' data read back from their scratch file, about `size` rows at a time (one INSERT per table each). */
  async *validRows(spool: Spool<Record<string, any>>, size: number): AsyncGenerator<Record<string, any>[]> {
    let rows: Record<string, any>[] = [];
    for await (const batch of spool.batches()) {
      for (const data of batch) rows.push(data);
      if (rows.length >= size) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length) yield rows;
  },

  /**
   * The insert's progress for the other instances: on PostgreSQL written by another pooled
   * connection, beside the insert's transaction (which would hide it until the commit); on SQLite
   * (one instance, one connection) the memory of this instance is enough.
   */
  showProgress(id: number, imported: number) {
    if ((strapi.db as any).dialect?.client !== 'postgres') return;
    const table = (strapi.db.metadata.get(JOB) as any).tableName;
    void strapi.db.connection(table).where({ id }).whereIn('state', ['importing']).update({ imported, updated_at: new Date() })
      .catch((error: Error) => strapi.log.debug(`child import progress: ${error.message}`));
  },

  errorList(problems: RowProblem[]) {
    return problems.map(({ row, column, field, message }) => ({ row, column, field, message }));
  },

  /**
   * Streams the report to the data folder from the import's scratch file, with each row's result and
   * reasons, and a 提示 column when a row has a hint. When nothing was written (`rejected`: all or
   * none with an error, or a failed write): every uploaded row, to fix and upload again whole. When
   * rows were written: only the rows to fix (errors) or to check (hints), each with its 原行号 —
   * 100,000 imported rows with 12 to look at make a report of 12. The columns a report adds are
   * replaced, not repeated, when a report is uploaded again.
   */
  async writeReport(documentId: string, sheetHeaders: string[], spool: Spool<SpooledRow>, hints: Map<number, string[]>, rejected: boolean): Promise<string> {
    const kept = Array.from({ length: sheetHeaders.length }, (_, i) => i).filter((i) => !REPORT_HEADERS.has(sheetHeaders[i]));
    const all = kept.length === sheetHeaders.length;
    const headers = all ? sheetHeaders : kept.map((i) => sheetHeaders[i]);
    async function* rows(): AsyncGenerator<ReportRow> {
      for await (const batch of spool.batches()) {
        for (const row of batch) {
          const rowHints = hints.get(row.row) ?? [];
          if (!rejected && row.state !== 'error' && !rowHints.length) continue;
          const result = row.state === 'error' ? '错误' : row.state === 'skipped' ? '已导入（跳过）' : rejected ? '未导入' : '已导入';
          const raw = unpackCells(row.raw);
          yield { raw: all ? raw : kept.map((i) => raw[i]), result, errors: row.errors, hints: rowHints, row: row.row };
        }
      }
    }
    fs.mkdirSync(reportDir(), { recursive: true, mode: 0o700 });
    const name = `${documentId}-report.xlsx`;
    const finalPath = path.join(reportDir(), name);
    // the workbook is sealed as it is written (cms/src/domain/import/sealed-file.ts) into a private
    // scratch file, renamed into place once whole
    const scratch = `${finalPath}.${process.pid}.sealing`;
    try {
      await sealTo(reportArchive(headers, rows(), DATA_SHEET, { hinted: hints.size > 0, rowNumbers: !rejected }), scratch, REPORT_MODE);
      await fs.promises.rename(scratch, finalPath);
    } finally {
      await fs.promises.rm(scratch, { force: true });
    }
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
    const { reportFile, reportIds, id, attempts, ...rest } = merged;
    const valid = merged.ok || 0;
    const progress = merged.total ? (['done', 'rejected', 'failed'].includes(merged.state) ? 1 : 0.5 * Math.min(1, merged.processed / merged.total) + (valid ? 0.5 * (merged.imported / valid) : 0)) : 1;
    return { ...rest, likely: merged.likely ?? 0, id: job.documentId, hasReport: Boolean(reportFile), reportExpired: Boolean(merged.reportExpiredAt), progress: Math.round(progress * 100) / 100 };
  },

  /**
   * The error report, for its own kindergarten only (the uploaded rows, full ID numbers included):
   * another kindergarten, and the levels above (whose reach covers the job), get 404. Each download
   * is a `pii.read` in the audit trail (cms/src/security/pii-read-audit.ts).
   */
  async report(user: any, documentId: string): Promise<{ name: string; body: Buffer }> {
    const job: any = await strapi.documents(JOB).findOne({ documentId });
    if (!job || user?.level !== 'institution' || !user.institutionCode || job.institutionCode !== user.institutionCode) throw new errors.NotFoundError('Not Found');
    const stored = await strapi.db.query(JOB).findOne({ where: { id: job.id }, select: ['reportFile', 'reportIds', 'reportExpiredAt'] });
    if (!stored?.reportFile) {
      if (stored?.reportExpiredAt) throw new errors.NotFoundError(`导入结果报告已超过保存期限（${reportDays()} 天）并已删除：如需报告，请重新上传该文件`);
      throw new errors.NotFoundError('该导入还没有错误报告');
    }
    const body = openSealed(await fs.promises.readFile(path.join(reportDir(), path.basename(stored.reportFile))));
    markRevealedInRequest(strapi, { targetType: 'child-import', targetId: documentId, count: Number(stored.reportIds) || 1 });
    return { name: `导入结果-${(job.fileName ?? 'import').replace(/\.xlsx$/i, '')}.xlsx`, body };
  },

  /**
   * Deletes the reports older than config/imports.json reportRetentionDays (the job keeps its
   * counts and errors, and says its report expired), reports left by no job, and scratch files;
   * seals (encrypts, mode 0600) a report still stored as written before encryption. Returns the
   * reports deleted.
   */
  async expireReports(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - reportDays() * 86400000);
    const expired = await strapi.db.query(JOB).findMany({
      where: { reportFile: { $notNull: true }, $or: [{ finishedAt: { $lt: cutoff } }, { finishedAt: { $null: true }, createdAt: { $lt: cutoff } }] },
      select: ['id', 'reportFile'],
    });
    for (const job of expired) {
      await fs.promises.rm(path.join(reportDir(), path.basename(job.reportFile)), { force: true });
      await strapi.db.query(JOB).update({ where: { id: job.id }, data: { reportFile: null, reportExpiredAt: now } });
    }
    // workbooks of jobs that ended (a crash between the end and the clean-up of the job)
    const ended = await strapi.db.query(JOB).findMany({ where: { state: { $in: FINAL_STATES }, updatedAt: { $lt: new Date(now.getTime() - SCRATCH_MAX_MS) } }, select: ['id'], limit: 1000, orderBy: { id: 'desc' } });
    if (ended.length) await strapi.db.query(UPLOAD).deleteMany({ where: { job: { $in: ended.map((job: any) => job.id) } } });
    let files: string[] = [];
    try { files = await fs.promises.readdir(reportDir()); } catch { return expired.length; }
    const kept = new Set((await strapi.db.query(JOB).findMany({ where: { reportFile: { $notNull: true } }, select: ['reportFile'] })).map((job: any) => job.reportFile));
    for (const name of files) {
      const file = path.join(reportDir(), name);
      const stat = await fs.promises.stat(file).catch(() => null);
      if (!stat?.isFile()) continue;
      // scratch files of a write that did not finish (a crash) hold the rows in plain text
      if (!name.endsWith('-report.xlsx')) {
        if (now.getTime() - stat.mtime.getTime() > SCRATCH_MAX_MS) await fs.promises.rm(file, { force: true });
        continue;
      }
      if (!kept.has(name)) {
        if (stat.mtime < cutoff) await fs.promises.rm(file, { force: true });
        continue;
      }
      if (!isSealed(await head(file))) {
        const sealing = `${file}.${process.pid}.sealing`;
        await fs.promises.writeFile(sealing, sealBuffer(await fs.promises.readFile(file)), { mode: REPORT_MODE });
        await fs.promises.rename(sealing, file);
      }
      if ((stat.mode & 0o077) !== 0) await fs.promises.chmod(file, REPORT_MODE);
    }
    return expired.length;
  },

  /** The clean-up at start; then the scheduled job import-report-cleanup (cms/src/bootstrap/jobs.ts, one run per tick in the cluster). */
  async startReportExpiry() {
    await this.expireReports().catch((error: Error) => strapi.log.error(`import reports clean-up: ${error.message}`));
  },

  stopReportExpiry() {},

  /**
   * Waits for the imports this instance queued to end (whichever instance runs them) and for the
   * runs under way here (tests, shutdown, scripts). Gives up after `timeoutMs`.
   */
  async settle(timeoutMs = 120_000) {
    const until = Date.now() + timeoutMs;
    while (queuedHere.size && Date.now() < until) {
      const rows = await strapi.db.query(JOB).findMany({ where: { id: { $in: [...queuedHere] } }, select: ['id', 'state'] });
      for (const id of [...queuedHere]) {
        const row = rows.find((r: any) => r.id === id);
        if (!row || FINAL_STATES.includes(row.state)) queuedHere.delete(id);
      }
      if (queuedHere.size) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.allSettled([...running]);
  },
});

export type ChildImportService = ReturnType<typeof service>;
export default service;
