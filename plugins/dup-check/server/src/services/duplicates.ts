import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import { pinyin } from 'pinyin-pro';

const CHILD = 'api::child.child';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const REGION = 'api::region.region';
const MAX_SAME_BIRTH_DATE = 5000;

export type Holder = { kindergartenName: string | null; countyCode: string | null; countyName: string | null };
export type Candidate = Holder & { id: string | null; name: string | null; reasons: string[] };
export type Probe = { name?: string; birthDate?: string; sex?: string; guardianKeys?: string[] };

/** Edit distance of at most one (a typo, a missing or an extra character). */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else {
      i += 1;
      j += 1;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/**
 * A near-identical spelling (姓名相近): one character added, dropped or, in a name of three or more
 * characters, replaced. Two-character names differing in one character (张伟, 张强) are different
 * names — same-sounding ones still meet through pinyin.
 */
function nearlySpelled(probe: string, other: string): boolean {
  const a = Array.from(probe);
  const b = Array.from(other);
  if (a.length < 2 || b.length < 2 || probe === other) return false;
  if (a.length === b.length && a.length < 3) return false;
  return withinOneEdit(a.join(''), b.join(''));
}

/**
 * The province-wide duplicate check (查重). It reads every child of the province on purpose — a
 * duplicate may sit in any county — but answers only where the other record is (kindergarten and
 * county), never who the child is, unless that record lies in the caller's own reach.
 */
const duplicatesService = ({ strapi }: { strapi: Core.Strapi }) => {
  let hashKey: string | undefined;
  const pinyinKeys = new Map<string, string>();
  return {
  /** Keyed hash (blind index) of a document: same type and number ⇔ same key. */
  idKey(type: string | null | undefined, number: string | null | undefined): string | null {
    if (!type || !number) return null;
    hashKey ??= strapi.plugin('dup-check').config('hashKey') as string;
    const key = hashKey;
    return crypto.createHmac('sha256', key).update(`${type}:${number}`).digest('hex');
  },

  /** The name spelled as toneless pinyin: homophones and similar-sounding characters meet here. */
  pinyinKey(name: string | null | undefined): string | null {
    const clean = String(name ?? '').replace(/\s+/g, '');
    if (!clean) return null;
    // Names repeat (a province has a few hundred thousand distinct ones): bulk imports meet them again.
    let key = pinyinKeys.get(clean);
    if (key === undefined) {
      if (pinyinKeys.size >= 100_000) pinyinKeys.clear();
      key = pinyin(clean, { toneType: 'none', type: 'array' }).join('').toLowerCase();
      pinyinKeys.set(clean, key);
    }
    return key;
  },

  /** Where each record is (kindergarten and county names), with one query per table for all of them. */
  async describeHolders(children: { institutionCode?: string | null; countyCode?: string | null }[]): Promise<Holder[]> {
    const codes = (key: 'institutionCode' | 'countyCode') => [...new Set(children.map((c) => c[key]).filter(Boolean))] as string[];
    const [kindergartens, counties] = await Promise.all([
      codes('institutionCode').length ? strapi.db.query(KINDERGARTEN).findMany({ where: { code: { $in: codes('institutionCode') } }, select: ['code', 'name'] }) : [],
      codes('countyCode').length ? strapi.db.query(REGION).findMany({ where: { code: { $in: codes('countyCode') } }, select: ['code', 'name'] }) : [],
    ]);
    const kindergartenNames = new Map<string, string>(kindergartens.map((k: any) => [k.code, k.name] as [string, string]));
    const countyNames = new Map<string, string>(counties.map((r: any) => [r.code, r.name] as [string, string]));
    return children.map((child) => ({
      kindergartenName: (child.institutionCode && kindergartenNames.get(child.institutionCode)) ?? null,
      countyCode: child.countyCode ?? null,
      countyName: (child.countyCode && countyNames.get(child.countyCode)) ?? null,
    }));
  },

  /** Where the record holding this document is, if any (an exact duplicate). */
  async exactHolder(idKey: string | null, exceptDocumentId?: string): Promise<Holder | null> {
    if (!idKey) return null;
    const where: Record<string, unknown> = { idKey };
    if (exceptDocumentId) where.documentId = { $ne: exceptDocumentId };
    const child = await strapi.db.query(CHILD).findOne({ where, select: ['institutionCode', 'countyCode'] });
    return child ? (await this.describeHolders([child]))[0] : null;
  },

  /**
   * Children born the same day (and of the same sex, when given) whose name is the same, sounds the
   * same (pinyin), or is one character off — filtered in the database, so that only candidates
   * travel: `name LIKE` with one `_` in place of, or inserted at, each character, and the names with
   * one character removed. On PostgreSQL a covering index on (birth_date, sex) answers it from the
   * index alone (database/postgres/002-likely-match-index.sql).
   */
  async sameDayNameMatches(probe: { birthDate: string; sex?: string; name: string; pinyinKey: string | null }): Promise<any[]> {
    if (!probe.name && !probe.pinyinKey) return [];
    const characters = Array.from(probe.name.replace(/[%_\\]/g, ''));
    const likePatterns: string[] = [];
    const shorterNames: string[] = [];
    // the candidates nearlySpelled() may accept: one character replaced (3+), added, or dropped (3+)
    if (characters.length >= 2) {
      for (let i = 0; i <= characters.length; i += 1) {
        if (i < characters.length && characters.length >= 3) {
          likePatterns.push([...characters.slice(0, i), '_', ...characters.slice(i + 1)].join(''));
          shorterNames.push([...characters.slice(0, i), ...characters.slice(i + 1)].join(''));
        }
        likePatterns.push([...characters.slice(0, i), '_', ...characters.slice(i)].join(''));
      }
    }
    const table = strapi.db.metadata.get(CHILD).tableName;
    const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
    const from = strapi.db.dialect.client === 'postgres' && schema ? `${schema}.${table}` : table;
    const rows = await strapi.db.connection(from)
      .select('id', 'document_id', 'name', 'pinyin_key', 'institution_code', 'county_code')
      .where('birth_date', probe.birthDate)
      .modify((query: any) => { if (probe.sex) query.where('sex', probe.sex); })
      .where((query: any) => {
        if (probe.name) query.orWhereIn('name', [probe.name, ...shorterNames]);
        if (probe.pinyinKey) query.orWhere('pinyin_key', probe.pinyinKey);
        for (const pattern of likePatterns) query.orWhere('name', 'like', pattern);
      })
      .limit(MAX_SAME_BIRTH_DATE);
    return rows.map((row: any) => ({
      id: row.id, documentId: row.document_id, name: row.name, pinyinKey: row.pinyin_key,
      institutionCode: row.institution_code, countyCode: row.county_code, birthDate: probe.birthDate, sex: probe.sex,
    }));
  },

  /**
   * Likely duplicates, with reasons: same name + birth date + sex; same guardian document + birth
   * date; same birth date and sex with the same pinyin or a name one character off.
   */
  async likelyMatches(probe: Probe, options: { exceptDocumentId?: string; inReach?: (child: any) => boolean } = {}): Promise<Candidate[]> {
    if (!probe.birthDate) return [];
    const found = new Map<number, { child: any; reasons: Set<string> }>();
    const add = (child: any, reason: string) => {
      if (options.exceptDocumentId && child.documentId === options.exceptDocumentId) return;
      const entry = found.get(child.id) ?? { child, reasons: new Set<string>() };
      entry.reasons.add(reason);
      found.set(child.id, entry);
    };
    const name = String(probe.name ?? '').replace(/\s+/g, '');
    const pinyinKey = this.pinyinKey(name);
    for (const child of await this.sameDayNameMatches({ birthDate: probe.birthDate, sex: probe.sex, name, pinyinKey })) {
      if (name && child.name === name) add(child, '姓名、出生日期、性别相同');
      else if (pinyinKey && child.pinyinKey === pinyinKey) add(child, '出生日期、性别相同，姓名拼音相同');
      else if (name && nearlySpelled(name, child.name ?? '')) add(child, '出生日期、性别相同，姓名相近');
    }
    const select = ['id', 'documentId', 'name', 'sex', 'birthDate', 'pinyinKey', 'institutionCode', 'countyCode'];
    const guardianKeys = (probe.guardianKeys ?? []).filter(Boolean);
    if (guardianKeys.length) {
      const viaGuardian = await strapi.db.query(CHILD).findMany({
        where: { birthDate: probe.birthDate, guardians: { idKey: { $in: guardianKeys } } },
        select,
      });
      for (const child of viaGuardian) add(child, '监护人证件号码相同，出生日期相同');
    }
    const entries = [...found.values()];
    const holders = await this.describeHolders(entries.map(({ child }) => child));
    return entries.map(({ child, reasons }, index): Candidate => {
      const visible = options.inReach?.(child) ?? false;
      return { id: visible ? child.documentId : null, name: visible ? child.name : null, ...holders[index], reasons: [...reasons] };
    });
  },
  };
};

export type DuplicatesService = ReturnType<typeof duplicatesService>;
export default duplicatesService;
export { withinOneEdit, nearlySpelled };
