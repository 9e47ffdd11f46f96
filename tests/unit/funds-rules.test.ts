/** Pure rules of project funds and financial aid (cms/src/domain/project-rules.ts, aid-rules.ts). */
import { lastDayOf, ownerLevelOf, reviewerLevelOf } from '../../cms/src/domain/project-rules';
import { checkAidProposal, checkAmount, checkTerm } from '../../cms/src/domain/aid-rules';

test('a region code names its owning level, and the level above reviews it', () => {
  expect(['350000', '350500', '350502', '110000', '110101'].map(ownerLevelOf)).toEqual(['province', 'prefecture', 'county', 'province', 'county']);
  expect(['province', 'prefecture', 'county'].map(reviewerLevelOf)).toEqual(['ministry', 'province', 'prefecture']);
});

test('a monthly report is due on the month’s last day, leap years included', () => {
  expect(['2024-02', '2025-02', '2026-04', '2026-12'].map(lastDayOf)).toEqual(['2024-02-29', '2025-02-28', '2026-04-30', '2026-12-31']);
});

test('aid proposals: category from the code table, term YYYY-1|2, whole yuan within the configured maximum', () => {
  const fields = (proposal: Record<string, unknown>) => {
    try { checkAidProposal(proposal); return []; } catch (error: any) { return error.details.errors.map((e) => e.path[0]).sort(); }
  };
  expect(fields({ category: 'poverty', term: '2026-2', amount: 1000 })).toEqual([]);
  expect(fields({ category: 'rich', term: '2026-3', amount: 10.5 })).toEqual(['amount', 'category', 'term']);
  expect(fields({ category: 'orphan', term: '2026-1', amount: 999999 })).toEqual(['amount']);
  expect(() => checkTerm('2026')).toThrow();
  expect(checkAmount('300')).toBe(300);
});

test('a teacher’s account (institution level with staffId) reaches nothing; the kindergarten’s own account its kindergarten', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const institution = require('../../plugins/access-scope/server/src/rules/institution').default;
  const level = { key: 'institution', name: '学前教育机构', regionDigits: 6, byInstitution: true };
  expect(institution({ level: 'institution', institutionCode: '3135050201', regionCode: '350502' }, level)).toEqual({ kind: 'institution', institutionCode: '3135050201', countyCode: '350502' });
  expect(institution({ level: 'institution', institutionCode: '3135050201', regionCode: '350502', staffId: 'abc' }, level)).toEqual({ kind: 'none' });
});
