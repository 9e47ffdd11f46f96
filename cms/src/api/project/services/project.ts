import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { lastDayOf, localToday, ownerLevelOf, reviewerLevelOf } from '../../../domain/project-rules';
import { conflictError, fieldError } from '../../../utils/validation';

const PROJECT = 'api::project.project';
const PROGRESS = 'api::project-progress.project-progress';
const GROUPS = { level: 0, province: 2, prefecture: 4, county: 6 } as const;
type Where = { prefix?: string; institutionCode?: string };
type Sums = { projects: number; budget: number; allocated: number; spent: number; overspent: number; byType: Record<string, { allocated: number; spent: number }> };
const money = (value: unknown) => Math.round(Number(value ?? 0) * 100) / 100;
const empty = (): Sums => ({ projects: 0, budget: 0, allocated: 0, spent: 0, overspent: 0, byType: {} });
const ATTACHMENT_TYPES = /^(image\/(jpeg|png|gif|webp)|application\/pdf|application\/vnd\.openxmlformats-officedocument\.(wordprocessingml\.document|spreadsheetml\.sheet)|application\/msword|application\/vnd\.ms-excel)$/;
const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
const LEVEL_NAMES: Record<string, string> = { province: '省级', prefecture: '地市级', county: '县级' };

/**
 * Project funds: review by the level above (submit → approved | returned, one guarded UPDATE),
 * monthly progress reports and their review, who has not reported, and roll-ups of allocations and
 * spending by level and region, in SQL inside the caller's reach.
 */
export default factories.createCoreService(PROJECT, ({ strapi }) => {
  const knex = () => strapi.db.connection;
  const table = (name: string) => {
    const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
    return strapi.db.dialect.client === 'postgres' && schema ? `${schema}.${name}` : name;
  };

  /** Moves a record of `uid` from one of `from` to `data`, only if nobody moved it first. */
  async function guardedMove(uid: string, id: number, from: string[], field: string, data: Record<string, unknown>) {
    const state = strapi.requestContext.get()?.state;
    if (state) state.reviewingProject = true;
    try {
      const { count } = await strapi.db.query(uid as any).updateMany({ where: { id, [field]: { $in: from } }, data });
      if (count !== 1) throw conflictError('该记录已被他人处理，请刷新', [field]);
    } finally {
      if (state) delete state.reviewingProject;
    }
  }

  return {
    /** The owner submits its project for review by the level above. */
    async submit(user: any, documentId: string) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      if (!(user.level === project.ownerLevel && user.regionCode === project.regionCode)) throw new errors.ForbiddenError('项目由所属单位提交审核');
      await guardedMove(PROJECT, project.id, ['draft', 'returned', 'approved'], 'reviewState', { reviewState: 'submitted', reviewComment: null });
      return strapi.documents(PROJECT).findOne({ documentId });
    },

    /** Attachments (images, PDF, Word and Excel files, 20 MB each) uploaded by the owner or the allocating level. */
    async addAttachments(user: any, documentId: string, files: any) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      const own = user.level === project.ownerLevel && user.regionCode === project.regionCode;
      if (!own && user.level !== reviewerLevelOf(project.ownerLevel)) throw new errors.ForbiddenError('附件由项目所属单位或下达单位上传');
      const list = (Array.isArray(files) ? files : [files]).filter(Boolean);
      if (list.length === 0) throw fieldError('files', '请选择要上传的文件');
      for (const file of list) {
        const mime = file.mimetype ?? file.type ?? '';
        if (!ATTACHMENT_TYPES.test(mime)) throw fieldError('files', `${file.originalFilename ?? file.name ?? '文件'}：只能上传图片、PDF、Word 或 Excel 文件`);
        if (file.size > ATTACHMENT_MAX_BYTES) throw fieldError('files', `${file.originalFilename ?? file.name ?? '文件'}：不能超过 20 MB`);
      }
      await strapi.plugin('upload').service('upload').upload({ data: { ref: PROJECT, refId: project.id, field: 'attachments' }, files: list });
      return strapi.documents(PROJECT).findOne({ documentId, populate: ['attachments'] });
    },

    /** The level above approves or returns (with a comment) a submitted project. */
    async review(user: any, documentId: string, input: { decision?: string; comment?: string }) {
      const project: any = await strapi.documents(PROJECT).findOne({ documentId });
      if (!project) throw new errors.NotFoundError('Not Found');
      if (user.level !== reviewerLevelOf(project.ownerLevel)) throw new errors.ForbiddenError('项目由上一级审核');
      const decision = input?.decision;
      if (decision !== 'approve' && decision !== 'return') throw fieldError('decision', '审核结果须为 approve 或 return');
      const comment = String(input?.comment ?? '').trim();
      if (decision === 'return' && !comment) throw fieldError('comment', '退回须填写审核意见');
      await guardedMove(PROJECT, project.id, ['submitted'], 'reviewState', {
        reviewState: decision === 'approve' ? 'approved' : 'returned', reviewComment: comment || null, reviewedByName: user.fullName || user.username,
      });
      return strapi.documents(PROJECT).findOne({ documentId });
    },

    /** The level above approves or returns a monthly progress report; approval moves the project's progress. */
    async reviewProgress(user: any, documentId: string, input: { decision?: string; comment?: string }) {
      const report: any = await strapi.documents(PROGRESS).findOne({ documentId });
      if (!report) throw new errors.NotFoundError('Not Found');
      if (user.level !== reviewerLevelOf(ownerLevelOf(report.regionCode))) throw new errors.ForbiddenError('进展月报由上一级审核');
      const decision = input?.decision;
      if (decision !== 'approve' && decision !== 'return') throw fieldError('decision', '审核结果须为 approve 或 return');
      const comment = String(input?.comment ?? '').trim();
      if (decision === 'return' && !comment) throw fieldError('comment', '退回须填写审核意见');
      await strapi.db.transaction(async () => {
        await guardedMove(PROGRESS, report.id, ['submitted'], 'state', {
          state: decision === 'approve' ? 'approved' : 'returned', reviewComment: comment || null, reviewedByName: user.fullName || user.username,
        });
        if (decision === 'approve') await strapi.db.query(PROJECT).update({ where: { documentId: report.projectId }, data: { progress: report.progress } });
      });
      return strapi.documents(PROGRESS).findOne({ documentId });
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
     * Allocations and spending summed in SQL per region code and type inside `where`, then grouped
     * by owning level (groupBy=level) or by region prefix (province, prefecture, county).
     */
    async rollup(where: Where, groupBy: keyof typeof GROUPS = 'level') {
      const query = knex()(table('projects')).select('region_code', 'type')
        .count({ n: '*' }).sum({ budget: 'budget' }).sum({ allocated: 'allocated' }).sum({ spent: 'spent' })
        .select(knex().raw('SUM(CASE WHEN spent > allocated THEN 1 ELSE 0 END) AS overspent'))
        .groupBy('region_code', 'type');
      if (where.prefix) query.where('region_code', 'like', `${where.prefix}%`);
      if (where.institutionCode) query.whereRaw('1 = 0');
      const rows: any[] = await query;
      const grouped = new Map<string, Sums>();
      const total = empty();
      for (const r of rows) {
        const key = groupBy === 'level' ? ownerLevelOf(r.region_code) : String(r.region_code).slice(0, GROUPS[groupBy]).padEnd(6, '0');
        const sums = grouped.get(key) ?? empty();
        grouped.set(key, sums);
        for (const s of [sums, total]) {
          s.projects += Number(r.n);
          s.budget = money(s.budget + Number(r.budget ?? 0));
          s.allocated = money(s.allocated + Number(r.allocated ?? 0));
          s.spent = money(s.spent + Number(r.spent ?? 0));
          s.overspent += Number(r.overspent ?? 0);
          const t = (s.byType[r.type] ??= { allocated: 0, spent: 0 });
          t.allocated = money(t.allocated + Number(r.allocated ?? 0));
          t.spent = money(t.spent + Number(r.spent ?? 0));
        }
      }
      const regions = groupBy === 'level' ? [] : await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...grouped.keys()] } }, select: ['code', 'name'] });
      const names = new Map<string, string>([...Object.entries(LEVEL_NAMES), ...regions.map((r: any) => [r.code, r.name] as [string, string])]);
      const order = ['province', 'prefecture', 'county'];
      return {
        rows: [...grouped.entries()]
          .sort(([a], [b]) => (groupBy === 'level' ? order.indexOf(a) - order.indexOf(b) : a.localeCompare(b)))
          .map(([code, sums]) => ({ code, name: names.get(code) ?? code, ...sums })),
        total: { code: where.prefix ?? '', name: '合计', ...total },
      };
    },
  };
});
