import type { Core } from '@strapi/strapi';
import type { ChartPageService } from '../services/chart-page';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const service = (strapi: Core.Strapi) => strapi.service('api::chart-page.chart-page') as unknown as ChartPageService;

/** Thin: every rule (who opens, who edits, what a chart may ask) is in the chart-page service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await service(strapi).list(ctx.state.user, ctx.query);
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).open(ctx.state.user, ctx.params.id) };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).create(ctx.state.user, ctx.request.body?.data ?? {}) };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).update(ctx.state.user, ctx.params.id, ctx.request.body?.data ?? {}) };
  },
  async delete(ctx) {
    ctx.body = { data: await service(strapi).remove(ctx.state.user, ctx.params.id) };
  },
  /** GET /api/chart-pages/:id/charts/:n/data[?format=xlsx]: the numbers behind chart n, inside the caller's reach. */
  async chartData(ctx) {
    const answer = await service(strapi).data(ctx.state.user, ctx.params.id, ctx.params.n, ctx.query.format === 'xlsx');
    if (answer.xlsx) {
      ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(answer.filename)}`);
      ctx.type = XLSX;
      ctx.body = answer.xlsx;
    } else ctx.body = { data: answer.results[0] };
  },
  /** GET /api/chart-pages/:id/data[?format=xlsx]: every chart's numbers (one sheet per chart). */
  async pageData(ctx) {
    const answer = await service(strapi).data(ctx.state.user, ctx.params.id, null, ctx.query.format === 'xlsx');
    if (answer.xlsx) {
      ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(answer.filename)}`);
      ctx.type = XLSX;
      ctx.body = answer.xlsx;
    } else ctx.body = { data: answer.results };
  },
});
