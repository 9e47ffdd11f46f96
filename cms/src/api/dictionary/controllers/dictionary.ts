import { dictionaries } from '../../../domain/dictionaries';
import { regionIndex } from '../../../domain/region-names';

/** The code tables (config/dictionaries.json) for the panel's choices, and the region tree for its region picker. */
export default ({ strapi }) => ({
  async list(ctx) {
    ctx.body = dictionaries();
  },

  /**
   * GET /api/dictionaries/regions: the whole GB/T 2260 tree (public, the same for every caller: a
   * birthplace may be anywhere), compact: rows of [code, name, parentCode, pinyin initials, level].
   */
  async regions(ctx) {
    const { rows } = await regionIndex(strapi);
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.body = { columns: ['code', 'name', 'parentCode', 'initials', 'level'], rows: rows.map((row) => [row.code, row.name, row.parentCode ?? '', row.initials, row.level]) };
  },
});
