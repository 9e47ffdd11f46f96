import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import { pinyin } from 'pinyin-pro';

const CHILD = 'api::child.child';
const GUARDIAN = 'family.guardian';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const REGION = 'api::region.region';
const MAX_SAME_BIRTH_DATE = 5000;
/** Birth dates per query of the batch check: ~3,400 children a day in a province of 5 million, so ~170,000 rows a query at most. */
const BATCH_DATES = 50;
/** Guardian keys (or ids) per query on SQLite (bound parameters; PostgreSQL takes a call's keys as one array). */
const BATCH_GUARDIAN_KEYS = 5000;
/** Guardian keys the batch check holds and sends per call of childrenByGuardianKeys (each key an index lookup, so chunks add no pass). */
const GUARDIAN_KEYS_PER_CALL = 20_000;

/** The reasons a record is a likely duplicate, as the user reads them. */
export const LIKELY_REASONS = {
  sameName: '姓名、出生日期、性别相同',
  samePinyin: '出生日期、性别相同，姓名拼音相同',
  nearName: '出生日期、性别相同，姓名相近',
  sameGuardian: '监护人证件号码相同，出生日期相同',
} as const;

export type Holder = { kindergartenName: string | null; countyCode: string | null; countyName: string | null };
export type Candidate = Holder & { id: string | null; name: string | null; reasons: string[] };
export type Probe = { name?: string; birthDate?: string; sex?: string; guardianKeys?: string[] };
/** One of many children checked at once (an import's rows); `key` identifies it in the answer. */
export type BatchProbe<K> = Probe & { key: K };

/** likelyMatchesMany's count of a probe's children beyond those kept stops here ("at least"). */
const OTHERS_COUNTED = 20;

/** FNV-1a of a string, 32 bits: a document id counted once without keeping the id. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

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

/** A Han character's syllable, toneless, folded the way typing and speech confuse them (zh/z, ch/c, sh/s, l/n, -ng/-n); null for any other character. */
const syllables = new Map<string, string | null>();
function foldedSyllable(character: string): string | null {
  let folded = syllables.get(character);
  if (folded === undefined) {
    const spelled = /\p{Script=Han}/u.test(character) ? String(pinyin(character, { toneType: 'none' })).toLowerCase() : '';
    folded = spelled ? spelled.replace(/^([zcs])h/, '$1').replace(/^l/, 'n').replace(/ng$/, 'n') : null;
    if (syllables.size >= 50_000) syllables.clear();
    syllables.set(character, folded);
  }
  return folded;
}

/**
 * Two characters a clerk could have typed for one another: the same syllable once folded (明/敏
 * ming/min, 晨/辰, 子/梓, 兰/南), or, outside Han script (transliterated names), any two.
 */
function soundAlike(a: string, b: string): boolean {
  const first = foldedSyllable(a);
  const second = foldedSyllable(b);
  return first === null || second === null || first === second;
}

/** Whether dropping the character at `at` from `longer` leaves `shorter`. */
function dropsTo(longer: string[], shorter: string[], at: number): boolean {
  return longer.slice(0, at).join('') === shorter.slice(0, at).join('') && longer.slice(at + 1).join('') === shorter.slice(at).join('');
}

/**
 * A near-identical spelling (姓名相近), the typos of entering a name:
 * - a character doubled or dropped beside one that sounds alike (张晓明, 张晓鸣明; 李伟, 李伟伟);
 * - a character added or dropped in a name that keeps three characters or more (欧阳娜, 欧阳娜娜);
 * - in a name of three characters or more, one replaced by a character that sounds alike (张晓明,
 *   张晓敏: ming / min).
 * A two-character name and a three-character one that begins with it (谢浩, 谢浩然), or names differing
 * in a character that sounds different (王子涵, 王子轩; 张伟, 张强), are different children: in a
 * province thousands share a birth date, and such pairs are everywhere.
 */
function nearlySpelled(probe: string, other: string): boolean {
  const a = Array.from(probe);
  const b = Array.from(other);
  if (a.length < 2 || b.length < 2 || probe === other) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length !== b.length) {
    const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
    for (let at = 0; at < longer.length; at += 1) {
      if (!dropsTo(longer, shorter, at)) continue;
      if (shorter.length >= 3) return true;
      const extra = longer[at];
      if ((at > 0 && soundAlike(extra, longer[at - 1])) || (at + 1 < longer.length && soundAlike(extra, longer[at + 1]))) return true;
    }
    return false;
  }
  if (a.length < 3) return false;
  const differing = a.map((character, i) => [character, b[i]]).filter(([x, y]) => x !== y);
  return differing.length === 1 && soundAlike(differing[0][0], differing[0][1]);
}

/**
 * THE name rule of the likely-duplicate check, for a child born the same day (and of the same sex):
 * why its name makes it a likely duplicate of the probe's, or null. `probe.name` has no spaces.
 */
function nameReason(probe: { name: string; pinyinKey: string | null }, other: { name?: string | null; pinyinKey?: string | null }): string | null {
  if (probe.name && other.name === probe.name) return LIKELY_REASONS.sameName;
  if (probe.pinyinKey && other.pinyinKey === probe.pinyinKey) return LIKELY_REASONS.samePinyin;
  if (probe.name && nearlySpelled(probe.name, other.name ?? '')) return LIKELY_REASONS.nearName;
  return null;
}

/**
 * The name and its spellings with one character dropped (two characters or more): two names
 * nearlySpelled() accepts always share one of these, so the batch check looks candidates up by
 * them and lets nearlySpelled() decide.
 */
function spellingKeys(name: string): string[] {
  const characters = Array.from(name);
  const keys = new Set<string>([name]);
  if (characters.length >= 3) {
    // one code unit a character (no surrogate pair): the string's own slices are the characters'
    const single = characters.length === name.length;
    for (let i = 0; i < characters.length; i += 1) {
      keys.add(single ? name.slice(0, i) + name.slice(i + 1) : [...characters.slice(0, i), ...characters.slice(i + 1)].join(''));
    }
  }
  return [...keys];
}

/** A DATE column's value as YYYY-MM-DD (PostgreSQL answers text; SQLite may store a timestamp). */
function dayOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  return String(value ?? '').slice(0, 10);
}

/**
 * The province-wide duplicate check (查重). It reads every child of the province on purpose — a
 * duplicate may sit in any county — but answers only where the other record is (kindergarten and
 * county), never who the child is, unless that record lies in the caller's own reach.
 */
const duplicatesService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** The blind index's key, prepared once (a string key is prepared anew by every createHmac). */
  let hashKey: crypto.KeyObject | undefined;
  const pinyinKeys = new Map<string, string>();
  /** A table, schema-qualified on PostgreSQL. */
  const qualified = (table: string) => {
    const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
    return strapi.db.dialect.client === 'postgres' && schema ? `${schema}.${table}` : table;
  };
  const childTable = () => qualified(strapi.db.metadata.get(CHILD).tableName);
  return {
  /** Keyed hash (blind index) of a document: same type and number ⇔ same key. */
  idKey(type: string | null | undefined, number: string | null | undefined): string | null {
    if (!type || !number) return null;
    // the same bytes as createHmac(…, key) with the key as a string (UTF-8)
    hashKey ??= crypto.createSecretKey(Buffer.from(strapi.plugin('dup-check').config('hashKey') as string, 'utf8'));
    return crypto.createHmac('sha256', hashKey).update(`${type}:${number}`).digest('hex');
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
    const holderOf = await this.holderNames(children);
    return children.map(holderOf);
  },

  /** The kindergartens' and counties' names of `children` looked up at once: a function that describes any of them. */
  async holderNames(children: Iterable<{ institutionCode?: string | null; countyCode?: string | null }>): Promise<(child: { institutionCode?: string | null; countyCode?: string | null }) => Holder> {
    const institutionCodes = new Set<string>();
    const countyCodes = new Set<string>();
    for (const child of children) {
      if (child.institutionCode) institutionCodes.add(child.institutionCode);
      if (child.countyCode) countyCodes.add(child.countyCode);
    }
    const [kindergartens, counties] = await Promise.all([
      institutionCodes.size ? strapi.db.query(KINDERGARTEN).findMany({ where: { code: { $in: [...institutionCodes] } }, select: ['code', 'name'] }) : [],
      countyCodes.size ? strapi.db.query(REGION).findMany({ where: { code: { $in: [...countyCodes] } }, select: ['code', 'name'] }) : [],
    ]);
    const kindergartenNames = new Map<string, string>(kindergartens.map((k: any) => [k.code, k.name] as [string, string]));
    const countyNames = new Map<string, string>(counties.map((r: any) => [r.code, r.name] as [string, string]));
    return (child) => ({
      kindergartenName: (child.institutionCode && kindergartenNames.get(child.institutionCode)) ?? null,
      countyCode: child.countyCode ?? null,
      countyName: (child.countyCode && countyNames.get(child.countyCode)) ?? null,
    });
  },

  /**
   * Where the record holding this document is, if any (an exact duplicate): one statement, the
   * kindergarten's and the county's names joined to the blind-index lookup (the check is asked at
   * every keystroke of the entry form and by every import row: one round trip, not three).
   */
  async exactHolder(idKey: string | null, exceptDocumentId?: string): Promise<Holder | null> {
    if (!idKey) return null;
    const table = (uid: string) => qualified((strapi.db.metadata.get(uid as any) as any).tableName);
    const query = strapi.db.connection({ c: childTable() })
      .leftJoin({ k: table(KINDERGARTEN) }, 'k.code', 'c.institution_code')
      .leftJoin({ r: table(REGION) }, 'r.code', 'c.county_code')
      .select({ institutionCode: 'c.institution_code', countyCode: 'c.county_code', kindergartenName: 'k.name', countyName: 'r.name' })
      .where('c.id_key', idKey)
      .first();
    if (exceptDocumentId) query.whereNot('c.document_id', exceptDocumentId);
    // inside a caller's transaction (a key change's approval) the lookup joins it: on SQLite the
    // one connection is the transaction's, and a query beside it would wait for it forever
    const row = strapi.db.inTransaction() ? await strapi.db.transaction(({ trx }: any) => query.transacting(trx)) : await query;
    if (!row) return null;
    return {
      kindergartenName: (row.institutionCode && row.kindergartenName) || null,
      countyCode: row.countyCode ?? null,
      countyName: (row.countyCode && row.countyName) || null,
    };
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
    const rows = await strapi.db.connection(childTable())
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
      const reason = nameReason({ name, pinyinKey }, child);
      if (reason) add(child, reason);
    }
    const select = ['id', 'documentId', 'name', 'sex', 'birthDate', 'pinyinKey', 'institutionCode', 'countyCode'];
    const guardianKeys = (probe.guardianKeys ?? []).filter(Boolean);
    if (guardianKeys.length) {
      const viaGuardian = await strapi.db.query(CHILD).findMany({
        where: { birthDate: probe.birthDate, guardians: { idKey: { $in: guardianKeys } } },
        select,
      });
      for (const child of viaGuardian) add(child, LIKELY_REASONS.sameGuardian);
    }
    const entries = [...found.values()];
    const holders = await this.describeHolders(entries.map(({ child }) => child));
    return entries.map(({ child, reasons }, index): Candidate => {
      const visible = options.inReach?.(child) ?? false;
      return { id: visible ? child.documentId : null, name: visible ? child.name : null, ...holders[index], reasons: [...reasons] };
    });
  },

  /**
   * The children (outside `exceptInstitutionCode`) with a guardian whose document has one of these
   * blind-index keys: one row per child and key, with the child's birth date and where it is held.
   */
  async childrenByGuardianKeys(keys: string[], exceptInstitutionCode?: string): Promise<{ id_key: string; document_id: string; birth_date: unknown; institution_code: string | null; county_code: string | null }[]> {
    if (!keys.length) return [];
    const postgres = strapi.db.dialect.client === 'postgres';
    const link = (strapi.db.metadata.get(CHILD) as any).attributes.guardians.joinTable;
    const guardianTable = qualified((strapi.db.metadata.get(GUARDIAN as any) as any).tableName);
    const guardianColumn = `l.${link.inverseJoinColumn.name}`;
    // In two steps: first the guardians holding one of these documents — an import's guardians are
    // mostly new, so few rows —, then the children of just those, through the link's guardian-id index
    // (database/postgres/073-guardian-link-index.sql). In one statement PostgreSQL's planner, expecting
    // a guardian for every key, read the whole link table instead.
    const guardians: { id: number; id_key: string }[] = [];
    const keyChunk = postgres ? keys.length : BATCH_GUARDIAN_KEYS;
    for (let start = 0; start < keys.length; start += keyChunk) {
      const chunk = keys.slice(start, start + keyChunk);
      const query = strapi.db.connection(guardianTable).select('id', 'id_key');
      if (postgres) query.whereRaw('id_key = ANY(?)', [chunk]);
      else query.whereIn('id_key', chunk);
      guardians.push(...(await query));
    }
    if (!guardians.length) return [];
    const keyOf = new Map(guardians.map((guardian) => [Number(guardian.id), guardian.id_key]));
    const ids = [...keyOf.keys()];
    const rows: { id_key: string; document_id: string; birth_date: unknown; institution_code: string | null; county_code: string | null }[] = [];
    const idChunk = postgres ? ids.length : BATCH_GUARDIAN_KEYS;
    for (let start = 0; start < ids.length; start += idChunk) {
      const chunk = ids.slice(start, start + idChunk);
      const query = strapi.db.connection({ c: childTable() })
        .join({ l: qualified(link.name) }, `l.${link.joinColumn.name}`, 'c.id')
        .select({ guardian_id: guardianColumn }, 'c.document_id', 'c.birth_date', 'c.institution_code', 'c.county_code')
        .where(`l.${link.morphColumn?.typeColumn?.name ?? 'component_type'}`, GUARDIAN)
        .where('l.field', link.on?.field ?? 'guardians');
      if (postgres) query.whereRaw(`${guardianColumn} = ANY(?)`, [chunk]);
      else query.whereIn(guardianColumn, chunk);
      if (exceptInstitutionCode) query.where((q: any) => q.whereNot('c.institution_code', exceptInstitutionCode).orWhereNull('c.institution_code'));
      for (const { guardian_id: guardianId, ...child } of await query) rows.push({ id_key: keyOf.get(Number(guardianId))!, ...child });
    }
    return rows;
  },

  /**
   * Likely duplicates of many children at once (an import), by the rules of likelyMatches, batched.
   * By name: the probes grouped by sex and birth date, one query per BATCH_DATES birth dates for
   * the children of that sex born those days (on PostgreSQL the covering (birth_date, sex) index
   * answers it from the index alone), the names matched here through an index of the probes'
   * spellings and pinyin, nameReason deciding. By guardian: the same guardian document (blind-index
   * key) with the same birth date, in one query on PostgreSQL (BATCH_GUARDIAN_KEYS keys a query on
   * SQLite). `exceptInstitutionCode` leaves that kindergarten's children out. Answers, per probe key
   * with a match, where the other records are held and why — never who (id and name are null).
   * `probes` is read twice, one probe at a time (an import passes them from a compact store).
   * `keepPerProbe`: at most so many children a probe are kept and described (an import of 100,000 rows
   * whose every row was like dozens of children held the process past its memory cap); any further
   * ones are counted in `othersFound` (distinct; from OTHERS_COUNTED on, `atLeast`).
   */
  async likelyMatchesMany<K>(probes: Iterable<BatchProbe<K>>, options: { exceptInstitutionCode?: string; dateChunk?: number; timings?: Record<string, number>; keepPerProbe?: number; othersFound?: Map<K, { count: number; atLeast: boolean }> } = {}): Promise<Map<K, Candidate[]>> {
    /** milliseconds of each part (by name, by guardian, the holders' names), added to `options.timings` */
    let partStarted = performance.now();
    const partDone = (part: string) => {
      const now = performance.now();
      if (options.timings) options.timings[part] = (options.timings[part] ?? 0) + now - partStarted;
      partStarted = now;
    };
    type Prepared = { key: K; name: string; pinyinKey: string | null; birthDate: string; sex: string };
    type Owner = { key: K; birthDate: string };
    /** a probe's matches: a few each (keepPerProbe), so a plain array (no map and set per probe: an import may have 100,000 probes) */
    type Found = { child: any; reasons: string[] }[];
    const found = new Map<K, Found>();
    const keep = options.keepPerProbe ?? Infinity;
    /** the further children of a probe beyond `keep`: a 32-bit hash of each document id, to count each once (compact: 100,000 probes may have them) */
    const others = new Map<K, number[]>();
    const add = (probe: Owner, child: any, reason: string) => {
      let matches = found.get(probe.key);
      if (!matches) found.set(probe.key, (matches = []));
      const entry = matches.find((match) => match.child.documentId === child.documentId);
      if (entry) {
        if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      } else if (matches.length < keep) matches.push({ child, reasons: [reason] });
      else {
        let further = others.get(probe.key);
        if (!further) others.set(probe.key, (further = []));
        const hash = hashOf(child.documentId);
        if (further.length < OTHERS_COUNTED && !further.includes(hash)) further.push(hash);
      }
    };
    const except = options.exceptInstitutionCode;
    const outside = (query: any, column: string) => {
      if (except) query.where((q: any) => q.whereNot(column, except).orWhereNull(column));
    };

    const postgres = strapi.db.dialect.client === 'postgres';
    /** spellingKeys of each name met (the probes', and the candidates' — names repeat, thousands of times in a province) */
    const spellingsOf = new Map<string, string[]>();
    const spellings = (name: string) => {
      let keys = spellingsOf.get(name);
      if (!keys) {
        keys = spellingKeys(name);
        // bounded: this phase holds the import's most memory (the common names, met most, are kept first)
        if (spellingsOf.size < 50_000) spellingsOf.set(name, keys);
      }
      return keys;
    };
    /**
     * PostgreSQL: only the names that may pass nameReason leave the database — a name (or, three
     * characters or more, the name with one character dropped) among the probes' spellings, or a
     * probe's pinyin — tested on the covering index's own columns, each set one array (hashed).
     */
    const onlyPossibleNames = (query: any, chunkProbes: Prepared[]) => {
      const names = [...new Set(chunkProbes.flatMap((probe) => (probe.name ? spellings(probe.name) : [])))];
      const pinyinKeys = [...new Set(chunkProbes.map((probe) => probe.pinyinKey).filter(Boolean))];
      const longest = Math.max(0, ...chunkProbes.map((probe) => Array.from(probe.name).length)) + 1;
      query.where((nameQuery: any) => {
        nameQuery.whereRaw('name = ANY(?)', [names]);
        if (pinyinKeys.length) nameQuery.orWhereRaw('pinyin_key = ANY(?)', [pinyinKeys]);
        // a name shorter than i has no character i to drop (it would be tested as itself, as above)
        for (let i = 1; i <= longest; i += 1) nameQuery.orWhereRaw(`(char_length(name) >= ${Math.max(3, i)} AND substr(name, 1, ${i - 1}) || substr(name, ${i + 1}) = ANY(?))`, [names]);
      });
    };

    /**
     * By guardian: the same guardian document (blind index) and the same birth date. The probes' keys
     * go to the database a chunk at a time (index lookups: a chunk costs no extra pass), none held
     * past its chunk; the children found (an import's guardians are mostly new: few) are matched to
     * their probes once the names are done. PostgreSQL: sent now, on a connection of their own, so the
     * database looks the keys up while the names below are looked up and matched; SQLite (one
     * connection): after the names.
     */
    const childrenOfGuardians = async () => {
      const held = new Map<string, any[]>();
      let keys = new Set<string>();
      const send = async () => {
        for (const row of await this.childrenByGuardianKeys([...keys], except)) {
          const list = held.get(row.id_key);
          if (list) list.push(row);
          else held.set(row.id_key, [row]);
        }
        keys = new Set();
      };
      for (const probe of probes) {
        if (!probe.birthDate || !probe.guardianKeys?.length) continue;
        for (const guardianKey of probe.guardianKeys) if (guardianKey) keys.add(guardianKey);
        if (keys.size >= GUARDIAN_KEYS_PER_CALL) await send();
      }
      if (keys.size) await send();
      return held;
    };
    const guardiansEarly = postgres ? childrenOfGuardians() : null;
    guardiansEarly?.catch(() => undefined); // awaited below

    // by name: probes grouped by sex ('' = any) and birth date; one query per chunk of dates of a sex
    const groups = new Map<string, Map<string, Prepared[]>>();
    for (const probe of probes) {
      if (!probe.birthDate) continue;
      const name = String(probe.name ?? '').replace(/\s+/g, '');
      const prepared = { key: probe.key, name, pinyinKey: this.pinyinKey(name), birthDate: probe.birthDate, sex: probe.sex ?? '' };
      if (!prepared.name && !prepared.pinyinKey) continue;
      const byDate = groups.get(prepared.sex) ?? new Map<string, Prepared[]>();
      groups.set(prepared.sex, byDate);
      const sameDay = byDate.get(probe.birthDate);
      if (sameDay) sameDay.push(prepared);
      else byDate.set(probe.birthDate, [prepared]);
    }
    const dateChunk = options.dateChunk ?? BATCH_DATES;
    for (const [sex, byDate] of groups) {
      const dates = [...byDate.keys()];
      for (let start = 0; start < dates.length; start += dateChunk) {
        const chunk = dates.slice(start, start + dateChunk);
        // the probes of these dates, looked up by date and a spelling ('n') or the pinyin ('p')
        const lookup = new Map<string, Prepared[]>();
        const index = (key: string, probe: Prepared) => {
          const list = lookup.get(key);
          if (list) list.push(probe);
          else lookup.set(key, [probe]);
        };
        for (const date of chunk) {
          for (const probe of byDate.get(date)!) {
            if (probe.name) for (const spelling of spellings(probe.name)) index(`${date}\u0000n${spelling}`, probe);
            if (probe.pinyinKey) index(`${date}\u0000p${probe.pinyinKey}`, probe);
          }
        }
        const rows = await strapi.db.connection(childTable())
          .select('document_id', 'name', 'pinyin_key', 'birth_date', 'institution_code', 'county_code')
          .whereIn('birth_date', chunk)
          .modify((query: any) => {
            if (sex) query.where('sex', sex);
            outside(query, 'institution_code');
            if (postgres) onlyPossibleNames(query, chunk.flatMap((date) => byDate.get(date)!));
          });
        for (const row of rows) {
          const date = dayOf(row.birth_date);
          const candidates: Prepared[] = [];
          const collect = (key: string) => {
            for (const probe of lookup.get(key) ?? []) if (!candidates.includes(probe)) candidates.push(probe);
          };
          if (row.name) for (const spelling of spellings(String(row.name))) collect(`${date}\u0000n${spelling}`);
          if (row.pinyin_key) collect(`${date}\u0000p${row.pinyin_key}`);
          if (!candidates.length) continue;
          const child = { documentId: row.document_id, name: row.name, pinyinKey: row.pinyin_key, institutionCode: row.institution_code, countyCode: row.county_code };
          // what is kept of a match: where it is held (not its name)
          let holder: { documentId: string; institutionCode: string | null; countyCode: string | null } | undefined;
          for (const probe of candidates) {
            const reason = nameReason(probe, child);
            if (reason) add(probe, (holder ??= { documentId: row.document_id, institutionCode: row.institution_code, countyCode: row.county_code }), reason);
          }
        }
      }
    }

    partDone('likelyByNameMs');

    const held = await (guardiansEarly ?? childrenOfGuardians());
    if (held.size) {
      for (const probe of probes) {
        if (!probe.birthDate || !probe.guardianKeys?.length) continue;
        for (const guardianKey of new Set(probe.guardianKeys)) {
          for (const row of held.get(guardianKey) ?? []) {
            if (dayOf(row.birth_date) !== probe.birthDate) continue;
            add({ key: probe.key, birthDate: probe.birthDate }, { documentId: row.document_id, institutionCode: row.institution_code, countyCode: row.county_code }, LIKELY_REASONS.sameGuardian);
          }
        }
      }
    }

    partDone('likelyByGuardianMs');
    if (options.othersFound) for (const [key, further] of others) options.othersFound.set(key, { count: further.length, atLeast: further.length >= OTHERS_COUNTED });
    others.clear();

    // described probe by probe, each probe's matches let go as its answer is made (no list of every match)
    const holderOf = await this.holderNames((function* () { for (const matches of found.values()) for (const { child } of matches) yield child; })());
    partDone('likelyHoldersMs');
    const answer = new Map<K, Candidate[]>();
    for (const [key, matches] of found) {
      answer.set(key, matches.map(({ child, reasons }) => ({ id: null, name: null, ...holderOf(child), reasons })));
      found.delete(key);
    }
    return answer;
  },
  };
};

export type DuplicatesService = ReturnType<typeof duplicatesService>;
export default duplicatesService;
export { withinOneEdit, nearlySpelled, nameReason, spellingKeys };
