import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { lastDayOf, localToday, ownerLevelOf, reviewerLevelOf } from '../../../domain/project-rules';
import { ROLLUP_GROUPS, baseRow, groupKey, groupRollup, money, regionGroupCodes, type Rollup, type RollupBase, type RollupGroup } from '../../../domain/project-rollup';
import { fieldError } from '../../../utils/validation';
import { actionsFor, transition, type TransitionActor, type TransitionContext } from '../../../domain/workflows';
import { qualifiedTable } from '../../../runtime/tables';
import { verifyUploads } from '../../../security/upload-content';
import { accessScope, runAsSystem } from '../../../domain/request-context';

const PROJECT = 'api::project.project';
const PROGRESS = 'api::project-progress.project-progress';
const GROUP_NAMES = Object.keys(ROLLUP_GROUPS) as RollupGroup[];
type Where = { prefix?: string; institutionCode?: string };
type SavedProject = {
  id: string; name: string; type: string; year: number; regionCode: string; ownerLevel: string; budget: number; sources: Record<string, number> | null;
  allocated: number; spent: number; progress: number; reviewState: string; latestReport: { month: string; late: boolean; state: string } | null;
};
/** What a monthly snapshot keeps of the projects (its `projects` JSON). */
export type SavedProjects = { asOf: string; projects: SavedProject[]; base: RollupBase[]; names: Record<string, string>; rollups: Record<RollupGroup, Rollup> };

/**
 * Project funds: review by the level above (submit → approved | returned: config/transitions.json
 * machines `project` and `project-progress`, through the one transition() of cms/src/domain/workflows.ts),
 * monthly progress reports and their review, who has not reported, and roll-ups of allocations and
 * spending by level and region, in SQL inside the caller's reach.
 */
export default factories.createCoreService(PROJECT, ({ strapi }) => {
  const knex = () => strapi.db.connection;
  const table = (name: string) => qualifiedTable(strapi, name);

  /** Each project's latest monthly progress report, up to the month `asOf` when given (one row per project: unique (project, month)). */
  const latestReports = (asOf?: string) => {
    const latest = knex()(table('project_progress_reports')).select('project_id').max({ month: 'month' }).groupBy('project_id');
    if (asOf) latest.where('month', '<=', asOf);
    return knex()({ pr: table('project_progress_reports') })
      .join(latest.as('lm'), function join() { this.on('lm.project_id', '=', 'pr.project_id').andOn('lm.month', '=', 'pr.month'); })
      .select('pr.project_id', 'pr.month', 'pr.late', 'pr.state');
  };

  /** A transition of a project or a monthly report (config/transitions.json), run as the system once the engine has checked the actor. */
  async function move(machineKey: 'project' | 'project-progress', action: string, user: TransitionActor, record: any, input: Record<string, unknown> = {}) {
    await runAsSystem(strapi, `project review ${machineKey} ${record?.id} ${action}`, () => transition(strapi, { machine: machineKey, action, actor: user, record, input }));
  }

  /** A stored row of `uid` (the engine's guarded UPDATE needs its id and state), found in reach by the document service first. */
  const row = (uid: string, documentId: string) => strapi.db.query(uid as any).findOne({ where: { documentId } });

  return {
    /** The owner submits its project for review by the level above. */
    async submit(user: any, documentId: string) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      await move('project', 'submit', user, await row(PROJECT, documentId));
      return this.withActions(user, PROJECT, await strapi.documents(PROJECT).findOne({ documentId }));
    },

    /** Attachments (images, PDF, Word and Excel files: config/security.json uploads.purposes.attachments) uploaded by the owner or the allocating level. */
    async addAttachments(user: any, documentId: string, files: any) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      const own = user.level === project.ownerLevel && user.regionCode === project.regionCode;
      if (!own && user.level !== reviewerLevelOf(project.ownerLevel)) throw new errors.ForbiddenError('附件由项目所属单位或下达单位上传');
      // checked by content, stored under a generated name (cms/src/security/upload-content.ts)
      const list = verifyUploads(files, 'attachments');
      if (list.length === 0) throw fieldError('files', '请选择要上传的文件');
      await strapi.plugin('upload').service('upload').upload({ data: { ref: PROJECT, refId: project.id, field: 'attachments' }, files: list });
      return strapi.documents(PROJECT).findOne({ documentId, populate: ['attachments'] });
    },

    /** The level above approves or returns (with a comment) a submitted project. */
    async review(user: any, documentId: string, input: { decision?: string; comment?: string }) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      const decision = input?.decision;
      if (decision !== 'approve' && decision !== 'return') throw fieldError('decision', '审核结果须为 approve 或 return');
      await move('project', decision, user, await row(PROJECT, documentId), { comment: input?.comment });
      return this.withActions(user, PROJECT, await strapi.documents(PROJECT).findOne({ documentId }));
    },

    /** The level above approves or returns a monthly progress report; approval moves the project's progress. */
    async reviewProgress(user: any, documentId: string, input: { decision?: string; comment?: string }) {
      const report: any = await strapi.documents(PROGRESS).findOne({ documentId });
      if (!report) throw new errors.NotFoundError('Not Found');
      const decision = input?.decision;
      if (decision !== 'approve' && decision !== 'return') throw fieldError('decision', '审核结果须为 approve 或 return');
      await move('project-progress', decision, user, await row(PROGRESS, documentId), { comment: input?.comment });
      return this.withActions(user, PROGRESS, await strapi.documents(PROGRESS).findOne({ documentId }));
    },

    /** Effect of project-progress.approve: the report's progress becomes its project's. */
    async progressApproved(ctx: TransitionContext) {
      await strapi.db.query(PROJECT).update({ where: { documentId: ctx.record.projectId }, data: { progress: ctx.record.progress } });
    },

    /** Records of projects or monthly reports with the transitions the caller may take now (`actions`, config/transitions.json). */
    async withActions(user: TransitionActor, uid: string, records: any) {
      const list = Array.isArray(records) ? records : records ? [records] : [];
      const actions = await actionsFor(strapi, uid === PROJECT ? 'project' : 'project-progress', user, list);
      list.forEach((record, i) => { record.actions = actions[i]; });
      return records;
    },

    /**
     * Monthly reporting in reach for `month`: each project with its report (late ones flagged) or
     * missing — overdue once the month's last day has passed.
     */
    async reporting(month: unknown) {
      const m = String(month ?? '');
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) throw fieldError('month', '月份格式须为 YYYY-MM');
      const projects: any[] = await strapi.documents(PROJECT).findMany({ fields: ['name', 'regionCode', 'ownerLevel', 'type', 'year'], limit: 10000 } as any);
      const reports: any[] = await strapi.documents(PROGRESS).findMany({ filters: { month: m }, limit: 10000 } as any);
      const byProject = new Map(reports.map((r) => [r.projectId, r]));
      const overdue = localToday() > lastDayOf(m);
      const rows = projects.map((p) => {
        const report = byProject.get(p.documentId);
        return {
          projectId: p.documentId, name: p.name, regionCode: p.regionCode, ownerLevel: p.ownerLevel,
          reportId: report?.documentId ?? null, state: report?.state ?? 'missing', late: report ? Boolean(report.late) : overdue, submittedAt: report?.submittedAt ?? null,
        };
      });
      return { month: m, dueOn: lastDayOf(m), rows, missing: rows.filter((r) => r.state === 'missing').length, late: rows.filter((r) => r.late).length };
    },

    /**
     * Allocations and spending summed in SQL per region code and type inside `where` (with the
     * projects whose latest progress report up to `asOf`, YYYY-MM, was late), then grouped by owning
     * level (groupBy=level) or by region prefix (province, prefecture, county): domain/project-rollup.ts.
     */
    async rollup(where: Where, groupBy: RollupGroup = 'level') {
      const base = await this.rollupBase(where);
      const names = groupBy === 'level' ? new Map<string, string>() : await this.regionNames(base.map((r) => groupKey(r.regionCode, groupBy)));
      return groupRollup(base, groupBy, names, where.prefix ?? '');
    },

    /** The one GROUP BY (region_code, type) behind every project roll-up, live or saved. */
    async rollupBase(where: Where, asOf?: string): Promise<RollupBase[]> {
      const query = knex()({ p: table('projects') })
        .leftJoin(latestReports(asOf).as('r'), 'r.project_id', 'p.document_id')
        .select('p.region_code', 'p.type')
        .count({ n: '*' }).sum({ budget: 'p.budget' }).sum({ allocated: 'p.allocated' }).sum({ spent: 'p.spent' })
        .select(knex().raw('SUM(CASE WHEN p.spent > p.allocated THEN 1 ELSE 0 END) AS overspent'))
        .select(knex().raw('SUM(CASE WHEN r.late = TRUE THEN 1 ELSE 0 END) AS late_reports'))
        .groupBy('p.region_code', 'p.type');
      // a project's place is its region code; a kindergarten's reach holds no project
      accessScope(strapi).whereSql(query, where, { county: 'p.region_code' });
      return (await query).map(baseRow);
    },

    async regionNames(codes: string[]): Promise<Map<string, string>> {
      const unique = [...new Set(codes)];
      const regions = unique.length ? await strapi.db.query('api::region.region').findMany({ where: { code: { $in: unique } }, select: ['code', 'name'] }) : [];
      return new Map(regions.map((r: any) => [r.code, r.name] as [string, string]));
    },

    /**
     * The project data of the monthly snapshot of `period` (YYYY-MM), in SQL: every project with its
     * figures, status and latest progress report up to the period; the GROUP BY rows of the roll-ups
     * with the names of their regions, and the national roll-ups by level and by region.
     */
    async snapshotProjects(period: string): Promise<SavedProjects> {
      const rows: any[] = await knex()({ p: table('projects') })
        .leftJoin(latestReports(period).as('r'), 'r.project_id', 'p.document_id')
        .select('p.document_id', 'p.name', 'p.type', 'p.year', 'p.region_code', 'p.owner_level', 'p.budget', 'p.sources', 'p.allocated', 'p.spent',
          'p.progress', 'p.review_state', 'r.month as report_month', 'r.late as report_late', 'r.state as report_state')
        .orderBy([{ column: 'p.region_code' }, { column: 'p.id' }]);
      const projects: SavedProject[] = rows.map((r) => ({
        id: r.document_id, name: r.name, type: r.type, year: Number(r.year), regionCode: r.region_code, ownerLevel: r.owner_level ?? ownerLevelOf(r.region_code),
        budget: money(r.budget), sources: typeof r.sources === 'string' ? JSON.parse(r.sources) : r.sources ?? null,
        allocated: money(r.allocated), spent: money(r.spent), progress: Number(r.progress ?? 0), reviewState: r.review_state ?? 'draft',
        latestReport: r.report_month ? { month: r.report_month, late: Number(r.report_late) === 1 || r.report_late === true, state: r.report_state } : null,
      }));
      const base = await this.rollupBase({}, period);
      const names = Object.fromEntries(await this.regionNames(regionGroupCodes(base)));
      const rollups = Object.fromEntries(GROUP_NAMES.map((g) => [g, groupRollup(base, g, names)])) as Record<RollupGroup, Rollup>;
      return { asOf: period, projects, base, names, rollups };
    },

    /**
     * The part of saved project data inside a region prefix ('' for the whole country): the projects
     * whose region code starts with it, and the roll-ups regrouped from the saved GROUP BY rows of
     * those projects — the same rule as the prefix scope of live projects and GET /api/project-rollup.
     * Snapshots saved before project data was kept hold an empty list: no projects.
     */
    snapshotPart(saved: unknown, prefix: string) {
      const data = saved && !Array.isArray(saved) ? (saved as SavedProjects) : null;
      const inside = (code: string) => String(code).startsWith(prefix);
      const base = (data?.base ?? []).filter((r) => inside(r.regionCode));
      return {
        asOf: data?.asOf ?? null,
        projects: (data?.projects ?? []).filter((p) => inside(p.regionCode)),
        rollups: Object.fromEntries(GROUP_NAMES.map((g) => [g, groupRollup(base, g, data?.names ?? {}, prefix)])) as Record<RollupGroup, Rollup>,
      };
    },
  };
});
