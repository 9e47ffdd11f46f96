import type { Core } from '@strapi/strapi';
import { fieldError } from '../utils/validation';

const KINDERGARTEN = 'api::kindergarten.kindergarten';

/**
 * A kindergarten's county code must be a county of the GB/T 2260 tree; the `county` relation
 * (which lets the region tree list its kindergartens) always follows the code and is never set
 * on its own.
 */
export function kindergartenCountyMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid !== KINDERGARTEN || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    delete data.county;
    if (data.countyCode !== undefined) {
      const county = /^\d{6}$/.test(String(data.countyCode))
        ? await strapi.db.query('api::region.region').findOne({ where: { code: data.countyCode, level: 'county' } })
        : null;
      if (!county) throw fieldError('countyCode', '所属区县代码不是有效的县级行政区划代码');
      data.county = county.documentId;
    }
    return next();
  };
}
