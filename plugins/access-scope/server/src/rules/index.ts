import type { LevelRule } from '../types';
import ministry from './ministry';
import regionPrefix from './region-prefix';
import institution from './institution';

/** The rule for each level key of config/levels.json. */
const rules: Record<string, LevelRule> = {
  ministry,
  province: regionPrefix,
  prefecture: regionPrefix,
  county: regionPrefix,
  institution,
};

export default rules;
