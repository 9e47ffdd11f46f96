import { readDomainConfig } from '../runtime/paths';
import { codeOverlay, overlayVersion, tableOverlay } from './config-overlay';

/** A code of a code table; `retired` codes stay readable on old records but are offered to no new one. */
export type Entry = { code: string; name: string; retired?: boolean; added?: boolean; [extra: string]: unknown };
type Dictionaries = Record<string, Entry[]>;

export type CodeTablesConfig = { codePattern: string; nameMaxLength: number; tables: Record<string, { name: string; nameEn: string }> };

let defaults: Dictionaries | undefined;
let merged: { version: number; tables: Dictionaries } | undefined;
let tablesConfig: CodeTablesConfig | undefined;

/** The code tables as shipped: config/dictionaries.json. */
export function defaultDictionaries(): Dictionaries {
  if (!defaults) {
    const { $comment, ...tables } = readDomainConfig<Record<string, unknown>>('dictionaries.json');
    defaults = tables as Dictionaries;
  }
  return defaults;
}

/** Which tables the province maintains in the panel, and their names (config/code-tables.json). */
export function codeTablesConfig(): CodeTablesConfig {
  tablesConfig ??= readDomainConfig<CodeTablesConfig>('code-tables.json');
  return tablesConfig;
}

export type MaintainedTable = { name: string; nameEn: string; own: boolean };

/**
 * The tables the province maintains in the panel: those of config/code-tables.json, then the ones it
 * created itself on the 代码表维护 screen (`own`: codes in the order it gives them, all its own).
 */
export function maintainedTables(): Record<string, MaintainedTable> {
  const tables: Record<string, MaintainedTable> = {};
  for (const [key, table] of Object.entries(codeTablesConfig().tables)) tables[key] = { ...table, own: false };
  for (const row of tableOverlay()) if (!tables[row.tableKey]) tables[row.tableKey] = { name: row.name, nameEn: row.nameEn ?? row.name, own: true };
  return tables;
}

/**
 * The code tables in force: config/dictionaries.json with the edits made in the panel merged over
 * it (labels renamed, codes added and retired; see config-overlay.ts). Retired entries are kept,
 * flagged `retired: true`, so old records still read their label.
 */
export function dictionaries(): Dictionaries {
  const version = overlayVersion();
  if (merged?.version === version) return merged.tables;
  const tables: Dictionaries = Object.fromEntries(Object.entries(defaultDictionaries()).map(([table, entries]) => [table, entries.map((item) => ({ ...item }))]));
  const editable = maintainedTables();
  const shipped = defaultDictionaries();
  for (const [key, table] of Object.entries(editable)) if (table.own && !Object.hasOwn(shipped, key)) tables[key] = [];
  const order = new Map<string, number>();
  for (const row of codeOverlay()) {
    const list = tables[row.tableKey];
    if (!list || !editable[row.tableKey]) continue;
    let found = list.find((item) => item.code === row.code);
    if (!found) {
      found = { code: row.code, name: row.name, added: true };
      list.push(found);
    }
    if (row.name) found.name = row.name;
    if (row.retired) found.retired = true;
    else delete found.retired;
    order.set(`${row.tableKey}\u0000${row.code}`, row.sortOrder ?? Number.MAX_SAFE_INTEGER);
  }
  for (const [key, table] of Object.entries(editable)) {
    if (table.own && tables[key]) tables[key].sort((a, b) => (order.get(`${key}\u0000${a.code}`) ?? 0) - (order.get(`${key}\u0000${b.code}`) ?? 0));
  }
  merged = { version, tables };
  return tables;
}

/** An entry of a code table, retired or not (labels of stored codes). */
export function entry(table: string, code: unknown): Entry | undefined {
  const entries = dictionaries()[table];
  return entries && byCode(entries).get(code as string);
}

/**
 * A table's entries by code (the first of a code, as Array.find): made once per table array. The
 * merged tables are rebuilt, new arrays, whenever the panel's edits change (dictionaries() above),
 * so an index never outlives the codes it was made from.
 */
const codeIndexes = new WeakMap<Entry[], Map<string, Entry>>();
export function byCode(entries: Entry[]): Map<string, Entry> {
  let index = codeIndexes.get(entries);
  if (!index) {
    index = new Map();
    for (const item of entries) if (!index.has(item.code)) index.set(item.code, item);
    codeIndexes.set(entries, index);
  }
  return index;
}

/** The codes a new value may take: the table without its retired codes. */
export function activeEntries(table: string): Entry[] {
  return (dictionaries()[table] ?? []).filter((item) => !item.retired);
}

/**
 * Whether `value` may be written into a coded field: 'unknown' (not a code of the table),
 * 'retired' (retired, and not the value the record already has), or null (accepted). A retired
 * code stays on a record that has it: `previous` is the stored value (or values) of the field.
 */
export function codeProblem(table: string, value: unknown, previous?: unknown): 'unknown' | 'retired' | null {
  const found = entry(table, value);
  if (!found) return 'unknown';
  if (!found.retired) return null;
  const kept = Array.isArray(previous) ? previous : [previous];
  return kept.some((item) => item !== undefined && item !== null && item === value) ? null : 'retired';
}

/** The message of a code problem, e.g. "民族不是代码表中的值" or "民族：该代码已停用". */
export function codeMessage(label: string, problem: 'unknown' | 'retired'): string {
  return problem === 'retired' ? `${label}：该代码已停用` : `${label}不是代码表中的值`;
}

/** A named code in both languages (config/vocabulary.json). */
export type Named = { code: string; name: string; nameEn: string };
type VocabularyConfig = {
  yesNo: Named[];
  states: Record<string, Named[] | string>;
  tablesEn: Record<string, Record<string, string>>;
};
let vocabularyConfig: VocabularyConfig | undefined;
const vocabularyFile = (): VocabularyConfig => (vocabularyConfig ??= readDomainConfig<VocabularyConfig>('vocabulary.json'));

/**
 * The one vocabulary of the system's own states and of yes/no, in both languages: what the panel
 * shows (GET /api/me facts.vocabulary), and what the exports, chart workbooks and the 确认表
 * print. A state group that names a code table takes the table's names (as edited in the panel).
 */
export function vocabulary(): { yesNo: Named[]; states: Record<string, Named[]>; tablesEn: Record<string, Record<string, string>> } {
  const file = vocabularyFile();
  const states = Object.fromEntries(Object.entries(file.states).filter(([key]) => !key.startsWith('$')).map(([group, value]) => [
    group,
    typeof value === 'string'
      ? (dictionaries()[value] ?? []).map((item) => ({ code: item.code, name: item.name, nameEn: file.tablesEn[value]?.[item.code] ?? item.name }))
      : value,
  ]));
  return { yesNo: file.yesNo, states, tablesEn: file.tablesEn };
}

/** The name of a state ('children.status', 'registered' → 在籍), or the code when unnamed. */
export function stateName(group: string, code: unknown, english = false): string {
  if (code === null || code === undefined || code === '') return '';
  const found = vocabulary().states[group]?.find((item) => item.code === String(code));
  return found ? (english ? found.nameEn : found.name) : String(code);
}

/** 是 / 否 for true / false (also 'true' / 'false' as stored in text), '' for anything else. */
export function yesNoName(value: unknown, english = false): string {
  const found = vocabularyFile().yesNo.find((item) => item.code === String(value));
  return value === true || value === false || value === 'true' || value === 'false' ? (found ? (english ? found.nameEn : found.name) : String(value)) : '';
}
