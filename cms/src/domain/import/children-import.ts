/**
 * Importing children from a workbook, in bulk and without bending a rule:
 * - each row becomes a child's data and goes through the same rules as the entry form — the schema
 *   (required fields, lengths, formats) and `checkChildData` of child-rules.ts (codes, ID checksum,
 *   derived sex and birth date, guardians) — collecting every problem of the row;
 * - duplicates inside the file by idKey; duplicates in the province with one query per
 *   `dupQueryChunk` idKeys (one query for a file of ordinary size), answered with where the record
 *   is held; rows already imported into this kindergarten (same idKey, or same name and birth
 *   date without a number) are reported as 已导入 and skipped, so importing a file twice adds nothing;
 * - likely duplicates in other kindergartens (same name, pinyin or a near spelling with the same birth
 *   date and sex; the same guardian document) by dup-check's batch check: a hint on the row, never an
 *   error — the row is imported;
 * - the valid rows are written in bulk (children, guardians, their links, the class link, the events;
 *   on PostgreSQL by COPY, on SQLite multi-row INSERTs) in ONE transaction: all of them or none; the unique index on idKey still decides a race
 *   with a concurrent entry, and then nothing of the import is kept.
 */
import { placeName } from '../messages';
import type { Core } from '@strapi/strapi';
import { checkChildData, heldElsewhereMessage } from '../child-rules';
import { columns, columnsByPath, codeOf, type Column } from './columns';
import { checkCustomValues, type Definition } from '../custom-fields';
import type { SheetRow } from './workbook';
import { CHILD_EVENT, eventRow, masker, type Actor } from '../lifecycle';
import { newDocumentId } from '../document-ids';
import { invalidateListCounts } from '../list-counts';
import type { RowProbe } from './likely-probes';
import { ROWS_OWNED } from '../../security/pii';
import { copyData } from './copy-text';

const CHILD = 'api::child.child';
const GUARDIAN = 'family.guardian';
const TRUE = new Set(['是', 'Y', 'YES', 'TRUE', '1', '√']);
const FALSE = new Set(['否', 'N', 'NO', 'FALSE', '0', '×']);
const DERIVED = new Set(['sex', 'birthDate']);

export type ImportMode = 'all-or-none' | 'valid-only';
export type RowProblem = { row: number; column: string; field: string; message: string };
export type ClassRef = { id: number; documentId: string; name: string; grade?: string | null; institutionCode: string; countyCode: string };
export type RowOutcome = { row: number; state: 'ok' | 'error' | 'skipped'; errors: RowProblem[]; data?: Record<string, any> };
export type ImportTarget = {
  institutionCode: string; countyCode: string; classes: ClassRef[]; defaultClass?: ClassRef | null;
  /** The custom fields of the kindergarten's county: active ones (with their columns) and every one of its province. */
  custom?: { active: Definition[]; known: Definition[]; columns: Column[] };
  /** Who imports (recorded on each child's 入园分班 event). */
  actor?: Actor;
};
export type Progress = (phase: 'validating' | 'importing', done: number) => void | Promise<void>;
export type ImportSettings = { validateChunk: number; insertChunk: number; dupQueryChunk: number };

const duplicates = (strapi: Core.Strapi) => strapi.plugin('dup-check').service('duplicates');

/** Puts a cell's value where its column's path (split at the dots: `parts`) says. */
function setPath(data: Record<string, any>, path: string, parts: string[], value: unknown) {
  if (parts.length === 1) data[path] = value;
  else if (parts[0] === 'customFields') {
    data.customFields ??= {};
    data.customFields[parts[1]] = value;
  }
  else {
    const [, index, field] = parts;
    data.guardians ??= [];
    data.guardians[Number(index)] ??= {};
    data.guardians[Number(index)][field] = value;
  }
}

const regexes = new Map<string, RegExp>();
const regexOf = (source: string) => {
  let regex = regexes.get(source);
  if (!regex) regexes.set(source, (regex = new RegExp(source)));
  return regex;
};

/** Problems of the schema's own rules (required, length, format, enumeration) for one record or component. */
const CHECKED_TYPES = new Set(['string', 'text', 'date', 'enumeration', 'boolean']);
/** The attributes schemaProblems checks, per model (listed once, not for every row). */
const checkedAttributes = new WeakMap<Record<string, any>, [string, any][]>();

function schemaProblems(attributes: Record<string, any>, data: Record<string, any>, prefix: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  let checked = checkedAttributes.get(attributes);
  if (!checked) checkedAttributes.set(attributes, (checked = Object.entries<any>(attributes).filter(([, attribute]) => CHECKED_TYPES.has(attribute.type))));
  for (const [field, attribute] of checked) {
    const value = data[field];
    const empty = value === undefined || value === null || value === '';
    const path = `${prefix}${field}`;
    if (empty) {
      if (attribute.required && attribute.default === undefined) problems.push({ field: path, message: '必填' });
      continue;
    }
    if (attribute.type === 'enumeration' && !attribute.enum.includes(value)) problems.push({ field: path, message: '不是可选的值' });
    if (typeof value !== 'string') continue;
    if (attribute.maxLength && value.length > attribute.maxLength) problems.push({ field: path, message: `不能超过 ${attribute.maxLength} 个字` });
    else if (attribute.minLength && value.length < attribute.minLength) problems.push({ field: path, message: `不能少于 ${attribute.minLength} 个字` });
    else if (attribute.regex && !regexOf(attribute.regex).test(value)) problems.push({ field: path, message: '格式不正确' });
  }
  return problems;
}

/**
 * What checkRow needs of an import, made once per target (not for every row): the columns read,
 * and each field's header (the template's, a custom field's label, or a guardian's) as it is asked.
 * Keyed by the target object: the next import (its own target, read afresh by targetOf) sees
 * custom fields and classes as they are then.
 */
type RowContext = {
  columnList: Column[];
  /** Each column's path split at the dots (setPath), in the order of columnList. */
  parts: string[][];
  header: (path: string) => string;
  childAttributes: Record<string, any>;
  guardianAttributes: Record<string, any>;
};
const rowContexts = new WeakMap<ImportTarget, RowContext>();

function rowContext(strapi: Core.Strapi, target: ImportTarget): RowContext {
  let context = rowContexts.get(target);
  if (context) return context;
  const customList = target.custom?.columns ?? [];
  const columnList = customList.length ? [...columns(strapi), ...customList] : columns(strapi);
  const byPath = columnsByPath(strapi);
  const headerOf = (path: string) => {
    if (byPath.has(path)) return byPath.get(path)!.header;
    const custom = customList.find((c) => c.path === path);
    if (custom) return custom.header;
    const guardian = path.match(/^guardians\.(\d+)\.(\w+)$/);
    if (guardian) return byPath.get(`guardians.${guardian[1]}.${guardian[2]}`)?.header ?? `监护人${Number(guardian[1]) + 1}`;
    return path === 'guardians' ? '监护人' : path;
  };
  const headers = new Map<string, string>();
  const header = (path: string) => {
    let text = headers.get(path);
    if (text === undefined) {
      text = headerOf(path);
      // paths come from the columns and the rules (a few dozen); a custom field's key as sent is bounded too
      if (headers.size < 10_000) headers.set(path, text);
    }
    return text;
  };
  // strapi.contentTypes builds the registry's object anew at each read: read once, not for every row
  const childAttributes = (strapi.contentTypes as any)[CHILD].attributes;
  const guardianAttributes = (strapi.components as any)[GUARDIAN].attributes;
  const parts = columnList.map((column) => column.path.split('.'));
  rowContexts.set(target, (context = { columnList, parts, header, childAttributes, guardianAttributes }));
  return context;
}

const GUARDIAN_NUMBER = /^guardians\.\d+\.idNumber$/;

/**
 * One sheet row → the child's data and every problem of it, by the rules of the entry form.
 * Nothing is read from or written to the database.
 */
export function checkRow(strapi: Core.Strapi, row: SheetRow, target: ImportTarget): RowOutcome {
  const { columnList, parts, header, childAttributes, guardianAttributes } = rowContext(strapi, target);
  const errors: RowProblem[] = [];
  const add = (field: string, message: string) => {
    if (!errors.some((e) => e.field === field && e.message === message)) errors.push({ row: row.row, column: header(field), field, message });
  };
  for (const problem of row.cellErrors) add(problem.path, problem.message);
  // One message per problem, the first true one: a cell that could not be read (an ID number stored
  // as a number, a date that is none) is not also "required" or "missing" in the rules below.
  const unreadable = row.cellErrors.length ? new Set(row.cellErrors.map((e) => e.path)) : null;
  let numberUnreadable = false;
  if (unreadable) for (const path of unreadable) if (path === 'idNumber' || GUARDIAN_NUMBER.test(path)) numberUnreadable = true;
  const consequence = (field: string) => (unreadable !== null && unreadable.has(field)) || (field === 'guardians' && numberUnreadable);
  const addRule = (field: string, message: string) => { if (!consequence(field)) add(field, message); };

  const data: Record<string, any> = {};
  let schoolClass: ClassRef | null | undefined = target.defaultClass;
  for (let c = 0; c < columnList.length; c += 1) {
    const column = columnList[c];
    const text = row.cells[column.path];
    if (!text || (unreadable !== null && unreadable.has(column.path))) continue;
    const value = readCell(column, text, target, add);
    if (value === undefined) continue;
    if (column.kind === 'class') schoolClass = value as ClassRef;
    else setPath(data, column.path, parts[c], value);
  }
  if (!schoolClass && !errors.some((e) => e.field === 'schoolClass')) add('schoolClass', target.classes.length ? '班级必填：请填写本园班级名称，或在导入时选择默认班级' : '本园还没有班级：请先建立班级，再导入幼儿');
  if (Array.isArray(data.guardians)) data.guardians = data.guardians.filter(Boolean);
  else data.guardians = [];

  for (const problem of checkChildData(strapi, data, { creating: true })) addRule(problem.field, problem.message);
  // custom fields: the rules of the entry form (custom-fields.ts), required ones enforced as on any create
  const custom = checkCustomValues(target.custom?.active ?? [], target.custom?.known ?? [], data.customFields ?? {}, { enforceRequired: true });
  for (const problem of custom.problems) addRule(`customFields.${problem.key}`, problem.message);
  if (Object.keys(custom.values).length) data.customFields = custom.values;
  else delete data.customFields;
  const badNumber = errors.some((e) => e.field === 'idNumber');
  for (const problem of schemaProblems(childAttributes, data, '')) {
    // Sex and birth date come from a valid number: with a bad one, their absence is not news.
    if (badNumber && DERIVED.has(problem.field)) continue;
    if (!errors.some((e) => e.field === problem.field)) addRule(problem.field, `${header(problem.field)}${problem.message}`);
  }
  data.guardians.forEach((guardian: any, index: number) => {
    for (const problem of schemaProblems(guardianAttributes, guardian, `guardians.${index}.`)) {
      if (!errors.some((e) => e.field === problem.field)) addRule(problem.field, `${header(problem.field)}${problem.message}`);
    }
  });
  if (schoolClass) {
    data.schoolClass = schoolClass;
    data.institutionCode = schoolClass.institutionCode;
    data.countyCode = schoolClass.countyCode;
  }
  return { row: row.row, state: errors.length ? 'error' : 'ok', errors, data };
}

function readCell(column: Column, text: string, target: ImportTarget, add: (field: string, message: string) => void): unknown {
  switch (column.kind) {
    case 'code': {
      const code = codeOf(column.table!, text);
      if (code === undefined) add(column.path, `${column.header}「${text}」不是代码表中的值`);
      return code;
    }
    case 'boolean': {
      const upper = text.toUpperCase();
      if (TRUE.has(upper)) return true;
      if (FALSE.has(upper)) return false;
      add(column.path, `${column.header}须填“是”或“否”`);
      return undefined;
    }
    case 'class': {
      const found = target.classes.find((c) => c.name === text);
      if (!found) add(column.path, `本园没有名为「${text}」的班级`);
      return found;
    }
    default:
      return text;
  }
}

export type DuplicateState = {
  /** Each idKey of the file and the first row with it (across batches; an import keeps them compactly, first-rows.ts). */
  firstRow: { get(idKey: string): number | undefined; set(idKey: string, row: number): unknown };
  /** name|birth date of the kindergarten's children without a number, read once, on a connection of its own (the import's own rows, uncommitted, are not among them). */
  sameNameAndDate?: Set<string>;
};

/**
 * Duplicates: inside the file (same idKey as an earlier row), already in this kindergarten (已导入,
 * skipped), elsewhere in the province (an error naming where). Batched: one query per
 * `chunk` idKeys, one for the kindergarten's children without a number, one per table for names.
 * A file read in batches passes the same `state` (from an empty one) with each: it carries the keys
 * of the rows before, so that a number repeated in a later batch is named as in one pass.
 */
export async function markDuplicates(strapi: Core.Strapi, outcomes: RowOutcome[], target: ImportTarget, chunk: number, state: DuplicateState = { firstRow: new Map() }) {
  const { firstRow } = state;
  const fresh: string[] = [];
  for (const outcome of outcomes) {
    const idKey = outcome.data?.idKey;
    if (!idKey) continue;
    const first = firstRow.get(idKey);
    if (first !== undefined) {
      outcome.errors.push({ row: outcome.row, column: '证件号码', field: 'idNumber', message: `与第 ${first} 行的证件号码重复` });
      outcome.state = 'error';
    } else {
      firstRow.set(idKey, outcome.row);
      fresh.push(idKey);
    }
  }
  const keys = fresh;
  const held = new Map<string, { institutionCode: string | null; countyCode: string | null }>();
  const metadata = strapi.db.metadata.get(CHILD);
  const column = (attribute: string) => (metadata.attributes as any)[attribute].columnName ?? attribute;
  const knex = strapi.db.connection;
  const postgres = strapi.db.dialect.client === 'postgres';
  for (let i = 0; i < keys.length; i += chunk) {
    const slice = keys.slice(i, i + chunk);
    const rows = await knex(metadata.tableName)
      .select({ idKey: column('idKey'), institutionCode: column('institutionCode'), countyCode: column('countyCode') })
      // PostgreSQL: the keys as one array (one parameter to bind, no list of thousands to parse and plan)
      .modify((query: any) => (postgres ? query.whereRaw('?? = ANY(?)', [column('idKey'), slice]) : query.whereIn(column('idKey'), slice)));
    for (const row of rows) held.set(row.idKey, row);
  }
  const elsewhere = outcomes.filter((o) => o.data?.idKey && held.has(o.data.idKey) && held.get(o.data.idKey)!.institutionCode !== target.institutionCode);
  const holders = await duplicates(strapi).describeHolders(elsewhere.map((o) => held.get(o.data!.idKey)!));
  const withoutNumber = outcomes.some((o) => o.data && !o.data.idKey);
  if (withoutNumber && !state.sameNameAndDate) {
    const sameNameAndDate = (state.sameNameAndDate = new Set<string>());
    const rows = await knex(metadata.tableName)
      .select({ name: column('name'), birthDate: column('birthDate') })
      .where(column('institutionCode'), target.institutionCode)
      .whereNull(column('idKey'));
    for (const row of rows) sameNameAndDate.add(`${row.name}|${dayOf(row.birthDate)}`);
  }
  for (const outcome of outcomes) {
    const data = outcome.data;
    if (!data) continue;
    const where = data.idKey ? held.get(data.idKey) : undefined;
    const alreadyHere = where ? where.institutionCode === target.institutionCode : !data.idKey && Boolean(state.sameNameAndDate?.has(`${data.name}|${data.birthDate}`));
    if (alreadyHere) {
      // Imported before: not an error, and nothing to write (its own cell errors, if any, stay reported).
      if (outcome.state === 'ok') outcome.state = 'skipped';
    } else if (where) {
      const holder = holders[elsewhere.indexOf(outcome)];
      outcome.errors.push({ row: outcome.row, column: '证件号码', field: 'idNumber', message: heldElsewhereMessage(holder) });
      outcome.state = 'error';
    }
  }
}

/** Where the likely duplicates of a row are held (at most this many named, then how many in all). */
const NAMED_HOLDERS = 3;

/**
 * The hint of a row with likely duplicates elsewhere: the kindergarten and county holding each
 * other record and why it looks like the same child — nothing about that child (as heldElsewhereMessage).
 */
export function likelyDuplicateHint(candidates: { kindergartenName?: string | null; countyName?: string | null; countyCode?: string | null; reasons: string[] }[], others: { count: number; atLeast: boolean } = { count: 0, atLeast: false }): string {
  const named = candidates.slice(0, NAMED_HOLDERS).map((c) => `${placeName(c)}${c.reasons.join('，')}`);
  const total = candidates.length + others.count;
  const more = total > NAMED_HOLDERS ? `等 ${total} 条${others.atLeast ? '以上' : ''}学籍` : '';
  return `疑似重复：${named.join('；')}${more}。请核对是否为同一幼儿`;
}

/**
 * Likely duplicates (查重, 疑似重复) of the valid rows among the children of OTHER kindergartens of
 * the province, by the rules of the entry form (dup-check's likelyMatchesMany: same name, pinyin
 * or a near spelling with the same birth date and sex; the same guardian document and birth date),
 * in batched queries. Never an error and never blocking: each row with a match gets a hint naming
 * where the other record is held. Rows already in this kindergarten are 已导入 (markDuplicates).
 * `probes`: what the check needs of each valid row with a birth date, keyed by its row number (an
 * import keeps them compactly, likely-probes.ts). Returns the hints by row number.
 */
export async function likelyDuplicateHints(strapi: Core.Strapi, probes: Iterable<RowProbe> & { size: number }, target: ImportTarget, dateChunk?: number, timings?: Record<string, number>): Promise<Map<number, string[]>> {
  const hints = new Map<number, string[]>();
  if (!probes.size) return hints;
  // only the children a hint names are kept and described; the others are counted
  const othersFound = new Map<number, { count: number; atLeast: boolean }>();
  const matches: Map<number, any[]> = await duplicates(strapi).likelyMatchesMany(probes, { exceptInstitutionCode: target.institutionCode, dateChunk, timings, keepPerProbe: NAMED_HOLDERS, othersFound });
  // rows like the same few children get the same hint: one string for them all (bounded)
  const sameHint = new Map<string, string>();
  for (const [row, candidates] of matches) {
    matches.delete(row);
    if (!candidates?.length) continue;
    let hint = likelyDuplicateHint(candidates, othersFound.get(row));
    const kept = sameHint.get(hint);
    if (kept) hint = kept;
    else if (sameHint.size < 10_000) sameHint.set(hint, hint);
    hints.set(row, [hint]);
  }
  return hints;
}

function dayOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  return String(value ?? '').slice(0, 10);
}

/** The sequence of a table's id column (PostgreSQL), read once per table. */
const idSequences = new Map<string, string>();

/** PostgreSQL: the sequence of a table's id column, read once. */
async function idSequence(strapi: Core.Strapi, table: string): Promise<string> {
  let sequence = idSequences.get(table);
  if (!sequence) {
    const { rows: [found] } = await strapi.db.connection.raw('SELECT pg_get_serial_sequence(?, ?) AS name', [qualified(strapi, table), 'id']);
    if (!found?.name) throw new Error(`import: no id sequence for ${table}`);
    idSequences.set(table, (sequence = found.name as string));
  }
  return sequence;
}

/**
 * PostgreSQL: new ids of several tables (table → how many), taken from their sequences as an INSERT
 * would, in one statement (each table's as one text, not a row per id), on any pooled connection: a
 * sequence is outside transactions, and the insert's own connection stays busy with COPY.
 */
async function takeIds(strapi: Core.Strapi, counts: [table: string, count: number][]): Promise<Map<string, number[]>> {
  const sequences = await Promise.all(counts.map(([table]) => idSequence(strapi, table)));
  const select = counts.map((_, i) => `(SELECT string_agg(nextval(?::regclass)::text, ',') FROM generate_series(1, ?)) AS ids${i}`);
  const { rows: [row] } = await strapi.db.connection.raw(`SELECT ${select.join(', ')}`, counts.flatMap(([, count], i) => [sequences[i], count]));
  const ids = new Map<string, number[]>();
  counts.forEach(([table, count], i) => {
    const list = count ? String(row[`ids${i}`]).split(',').map(Number) : [];
    if (list.length !== count) throw new Error(`import: ${list.length} ids for ${count} rows of ${table}`);
    ids.set(table, list);
  });
  return ids;
}

/** A table of the schema in use, quoted for SQL. */
function qualified(strapi: Core.Strapi, table: string): string {
  const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
  return schema ? `"${schema.replace(/"/g, '')}"."${table}"` : `"${table}"`;
}

/**
 * PostgreSQL: rows written by one COPY … FROM STDIN (text format) on the transaction's own
 * connection — no statement to parse or plan per row, nothing bound.
 */
async function copyRows(trx: any, table: string, data: { columns: string[]; bytes: Buffer }): Promise<void> {
  // a transaction already ended would hand out a pooled connection outside it: nothing may be written there
  if (trx.isCompleted()) throw new Error(`import: COPY into ${table} after the transaction ended`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { from: copyFrom } = require('pg-copy-streams');
  const connection = await trx.client.acquireConnection();
  const stream = connection.query(copyFrom(`COPY "${table}" (${data.columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(data.bytes);
  });
}

/**
 * Where a chunk's rows go. SQLite: written at once, multi-row INSERTs (the query engine's createMany
 * for a model, its value conversion for SQLite's storage). PostgreSQL: the chunk's ids of every
 * model are taken from the sequences in one statement, asked for before its rows are made
 * (`reserve`), and each model's rows are formatted for COPY and queued for the transaction's
 * connection (see postgresSink), so that the next chunks are prepared — encrypted, formatted — while
 * the database writes.
 */
type Sink = {
  /** PostgreSQL: the ids the chunk's rows will need (model uid → how many), asked for at once, before the rows are made. */
  reserve(counts: [uid: string, count: number][]): void;
  model(uid: string, data: Record<string, unknown>[]): Promise<number[]>;
  rows(table: string, rows: Record<string, unknown>[]): Promise<void>;
  /** Resolves when the sink may take another chunk (PostgreSQL: the rows queued are few enough); rejects with a write's failure. */
  room(): Promise<void>;
  /** Resolves when every row handed over is written; rejects with the first failure. */
  finished(): Promise<void>;
  /** The insert ends early (it will roll back): nothing more is written, and this resolves once a write under way has ended. */
  stop(): Promise<void>;
};

/** `written`: told how many children are in the database (the job's progress), as their rows are written. */
function sqliteSink(strapi: Core.Strapi, trx: any, written: (children: number) => void): Sink {
  return {
    reserve() {},
    async model(uid, data) {
      if (!data.length) return [];
      const created = await strapi.db.query(uid as any).createMany({ data });
      if (uid === CHILD) written(data.length);
      return (created.ids as number[]).map(Number);
    },
    async rows(table, rows) {
      const batch = strapi.db.dialect.getBatchInsertSize();
      for (let start = 0; start < rows.length; start += batch) await strapi.db.connection(table).transacting(trx).insert(rows.slice(start, start + batch));
    },
    room: async () => undefined,
    finished: async () => undefined,
    stop: async () => undefined,
  };
}

/** PostgreSQL: COPY text queued for the transaction's connection, at most this many bytes (a few chunks' rows) before the insert waits. */
const COPY_QUEUE_BYTES = 2 << 20;

/**
 * PostgreSQL: each model's rows formatted for COPY as soon as they are made (the rows' objects are
 * then let go) and queued; one loop writes the queue on the transaction's connection. What waits
 * when a COPY ends is written together: the children first (their links' foreign keys), then each
 * other table in the order met, the parts of one table with the same columns in one COPY. While the
 * database keeps up, a chunk is a few COPYs; when it falls behind, the chunks waiting go as one, so
 * the database does not wait, COPY after COPY, for the server's event loop to start the next one
 * while the server reads and checks the file.
 */
function postgresSink(strapi: Core.Strapi, trx: any, written: (children: number) => void): Sink {
  const tableOf = (uid: string): string => (strapi.db.metadata.get(uid as any) as any).tableName;
  const childTable = tableOf(CHILD);
  let reserved: Promise<Map<string, number[]>> | null = null;
  /**
   * Whether the children's table is too small for its statistics to steer the checks of its links
   * (see analyzeWhenSmall): asked with its first rows, answered once they are written.
   */
  let small: Promise<boolean> | 'not asked' | 'answered' = 'not asked';
  type Part = { table: string; columns: string[]; bytes: Buffer; children: number };
  let waiting: Part[] = [];
  let queuedBytes = 0;
  /** The loop writing the queue, while it runs. */
  let writing: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  /** The insert ended early: what waits is dropped, the loop ends after the COPY under way. */
  let stopped = false;
  /** Called when the queue shrinks or a write fails. */
  let wake: (() => void)[] = [];
  const wakeAll = () => {
    const waiters = wake;
    wake = [];
    for (const resume of waiters) resume();
  };

  const writeQueue = async () => {
    try {
      while (waiting.length) {
        const parts = waiting;
        waiting = [];
        const groups = new Map<string, Part[]>();
        for (const part of [...parts.filter((p) => p.table === childTable), ...parts.filter((p) => p.table !== childTable)]) {
          const key = `${part.table}\u0000${part.columns.join(',')}`;
          const group = groups.get(key);
          if (group) group.push(part);
          else groups.set(key, [part]);
        }
        for (const group of groups.values()) {
          if (stopped) break;
          const { table, columns } = group[0];
          await copyRows(trx, table, { columns, bytes: group.length === 1 ? group[0].bytes : Buffer.concat(group.map((part) => part.bytes)) });
          if (table === childTable && small instanceof Promise) {
            const analyze = await small;
            small = 'answered';
            if (analyze) await analyzeWhenSmall(trx, qualified(strapi, table));
          }
          const children = group.reduce((n, part) => n + part.children, 0);
          if (children) written(children);
          queuedBytes -= group.reduce((n, part) => n + part.bytes.length, 0);
          wakeAll();
        }
      }
    } catch (error) {
      failure = { error };
      waiting = [];
      wakeAll();
    } finally {
      writing = null;
      wakeAll();
    }
  };
  const queue = (table: string, data: { columns: string[]; bytes: Buffer }, children = 0) => {
    if (failure) throw failure.error;
    waiting.push({ table, columns: data.columns, bytes: data.bytes, children });
    queuedBytes += data.bytes.length;
    writing ??= writeQueue();
  };
  const settled = (done: () => boolean) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (failure) reject(failure.error);
      else if (done()) resolve();
      else wake.push(check);
    };
    check();
  });

  return {
    reserve(counts) {
      reserved = takeIds(strapi, counts.map(([uid, count]) => [tableOf(uid), count]));
      reserved.catch(() => undefined); // awaited by model()
    },
    async model(uid, data) {
      if (!data.length) return [];
      const table = tableOf(uid);
      const rows = await encrypted(strapi, uid, data);
      const ids = (reserved && (await reserved).get(table)) ?? (await takeIds(strapi, [[table, rows.length]])).get(table)!;
      if (ids.length !== rows.length) throw new Error(`import: ${ids.length} ids for ${rows.length} rows of ${table}`);
      if (table === childTable && small === 'not asked') {
        small = isSmall(strapi, table);
        small.catch(() => undefined); // read once the first children are written
      }
      queue(table, copyData(rows, columnsOf(strapi, uid), ids), table === childTable ? rows.length : 0);
      return ids;
    },
    async rows(table, rows) {
      if (rows.length) queue(table, copyData(rows));
    },
    room: () => settled(() => queuedBytes < COPY_QUEUE_BYTES),
    finished: () => settled(() => !writing && !waiting.length),
    async stop() {
      stopped = true;
      waiting = [];
      await writing;
    },
  };
}

/**
 * Below this many rows by its statistics (or never analysed) the children's table is "small": the
 * planner then costs every index of `id = $1` alike and may take `(institution_code, id)` for the
 * foreign-key check of each link row (PostgreSQL's own `SELECT 1 FROM children WHERE id = $1`, its
 * plan kept for the connection) — a walk of the whole index for every row, quadratic in one
 * transaction's import: 100,000 children into a new database took minutes instead of seconds.
 */
const SMALL_TABLE_ROWS = 5000;

/** PostgreSQL: whether a table's statistics say it is small, or it has never been analysed (reltuples -1). */
async function isSmall(strapi: Core.Strapi, table: string): Promise<boolean> {
  const { rows: [row] } = await strapi.db.connection.raw('SELECT reltuples FROM pg_class WHERE oid = ?::regclass', [qualified(strapi, table)]);
  return row ? Number(row.reltuples) < SMALL_TABLE_ROWS : false;
}

/**
 * In the import's transaction, once its first children are in: the small table analysed (its
 * statistics then count them, seen by this transaction only until it commits, and the plans of
 * the link checks are made again: the primary key). Under a savepoint with a short lock timeout:
 * a table being analysed elsewhere (another import, autovacuum) is left as it is, and the import
 * goes on.
 */
async function analyzeWhenSmall(trx: any, table: string): Promise<void> {
  const { rows: [{ timeout }] } = await trx.raw("SELECT current_setting('lock_timeout') AS timeout");
  await trx.raw('SAVEPOINT import_analyze');
  try {
    await trx.raw("SET LOCAL lock_timeout = '1s'");
    await trx.raw(`ANALYZE ${table}`);
    await trx.raw('RELEASE SAVEPOINT import_analyze');
  } catch {
    await trx.raw('ROLLBACK TO SAVEPOINT import_analyze');
  }
  await trx.raw('SELECT set_config(?, ?, true)', ['lock_timeout', timeout]);
}

/** A model's rows (attribute → value) after its beforeCreateMany subscribers (the PII encryption: cms/src/security/pii.ts). */
async function encrypted(strapi: Core.Strapi, uid: string, data: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  // the rows are made by insertChildren for this write alone: encrypted in place, not copied
  const params = { data, [ROWS_OWNED]: true };
  await strapi.db.lifecycles.run('beforeCreateMany', uid as any, { params });
  return params.data as Record<string, unknown>[];
}

/** Each scalar attribute of a model → its column, as the query engine's processData maps them (only the model's own scalar attributes become columns). */
const columnMaps = new WeakMap<object, Map<string, string>>();
function columnsOf(strapi: Core.Strapi, uid: string): Map<string, string> {
  const attributes = (strapi.db.metadata.get(uid as any) as any).attributes;
  let map = columnMaps.get(attributes);
  if (!map) {
    map = new Map();
    for (const [field, attribute] of Object.entries<any>(attributes)) if (attribute.type !== 'relation') map.set(field, attribute.columnName ?? field);
    columnMaps.set(attributes, map);
  }
  return map;
}

/**
 * Writes the valid rows: children, their guardians (component rows and links), their class links
 * and each child's 入园分班 event (as a child entered one by one gets from lifecycle.ts), `chunk`
 * rows at a time (see Sink: on PostgreSQL by COPY, the next chunk prepared while one is written),
 * all in one transaction. The rows may come in batches from an
 * async iterable (a large import reads them back from its scratch file, a batch at a time).
 * `beforeCommit` is awaited inside the transaction, after the last row: if it fails, nothing is
 * written. Returns how many were written.
 */
export async function insertChildren(strapi: Core.Strapi, source: Record<string, any>[] | AsyncIterable<Record<string, any>[]>, chunk: number, onProgress?: (done: number) => void, actor?: Actor, beforeCommit?: () => Promise<unknown>): Promise<number> {
  if (Array.isArray(source) && !source.length) return 0;
  const batches: AsyncIterable<Record<string, any>[]> | Record<string, any>[][] = Array.isArray(source) ? [source] : source;
  const childMeta: any = strapi.db.metadata.get(CHILD);
  const classLink = childMeta.attributes.schoolClass.joinTable;
  const componentLink = childMeta.attributes.guardians.joinTable;
  const attributes = (strapi.contentTypes as any)[CHILD].attributes;
  // a child's own fields (besides those set for every row below), each with its default (undefined: none), listed once
  const setForEveryRow = new Set(['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'status']);
  const childFields: [string, unknown][] = Object.entries<any>(attributes)
    .filter(([field, attribute]) => !['relation', 'component', 'media'].includes(attribute.type) && !setForEveryRow.has(field))
    .map(([field, attribute]) => [field, typeof attribute.default === 'function' ? undefined : attribute.default]);
  const now = new Date().toISOString();
  const mask = masker(strapi);
  const postgres = strapi.db.dialect.client === 'postgres';
  let done = 0;
  await strapi.db.transaction(async ({ trx }) => {
    const written = (children: number) => {
      done += children;
      onProgress?.(done);
    };
    const sink = postgres ? postgresSink(strapi, trx, written) : sqliteSink(strapi, trx, written);
    try {
      await writeBatches(sink);
    } catch (error) {
      // what waits is not written; a COPY under way ends (or fails) on the transaction's connection before it rolls back
      await sink.stop();
      throw error;
    }
    await sink.finished();
    // what must succeed with the rows (the import's likely-duplicate check and report): a failure rolls them back
    await beforeCommit?.();
  });
  if (done) invalidateListCounts(CHILD); // written past Strapi's database layer: the lists' totals are stale
  return done;

  async function writeBatches(sink: Sink) {
    for await (const rows of batches) for (let start = 0; start < rows.length; start += chunk) {
      const slice = rows.slice(start, start + chunk);
      // the chunk's ids, asked for now (one statement) and read when its rows are ready
      sink.reserve([[CHILD, slice.length], [GUARDIAN, slice.reduce((n, data) => n + (data.guardians?.length ?? 0), 0)], [CHILD_EVENT, slice.length]]);
      const childRows = slice.map((data) => {
        const row: Record<string, unknown> = { documentId: newDocumentId(), createdAt: now, updatedAt: now, publishedAt: now, status: 'draft' };
        for (const [field, fallback] of childFields) {
          const value = data[field];
          if (value !== undefined && value !== null && value !== '') row[field] = value;
          else if (fallback !== undefined) row[field] = fallback;
        }
        return row;
      });
      const childIds = await sink.model(CHILD, childRows);
      if (childIds.length !== slice.length) throw new Error(`import: ${childIds.length} ids for ${slice.length} children`);
      const guardianRows: Record<string, unknown>[] = [];
      const owners: { childId: number; order: number }[] = [];
      slice.forEach((data, i) => {
        (data.guardians ?? []).forEach((guardian: any, order: number) => {
          guardianRows.push({ name: guardian.name, relation: guardian.relation, idType: guardian.idType ?? null, idNumber: guardian.idNumber ?? null, idNumberMasked: guardian.idNumberMasked ?? null, idKey: guardian.idKey ?? null, phone: guardian.phone ?? null, employer: guardian.employer ?? null });
          owners.push({ childId: childIds[i], order: order + 1 });
        });
      });
      const guardianIds = await sink.model(GUARDIAN, guardianRows);
      if (guardianIds.length !== guardianRows.length) throw new Error('import: guardian ids do not match');
      await sink.rows(componentLink.name, guardianIds.map((id, i) => ({
        [componentLink.joinColumn.name]: owners[i].childId,
        [componentLink.inverseJoinColumn.name]: id,
        [componentLink.morphColumn?.typeColumn?.name ?? 'component_type']: GUARDIAN,
        field: componentLink.on?.field ?? 'guardians',
        [componentLink.orderColumnName ?? 'order']: owners[i].order,
      })));
      await sink.rows(classLink.name, slice.map((data, i) => ({
        [classLink.joinColumn.name]: childIds[i],
        [classLink.inverseJoinColumn.name]: data.schoolClass.id,
      })));
      // The history of each new child starts with its placement: one INSERT for the chunk.
      const eventTime = new Date();
      const events = slice.map((data, i) => {
        const event = eventRow({
          type: 'enrollment',
          child: { documentId: childRows[i].documentId as string, name: data.name, studentNumber: null, countyCode: data.countyCode, institutionCode: data.institutionCode },
          before: null,
          after: { className: data.schoolClass.name, grade: data.schoolClass.grade ?? null, status: 'draft' },
          actor,
          occurredOn: data.enrolledOn || undefined,
        }, eventTime, mask);
        // COPY takes JSON values as text (PostgreSQL); the query engine serialises them itself (SQLite)
        return postgres ? { ...event, before: null, after: JSON.stringify(event.after) } : event;
      });
      await sink.model(CHILD_EVENT, events);
      // PostgreSQL: the rows before are still being written; the next chunk is prepared unless enough of them wait
      await sink.room();
    }
  }
}
