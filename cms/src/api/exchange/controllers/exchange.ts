import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { currentExchangeSettings } from '../../../exchange';
import { nationalStatistics } from '../../../exchange/national';
import { fieldError } from '../../../utils/validation';

/**
 * The national instance's figures over all provinces, from their signed monthly packages
 * (docs/two-level-deployment.md). Granted to the Ministry (config/roles.json); a province or single
 * deployment has no such figures (404).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async nationalStatistics(ctx) {
    const settings = currentExchangeSettings();
    if (settings.role !== 'national') throw new errors.NotFoundError('本部署不是全国部署，没有各省统计数据包');
    const period = String(ctx.query?.period ?? '');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw fieldError('period', '期间格式须为 YYYY-MM');
    ctx.body = { data: await nationalStatistics(strapi, settings, period) };
  },
});
