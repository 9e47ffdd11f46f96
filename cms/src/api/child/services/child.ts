import { placeName } from '../../../domain/messages';
import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { conflictError, fieldError } from '../../../utils/validation';
import { openProblemRecord } from '../../../domain/problem-records';
import { currentExchangeSettings } from '../../../exchange';
import { reportRegistration } from '../../../exchange/province';

const CHILD = 'api::child.child';
/** Levels that see full ID numbers on the record itself: the child's kindergarten and its reviewer. */
export const FULL_NUMBER_LEVELS = new Set(['institution', 'county']);

/** A child's record without its full numbers: only the masked forms stay. */
export function withoutFullNumbers(record: any) {
  if (!record || typeof record !== 'object') return record;
  const { idNumber, studentNumber, studentNumberKey, idKey, ...rest } = record;
  if (Array.isArray(rest.guardians)) rest.guardians = rest.guardians.map(({ idNumber: _n, idKey: _k, ...guardian }: any) => guardian);
  return rest;
}

const childService = factories.createCoreService(CHILD, ({ strapi }) => {
  const scope = () => strapi.plugin('access-scope').service('scope');
  const duplicates = () => strapi.plugin('dup-check').service('duplicates');
  const identity = () => strapi.plugin('student-id').service('identity');
  const numbers = () => strapi.plugin('student-id').service('studentNumber');

  return {
    /**
     * The record as a user may see it. The 学籍号 (a G-type one carries the resident ID) and the ID
     * numbers are private: the child's kindergarten and its county reviewer get them in full, read
     * from the store; everyone else only the masked forms (idNumberMasked, studentNumberMasked),
     * whatever the record passed in carries (a document-service read has the private fields).
     */
    async withFullNumbers(user: any, record: any) {
      if (!record) return record;
      if (!FULL_NUMBER_LEVELS.has(user?.level)) return withoutFullNumbers(record);
      const stored = await strapi.db.query(CHILD).findOne({ where: { documentId: record.documentId }, select: ['idNumber', 'studentNumber'], populate: { guardians: { select: ['idNumber'] } } });
      return {
        ...record,
        idNumber: stored?.idNumber ?? null,
        studentNumber: stored?.studentNumber ?? null,
        guardians: (record.guardians ?? []).map((g: any, i: number) => ({ ...g, idNumber: stored?.guardians?.[i]?.idNumber ?? null })),
      };
    },

    /**
     * What the form shows while the user types: whether the number is valid (and what it says of
     * sex and birth date), whether it is already held somewhere, and likely duplicates with reasons.
     */
    async checkDuplicates(user: any, input: any) {
      const reach = scope().reachOf(user);
      // an account that reaches no child (a teacher's) may not probe the province's records either
      if (reach.kind === 'none') throw new errors.ForbiddenError('无权查重 (outside your reach)');
      let document: any = null;
      let exact = null;
      const number = identity().normalizeIdNumber(input.idNumber ?? '');
      if (number) {
        document = identity().validateDocument(input.idType || '1', number);
        if (document.ok) exact = await duplicates().exactHolder(duplicates().idKey(input.idType || '1', document.number), input.id);
      }
      const guardianKeys = (input.guardians ?? [])
        .map((g: any) => {
          const n = identity().normalizeIdNumber(g?.idNumber ?? '');
          return n ? duplicates().idKey(g.idType || '1', n) : null;
        })
        .filter(Boolean);
      // Likely matches need something to compare beyond the date: a name or a guardian's document.
      const probe = input.name || guardianKeys.length;
      const candidates = !probe ? [] : await duplicates().likelyMatches(
        { name: input.name, birthDate: input.birthDate ?? document?.birthDate, sex: input.sex ?? document?.sex, guardianKeys },
        { exceptDocumentId: input.id, inReach: (child) => scope().includesRecord(reach, child) },
      );
      return { identity: document, exact, candidates };
    },

    /**
     * The kindergarten's review (审核) of a record: the duplicate check, then the 学籍号. Likely
     * duplicates are shown, never silently blocking: the reviewer confirms them to go on.
     */
    async register(user: any, documentId: string, input: { acknowledgeCandidates?: boolean; temporary?: boolean }) {
      if (user?.level !== 'institution') throw new errors.ForbiddenError('学籍由幼儿所在园审核');
      const child: any = await strapi.documents(CHILD).findOne({ documentId, populate: ['guardians'] });
      if (!child) throw new errors.NotFoundError('Not Found');
      const full = await strapi.db.query(CHILD).findOne({ where: { id: child.id }, populate: ['guardians'] });
      if (full.studentNumber) throw conflictError(`该幼儿已有学籍号 ${full.studentNumber}`, ['studentNumber']);
      const candidates = await duplicates().likelyMatches(
        { name: full.name, birthDate: full.birthDate, sex: full.sex, guardianKeys: (full.guardians ?? []).map((g) => g.idKey).filter(Boolean) },
        { exceptDocumentId: documentId, inReach: (other) => other.institutionCode === full.institutionCode },
      );
      if (candidates.length && !input.acknowledgeCandidates) {
        const error = conflictError('发现疑似重复的学籍，请核实后确认', ['name']);
        (error as any).details.candidates = candidates;
        throw error;
      }
      if (!full.birthDate) throw fieldError('birthDate', '出生日期必填');
      const studentNumber = await numbers().issue({
        idType: full.idType,
        idNumber: full.idNumber,
        regionCode: full.countyCode,
        birthDate: full.birthDate,
        temporary: Boolean(input.temporary),
      });
      // the number, the county's problem record and the report to the nation commit together
      await strapi.db.transaction(async () => {
        const { count } = await strapi.db.query(CHILD).updateMany({
          where: { id: full.id, studentNumber: { $null: true } },
          data: { studentNumber, status: 'registered' },
        });
        if (count !== 1) throw conflictError('该幼儿的学籍号已由他人生成，请刷新', ['studentNumber']);
        if (candidates.length) {
          // Confirmed likely duplicates are not dropped: they become a problem record for the county to see.
          const places = candidates.map((c) => `${placeName(c)}${c.reasons.join('、')}`).join('；');
          await openProblemRecord(strapi, full, full.idNumber ? 'duplicate-with-id' : 'duplicate-without-id', `疑似重复：${places}`);
        }
        await reportRegistration(strapi, currentExchangeSettings(), { ...full, documentId }, studentNumber);
      });
      return { id: documentId, studentNumber, status: 'registered', candidates };
    },
  };
});

/** The 学籍 actions the controllers call (the core CRUD methods come from Strapi's factory). */
export type ChildService = {
  withFullNumbers(user: any, record: any): Promise<any>;
  checkDuplicates(user: any, input: any): Promise<{ identity: any; exact: any; candidates: any[] }>;
  register(user: any, documentId: string, input: { acknowledgeCandidates?: boolean; temporary?: boolean }): Promise<{ id: string; studentNumber: string; status: string; candidates: any[] }>;
};
export default childService;
