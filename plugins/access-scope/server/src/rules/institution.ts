import type { LevelRule } from '../types';

/** 学前教育机构: the records of the user's own kindergarten, and nothing else. */
const institution: LevelRule = (user) => {
  const code = user.institutionCode ?? '';
  const countyCode = user.regionCode ?? '';
  if (!/^\d{10}$/.test(code)) return { kind: 'none' };
  // a teacher's account (linked to a staff record) sees only its own record, through /api/me/staff
  if (user.staffId) return { kind: 'none' };
  return { kind: 'institution', institutionCode: code, countyCode };
};

export default institution;
