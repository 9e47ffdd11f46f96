import type { LevelRule } from '../types';

/**
 * 省级, 地市级 and 县级: every record whose county code starts with the first `regionDigits` digits
 * of the user's region code (2 for a province, 4 for a prefecture, 6 for a county).
 */
const regionPrefix: LevelRule = (user, level) => {
  const code = user.regionCode ?? '';
  if (!/^\d{6}$/.test(code) || level.regionDigits < 2) return { kind: 'none' };
  return { kind: 'region', prefix: code.slice(0, level.regionDigits) };
};

export default regionPrefix;
