import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import { customDimensions } from '../../../domain/custom-fields';
import { accessScope } from '../../../domain/request-context';
import { taskSources } from '../../../domain/task-statistics';

const GROUPS = ['county', 'prefecture', 'province'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const reachOf = (strapi: Core.Strapi, user: unknown) => accessScope(strapi).reachOf(user as any);
const query = (strapi: Core.Strapi) => strapi.service('api::statistics.query') as any;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/statistics?groupBy=county|prefecture|province: figures and indicators inside the caller's reach. */
  async report(ctx) {
    const groupBy = String(ctx.query.groupBy ?? 'county');
    if (!GROUPS.includes(groupBy)) throw fieldError('groupBy', '分组须为 county、prefecture 或 province');
    const year = ctx.query.year === undefined ? undefined : Number(ctx.query.year);
    if (year !== undefined && !/^\d{4}$/.test(String(ctx.query.year))) throw fieldError('year', '年份须为 4 位数字');
    const statistics = strapi.service('api::statistics.statistics');
    const where = accessScope(strapi).sqlReach(reachOf(strapi, ctx.state.user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    ctx.body = await statistics.report(where, groupBy, year);
  },

  /** GET /api/statistics/trend?indicator=…&from=YYYY-MM&to=YYYY-MM: month by month from the snapshots, for the caller's reach. */
  async trend(ctx) {
    const { indicator, from, to, region } = ctx.query;
    ctx.body = await query(strapi).run(reachOf(strapi, ctx.state.user), { indicator, dimension: 'month', filters: { from, to, region } });
  },

  /** GET /api/statistics/catalog: the indicators, dimensions, filters and chart types the panel's pickers offer. */
  async catalog(ctx) {
    const catalog = strapi.service('api::statistics.export').catalog();
    // with the children's yes/no and code-table custom fields that concern the caller (custom:<key>)
    const custom = await customDimensions(strapi, reachOf(strapi, ctx.state.user));
    // with the collection tasks the caller reads, each with its own indicators and dimensions (task:<task>:<field>)
    const tasks = await taskSources(strapi, reachOf(strapi, ctx.state.user));
    ctx.body = { ...catalog, dimensions: [...catalog.dimensions, ...custom], tasks };
  },

  /** POST /api/statistics/query {indicator, dimension, filters} (?format=xlsx for the numbers as a workbook). */
  async query(ctx) {
    const body = ctx.request.body?.data ?? ctx.request.body ?? {};
    const result = await query(strapi).run(reachOf(strapi, ctx.state.user), body);
    if (ctx.query.format === 'xlsx') {
      const title = String(body.title ?? result.indicator.label).slice(0, 100);
      await strapi.service('api::statistics.export').record(ctx.state.user, 'statistics-query', { ...body, title }, result.rows.length);
      ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${title}.xlsx`)}`);
      ctx.type = XLSX;
      ctx.body = await query(strapi).toXlsx([{ title, result }]);
      return;
    }
    ctx.body = result;
  },

  /** GET /api/statistics/export: the summary of the caller's level and every level below, as xlsx; recorded. */
  async export(ctx) {
    const { buffer, filename } = await strapi.service('api::statistics.export').summary(ctx.state.user, ctx.query.year);
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
    ctx.type = XLSX;
    ctx.body = buffer;
  },
});
