import type { Core } from '@strapi/strapi';
import { pinyin } from 'pinyin-pro';

/** One region of the GB/T 2260 tree as the panel's region picker reads it. */
export type RegionName = { code: string; name: string; level: 'province' | 'prefecture' | 'county'; parentCode: string | null; initials: string };

type Index = { rows: RegionName[]; byCode: Map<string, RegionName> };
const indexes = new WeakMap<object, Promise<Index>>();
const loaded = new WeakMap<object, Index>();

/** Pinyin initials of a name, lower case ("鲤城区" → "lcq"), for searching by initials. */
export const initialsOf = (name: string): string =>
  pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase().replace(/[^a-z]/g, '');

function withLazyInitials(row: Omit<RegionName, 'initials'>): RegionName {
  let initials: string | undefined;
  return Object.defineProperty(row, 'initials', { enumerable: true, get: () => (initials ??= initialsOf(row.name)) }) as RegionName;
}

/**
 * The region tree as stored (loaded from the GB/T 2260 package at every start by
 * cms/src/bootstrap/regions.ts), kept in memory once read: codes, names, parents and pinyin
 * initials. The tree is public and the same for every caller (a birthplace may be anywhere).
 */
export function regionIndex(strapi: Core.Strapi): Promise<Index> {
  let index = indexes.get(strapi);
  if (!index) {
    index = (async () => {
      const stored: { code: string; name: string; level: RegionName['level']; parentCode: string | null }[] = await strapi.db
        .query('api::region.region')
        .findMany({ select: ['code', 'name', 'level', 'parentCode'], orderBy: { code: 'asc' } });
      // the initials (pinyin of ~3,200 names, about 0.5 s) are worked out when first read, not at start
      const rows = stored.map((row) => withLazyInitials({ code: row.code, name: row.name, level: row.level, parentCode: row.parentCode ?? null }));
      const built = { rows, byCode: new Map(rows.map((row) => [row.code, row])) };
      loaded.set(strapi, built);
      return built;
    })();
    index.catch(() => indexes.delete(strapi));
    indexes.set(strapi, index);
  }
  return index;
}

/**
 * The full name of a region code, top first without repeating a level ("福建省泉州市鲤城区"), or
 * the code itself when it is not a region of the tree (an old record, a typo): never blank.
 */
export function regionPath(index: Index, code: unknown): string {
  if (code === null || code === undefined || code === '') return '';
  const names: string[] = [];
  let at = index.byCode.get(String(code));
  if (!at) return String(code);
  for (let guard = 0; at && guard < 4; guard++) {
    names.unshift(at.name);
    at = at.parentCode ? index.byCode.get(at.parentCode) : undefined;
  }
  return names.join('');
}

/** `code → full name` for the given codes (for printing and exports). */
export async function regionNames(strapi: Core.Strapi, codes: unknown[]): Promise<Map<string, string>> {
  const index = await regionIndex(strapi);
  return new Map(codes.filter((code) => code !== null && code !== undefined && code !== '').map((code) => [String(code), regionPath(index, code)]));
}

/**
 * The full name of a region code now, for code that cannot wait (an export's cell): the index is
 * read at start (cms/src/index.ts); before that, the code itself.
 */
export function regionNameNow(strapi: Core.Strapi, code: unknown): string {
  const index = loaded.get(strapi);
  return index ? regionPath(index, code) : code === null || code === undefined ? '' : String(code);
}
