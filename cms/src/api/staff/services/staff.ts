import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { staffingConfig } from '../../../domain/staff-rules';
import { conflictError, fieldError } from '../../../utils/validation';
import { accessScope, runAsSystem, type SqlReach } from '../../../domain/request-context';
import { qualifiedTable } from '../../../runtime/tables';

const STAFF = 'api::staff.staff';
const TRAINING = 'api::training-record.training-record';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
/** Levels that see full ID numbers on the record itself: the person's kindergarten and its county. */
export const FULL_NUMBER_LEVELS = new Set(['institution', 'county']);
const LEVEL_DIGITS = { county: 6, prefecture: 4, province: 2 } as const;

/** A reach as raw SQL applies it (the access-scope plugin's `sqlReach`). */
export type Where = SqlReach;
/** Staff counts of one county, for the statistics (生师比, 持证上岗率). */
export type StaffCounts = { staff: number; teachers: number; careWorkers: number; certificateHolders: number; certificateRequired: number };
export type Breakdown = Record<string, number>;
export type AnalysisRow = {
  code: string; name: string; total: number;
  ageBands: Breakdown; degree: Breakdown; title: Breakdown; establishment: Breakdown; post: Breakdown;
  certificateHolders: number; certificateRequired: number; certificateRate: number | null;
};

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);
const add = (breakdown: Breakdown, key: string, count: number) => { breakdown[key] = (breakdown[key] ?? 0) + count; };

function emptyRow(code: string, name: string): AnalysisRow {
  return { code, name, total: 0, ageBands: {}, degree: {}, title: {}, establishment: {}, post: {}, certificateHolders: 0, certificateRequired: 0, certificateRate: null };
}

const staffService = factories.createCoreService(STAFF, ({ strapi }) => {
  const knex = () => strapi.db.connection;
  const table = (name: string) => qualifiedTable(strapi, name);
  const birthYearSql = () => (strapi.db.dialect.client === 'postgres' ? 'CAST(EXTRACT(YEAR FROM birth_date) AS integer)' : 'CAST(substr(birth_date, 1, 4) AS integer)');
  const scoped = (query: any, where: Where) => accessScope(strapi).whereSql(query, where, STAFF);

  return {
    /** The record as its kindergarten or county sees it: with the full ID number; others see it masked. */
    async withFullNumber(user: any, record: any) {
      if (!record || !FULL_NUMBER_LEVELS.has(user?.level)) return record;
      const stored = await strapi.db.query(STAFF).findOne({ where: { documentId: record.documentId }, select: ['idNumber'] });
      return { ...record, idNumber: stored?.idNumber ?? null };
    },

    /**
     * Active staff per county inside `where`, by the posts of config/staffing.json. For the
     * statistics (专任教师 : 幼儿 = children ÷ teachers; 持证上岗率 = holders ÷ principals and teachers).
     */
    async countsByCounty(where: Where): Promise<Map<string, StaffCounts>> {
      const config = staffingConfig();
      const posts = (list: string[]) => list.map((p) => `'${p.replace(/'/g, '')}'`).join(', ') || 'NULL';
      const rows = await scoped(
        knex()(table('staff_members')).select('county_code').count({ staff: '*' })
          .select(knex().raw(`SUM(CASE WHEN post IN (${posts(config.teacherPosts)}) THEN 1 ELSE 0 END) AS teachers`))
          .select(knex().raw(`SUM(CASE WHEN post IN (${posts(config.careWorkerPosts)}) THEN 1 ELSE 0 END) AS care_workers`))
          .select(knex().raw(`SUM(CASE WHEN post IN (${posts(config.certificatePosts)}) THEN 1 ELSE 0 END) AS certificate_required`))
          .select(knex().raw(`SUM(CASE WHEN post IN (${posts(config.certificatePosts)}) AND certificate_type IS NOT NULL AND certificate_type <> '' THEN 1 ELSE 0 END) AS certificate_holders`))
          .whereIn('employment_status', config.activeStatuses).groupBy('county_code'),
        where,
      );
      return new Map(rows.map((r: any) => [r.county_code, {
        staff: Number(r.staff), teachers: Number(r.teachers), careWorkers: Number(r.care_workers),
        certificateHolders: Number(r.certificate_holders), certificateRequired: Number(r.certificate_required),
      }]));
    },

    /**
     * Staff analysis per region (GET /api/staff-analysis): age bands, highest degree, 持证率, 职称,
     * 编制 and posts of the active staff inside `where`, counted in SQL per county and combination
     * of those codes, then rolled up by region prefix.
     */
    async analysis(where: Where, groupBy: keyof typeof LEVEL_DIGITS = 'county', today = new Date()) {
      const config = staffingConfig();
      const rows = await scoped(
        knex()(table('staff_members'))
          .select('county_code', 'post', 'degree', 'title', 'establishment')
          .select(knex().raw(`${birthYearSql()} AS birth_year`))
          .select(knex().raw(`CASE WHEN certificate_type IS NOT NULL AND certificate_type <> '' THEN 1 ELSE 0 END AS certified`))
          .count({ n: '*' })
          .whereIn('employment_status', config.activeStatuses)
          .groupBy('county_code', 'post', 'degree', 'title', 'establishment', knex().raw(birthYearSql()), knex().raw(`CASE WHEN certificate_type IS NOT NULL AND certificate_type <> '' THEN 1 ELSE 0 END`)),
        where,
      );
      const digits = LEVEL_DIGITS[groupBy] ?? 6;
      const year = today.getFullYear();
      const bands = [...config.ageBands].sort((a, b) => b.from - a.from);
      const grouped = new Map<string, AnalysisRow>();
      const total = emptyRow(where.prefix ?? where.institutionCode ?? '', '合计');
      for (const r of rows as any[]) {
        const code = String(r.county_code).slice(0, digits).padEnd(6, '0');
        const row = grouped.get(code) ?? emptyRow(code, code);
        grouped.set(code, row);
        const n = Number(r.n);
        const age = r.birth_year ? year - Number(r.birth_year) : null;
        const band = age === null ? 'unknown' : bands.find((b) => age >= b.from)?.code ?? 'unknown';
        for (const target of [row, total]) {
          target.total += n;
          add(target.ageBands, band, n);
          add(target.degree, r.degree ?? 'unknown', n);
          add(target.title, r.title ?? 'unknown', n);
          add(target.establishment, r.establishment ?? 'unknown', n);
          add(target.post, r.post ?? 'unknown', n);
          if (config.certificatePosts.includes(r.post)) {
            target.certificateRequired += n;
            if (Number(r.certified) === 1) target.certificateHolders += n;
          }
        }
      }
      const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...grouped.keys()] } }, select: ['code', 'name'] });
      const names = new Map(regions.map((r: any) => [r.code, r.name]));
      const result = [...grouped.values()].sort((a, b) => a.code.localeCompare(b.code)).map((row) => ({ ...row, name: names.get(row.code) ?? row.code, certificateRate: ratio(row.certificateHolders, row.certificateRequired) }));
      return { rows: result, total: { ...total, certificateRate: ratio(total.certificateHolders, total.certificateRequired) }, ageBands: config.ageBands };
    },

    /**
     * The staffing check of one kindergarten against config/staffing.json (《幼儿园教职工配备标准》):
     * staff to children, 保教人员 to children, and teachers and 保育员 per class.
     */
    async staffingCheck(kindergartenRef: unknown) {
      if (!kindergartenRef) throw fieldError('kindergarten', '请选择幼儿园');
      const ref = String(kindergartenRef);
      // scoped: a kindergarten outside the caller's reach answers 404
      const kindergarten: any = await strapi.documents(KINDERGARTEN).findFirst({ filters: /^\d{10}$/.test(ref) ? { code: ref } : { documentId: ref } });
      if (!kindergarten) throw new errors.NotFoundError('Not Found');
      const config = staffingConfig();
      const [byPost, children, classes] = await Promise.all([
        knex()(table('staff_members')).select('post').count({ n: '*' }).where('institution_code', kindergarten.code).whereIn('employment_status', config.activeStatuses).groupBy('post'),
        knex()(table('children')).count({ n: '*' }).where('institution_code', kindergarten.code).whereIn('status', ['draft', 'registered']).first(),
        knex()(table('school_classes_kindergarten_lnk')).count({ n: '*' }).where('kindergarten_id', kindergarten.id).first(),
      ]);
      const count = (posts: string[]) => byPost.filter((r: any) => posts.includes(r.post)).reduce((sum: number, r: any) => sum + Number(r.n), 0);
      const childCount = Number((children as any)?.n ?? 0);
      const classCount = Number((classes as any)?.n ?? 0);
      const staff = count(config.staffToChildren.posts);
      const educators = count(config.educatorsToChildren.posts);
      const teachers = count(config.teacherPosts);
      const careWorkers = count(config.careWorkerPosts);
      const perAdult = (adults: number) => (adults > 0 ? Math.round((childCount / adults) * 100) / 100 : null);
      const ratioCheck = (key: string, label: string, adults: number, { min, max }: { min: number; max: number }) => ({
        key, label, standard: `1:${min}–1:${max}`, actual: adults, required: Math.ceil(childCount / max), childrenPerAdult: perAdult(adults),
        ok: childCount === 0 || adults * max >= childCount,
      });
      const checks = [
        ratioCheck('staffToChildren', '教职工与幼儿比', staff, config.staffToChildren),
        ratioCheck('educatorsToChildren', '保教人员与幼儿比', educators, config.educatorsToChildren),
        { key: 'teachersPerClass', label: '每班专任教师', standard: `每班 ${config.perClass.teachers} 名`, actual: teachers, required: classCount * config.perClass.teachers, childrenPerAdult: perAdult(teachers), ok: teachers >= classCount * config.perClass.teachers },
        { key: 'careWorkersPerClass', label: '每班保育员', standard: `每班 ${config.perClass.careWorkers} 名`, actual: careWorkers, required: classCount * config.perClass.careWorkers, childrenPerAdult: perAdult(careWorkers), ok: careWorkers >= classCount * config.perClass.careWorkers },
      ];
      return {
        kindergarten: { id: kindergarten.documentId, code: kindergarten.code, name: kindergarten.name },
        children: childCount, classes: classCount, staff, educators, teachers, careWorkers,
        checks, compliant: checks.every((c) => c.ok),
      };
    },

    /**
     * A teacher's account for a staff member (by the kindergarten): an institution-level account
     * linked to the record (staffId), which reaches only that record. One account per person; the
     * temporary password is answered once and changed at first login.
     */
    async teacherAccount(user: any, documentId: string, input: { username?: string }) {
      if (user?.level !== 'institution' || user.staffId) throw new errors.ForbiddenError('教师账号由本园开通');
      const staff: any = await strapi.documents(STAFF).findOne({ documentId });
      if (!staff) throw new errors.NotFoundError('Not Found');
      const username = String(input?.username ?? '').trim();
      if (!/^[A-Za-z0-9_.-]{3,40}$/.test(username)) throw fieldError('username', '用户名须为 3–40 位字母、数字或 _ . -');
      const linked = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { staffId: staff.documentId } });
      if (linked) throw fieldError('username', `该教职工已有账号 ${linked.username}`);
      const { temporaryPassword } = await import('../../account/services/account');
      const password = temporaryPassword();
      const accounts = strapi.service('api::account.account') as any;
      try {
        // the account and its link in one transaction: a second account for the person fails on the
        // unique index up_users__staff_id__unique and leaves nothing behind
        // (linked to the staff record, the account gets the teacher role of config/roles.json accountRoles)
        await strapi.db.transaction(async () => {
          await accounts.createAccount({ username, fullName: staff.name, level: 'institution', institutionCode: staff.institutionCode, regionCode: staff.countyCode, staffId: staff.documentId, password });
        });
      } catch (error: any) {
        const code = error?.code ?? error?.cause?.code;
        const text = `${error?.constraint ?? ''} ${error?.message ?? ''}`;
        if (['23505', 'SQLITE_CONSTRAINT_UNIQUE'].includes(code) && /staff_id/.test(text)) throw conflictError('该教职工已有账号', ['username']);
        if (['23505', 'SQLITE_CONSTRAINT_UNIQUE'].includes(code)) throw fieldError('username', '用户名已存在');
        throw error;
      }
      return { username, temporaryPassword: password, staffId: staff.documentId };
    },

    /** A teacher's own record and training history (the account's staffId), read as the system. */
    async ownRecord(user: any) {
      if (!user?.staffId) throw new errors.NotFoundError('该账号未关联教职工记录');
      const staff = await strapi.db.query(STAFF).findOne({ where: { documentId: user.staffId }, populate: { trainings: { orderBy: { startDate: 'desc' } } } });
      if (!staff || staff.institutionCode !== user.institutionCode) throw new errors.NotFoundError('该账号未关联教职工记录');
      const { idKey, id, trainings, ...rest } = staff;
      const requests = await strapi.db.query('api::request.request').findMany({ where: { subjectId: staff.documentId, type: 'staff-correction' }, orderBy: { submittedAt: 'desc' } });
      const present = strapi.service('api::request.request') as any;
      return {
        ...rest,
        trainings: (trainings ?? []).map(({ id: _id, institutionCode: _i, countyCode: _c, ...t }) => t),
        corrections: requests.map((r) => present.present(r)),
      };
    },

    /**
     * A teacher files a correction of their own record through the approval mechanism (workflow
     * staff-correction, reviewed by their kindergarten). The teacher's account reaches nothing by
     * itself, so the engine looks the record up for it, as the system, only for this record.
     */
    async fileCorrection(user: any, input: { changes?: Record<string, unknown>; reason?: string }) {
      await this.ownRecord(user);
      return runAsSystem(strapi, `staff-correction of own record ${user.staffId}`, () =>
        (strapi.service('api::request.request') as any).submit(user, { type: 'staff-correction', subjectId: user.staffId, changes: input?.changes, reason: input?.reason }));
    },
  };
});

export type StaffService = {
  withFullNumber(user: any, record: any): Promise<any>;
  countsByCounty(where: Where): Promise<Map<string, StaffCounts>>;
  analysis(where: Where, groupBy?: 'county' | 'prefecture' | 'province', today?: Date): Promise<{ rows: AnalysisRow[]; total: AnalysisRow; ageBands: any[] }>;
  staffingCheck(kindergarten: unknown): Promise<any>;
  ownRecord(user: any): Promise<any>;
  fileCorrection(user: any, input: any): Promise<any>;
  teacherAccount(user: any, documentId: string, input: { username?: string }): Promise<{ username: string; temporaryPassword: string; staffId: string }>;
};
export default staffService;
