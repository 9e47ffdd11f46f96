import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { newDocumentId } from '../../../domain/document-ids';
import { indicatorsConfig, validateQuery } from '../../../domain/indicators';
import { checkTaskChart, isTaskName } from '../../../domain/task-statistics';
import { recordExport } from '../../../domain/exports';
import { fieldError, fieldsError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';

const PAGE = 'api::chart-page.chart-page';
const MAX_CHARTS = 12;
const SORTABLE = new Set(['title', 'updatedAt', 'createdAt', 'ownerName']);

type User = { id: number; username?: string; fullName?: string; level?: string; regionCode?: string; institutionCode?: string; blocked?: boolean };
export type Chart = { title: string; indicator: string; dimension: string; filters: Record<string, string>; type: string };

const notFound = () => new errors.NotFoundError('Not Found');

/**
 * Analysts' chart pages (图表页). A page belongs to its owner's reach (`ownerPrefix`: the region
 * prefix of the owner, '' for the Ministry). Sharing: anyone whose reach lies inside that prefix
 * opens it (the owner's colleagues and the levels below in that region); anyone outside gets 404, as
 * for a page that does not exist. Only the owner changes or deletes it. Each chart is a query of the
 * statistics query service, checked against config/indicators.json when saved and run with the
 * reader's own reach when read: a reader never sees a figure outside their reach.
 */
const chartPageService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The region prefix of a user's reach; null for users without a regional reach (kindergartens, none). */
  prefixOf(user: User | null | undefined): string | null {
    const scope = accessScope(strapi);
    return scope.prefixOf(scope.reachOf(user as any));
  },

  /** The owner prefixes whose pages a user opens: their own prefix and each shorter region prefix of it. */
  visiblePrefixes(user: User): string[] {
    const prefix = this.prefixOf(user);
    if (prefix === null) return [];
    return ['', prefix.slice(0, 2), prefix.slice(0, 4), prefix.slice(0, 6)].filter((p, i, all) => p.length <= prefix.length && all.indexOf(p) === i);
  },

  async list(user: User, query: any = {}) {
    const prefixes = this.visiblePrefixes(user);
    const start = Math.max(0, Number(query.pagination?.start ?? 0) || 0);
    const limit = Math.min(100, Math.max(1, Number(query.pagination?.limit ?? 25) || 25));
    const [field, order] = String(query.sort ?? 'updatedAt:desc').split(':');
    const where: any = { ownerPrefix: { $in: prefixes.length ? prefixes : ['-'] } };
    const q = typeof query.filters?.q === 'string' ? query.filters.q : query.filters?.title?.$containsi;
    if (typeof q === 'string' && q) where.title = { $containsi: q };
    const [rows, total] = await Promise.all([
      strapi.db.query(PAGE).findMany({ where, orderBy: { [SORTABLE.has(field) ? field : 'updatedAt']: order === 'asc' ? 'asc' : 'desc' }, offset: start, limit }),
      strapi.db.query(PAGE).count({ where }),
    ]);
    return { data: rows.map((row: any) => this.present(user, row)), meta: { pagination: { start, limit, total } } };
  },

  present(user: User, row: any) {
    return {
      documentId: row.documentId, title: row.title, description: row.description ?? null, charts: row.charts ?? [],
      ownerName: row.ownerName, ownerLevel: row.ownerLevel, ownerPrefix: row.ownerPrefix ?? '',
      mine: row.ownerId === user.id, createdAt: row.createdAt, updatedAt: row.updatedAt,
    };
  },

  /** A page the user may open, or 404. */
  async load(user: User, id: string) {
    const row = await strapi.db.query(PAGE).findOne({ where: { documentId: String(id) } });
    if (!row || !this.visiblePrefixes(user).includes(row.ownerPrefix ?? '')) throw notFound();
    return row;
  },

  async open(user: User, id: string) {
    return this.present(user, await this.load(user, id));
  },

  /** Checks and picks a page's fields: a title, and 1–12 charts each a valid query with a title and a chart type. */
  check(data: any, partial = false): { title?: string; description?: string | null; charts?: Chart[] } {
    const picked: { title?: string; description?: string | null; charts?: Chart[] } = {};
    const problems: { field: string; message: string }[] = [];
    if (data.title !== undefined || !partial) {
      const title = String(data.title ?? '').trim();
      if (!title || title.length > 100) problems.push({ field: 'title', message: '标题须为 1–100 个字' });
      picked.title = title;
    }
    if (data.description !== undefined) picked.description = data.description === null ? null : String(data.description).slice(0, 1000);
    if (data.charts !== undefined || !partial) {
      const charts = data.charts;
      if (!Array.isArray(charts) || charts.length === 0 || charts.length > MAX_CHARTS) problems.push({ field: 'charts', message: `图表须有 1–${MAX_CHARTS} 个` });
      else {
        picked.charts = charts.map((chart: any, i: number) => {
          const title = String(chart?.title ?? '').trim().slice(0, 100);
          const type = String(chart?.type ?? '');
          if (!indicatorsConfig().chartTypes.includes(type)) problems.push({ field: `charts.${i}.type`, message: `第 ${i + 1} 个图表：图表类型须为 ${indicatorsConfig().chartTypes.join('、')}` });
          try {
            // a child custom field (custom:<key>) is checked like 性别 here, and against its definition when the chart is drawn
            // a collection task's figure (task:<task>:<field>): its names' shape here, the task's form when the chart is drawn
            if (isTaskName(chart?.indicator)) return { title, ...checkTaskChart(chart), type };
            const custom = typeof chart?.dimension === 'string' && /^custom:[a-z][a-z0-9_]{0,39}$/.test(chart.dimension);
            const query = validateQuery(custom ? { ...chart, dimension: 'sex' } : chart);
            return { title, indicator: query.indicator, dimension: custom ? chart.dimension : query.dimension, filters: query.filters, type };
          } catch (error: any) {
            for (const detail of error?.details?.errors ?? [{ path: ['charts'], message: error.message }]) {
              problems.push({ field: `charts.${i}.${detail.path.join('.')}`, message: `第 ${i + 1} 个图表：${detail.message}` });
            }
            return null as unknown as Chart;
          }
        });
      }
    }
    if (problems.length) throw fieldsError(problems);
    return picked;
  },

  async create(user: User, data: any) {
    const prefix = this.prefixOf(user);
    if (prefix === null) throw new errors.ForbiddenError('只有各级教育行政部门的用户可以建立图表页');
    const picked = this.check(data);
    const now = new Date();
    const row = await strapi.db.query(PAGE).create({
      data: {
        documentId: newDocumentId(), ...picked, ownerPrefix: prefix, ownerId: user.id, ownerName: user.fullName || user.username,
        ownerLevel: user.level, createdAt: now, updatedAt: now, publishedAt: now,
      },
    });
    return this.present(user, row);
  },

  async update(user: User, id: string, data: any) {
    const row = await this.load(user, id);
    if (row.ownerId !== user.id) throw new errors.ForbiddenError('只有图表页的创建者可以修改');
    const picked = this.check(data, true);
    const updated = await strapi.db.query(PAGE).update({ where: { id: row.id }, data: { ...picked, updatedAt: new Date() } });
    return this.present(user, updated);
  },

  async remove(user: User, id: string) {
    const row = await this.load(user, id);
    if (row.ownerId !== user.id) throw new errors.ForbiddenError('只有图表页的创建者可以删除');
    await strapi.db.query(PAGE).delete({ where: { id: row.id } });
    return { documentId: row.documentId };
  },

  /** The numbers behind one chart (n, from 0) or all of them, with the reader's reach; as xlsx when asked (recorded). */
  async data(user: User, id: string, n: string | null, xlsx: boolean) {
    const row = await this.load(user, id);
    const charts: Chart[] = row.charts ?? [];
    let selected = charts.map((chart, i) => ({ chart, i }));
    if (n !== null) {
      const index = Number(n);
      if (!/^\d+$/.test(String(n)) || !charts[index]) throw fieldError('n', `没有第 ${n} 个图表（共 ${charts.length} 个，从 0 起）`);
      selected = [{ chart: charts[index], i: index }];
    }
    const reach = accessScope(strapi).reachOf(user as any);
    const query = strapi.service('api::statistics.query') as any;
    const results = [];
    for (const { chart, i } of selected) results.push({ index: i, title: chart.title || `图表 ${i + 1}`, type: chart.type, result: await query.run(reach, chart) });
    if (!xlsx) return { results };
    const buffer: Buffer = await query.toXlsx(results.map((r) => ({ title: r.title, result: r.result })));
    await recordExport(strapi, {
      kind: 'chart-data', format: 'xlsx', rowCount: results.reduce((sum, r) => sum + r.result.rows.length, 0), user,
      filters: { page: row.documentId, title: row.title, charts: selected.map(({ chart, i }) => ({ n: i, indicator: chart.indicator, dimension: chart.dimension, filters: chart.filters })) },
    });
    const name = n === null ? row.title : `${row.title}-${results[0].title}`;
    return { results, xlsx: buffer, filename: `${name}.xlsx` };
  },
});

export type ChartPageService = ReturnType<typeof chartPageService>;
export default chartPageService;
