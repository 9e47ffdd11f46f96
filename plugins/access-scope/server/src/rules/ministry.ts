import type { LevelRule } from '../types';

/** 教育部: the whole country. */
const ministry: LevelRule = () => ({ kind: 'all' });

export default ministry;
