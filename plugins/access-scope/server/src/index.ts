import register from './register';
import services from './services';

export type {
  Reach, ScopedUser, LevelDefinition, Place, ScopeDeclaration, SqlReach, SqlColumns, SystemWorkEntry, SystemWorkAuditor,
} from './types';
export type { ScopeService } from './services/scope';

export default {
  register,
  services,
  config: {
    default: { levels: [] },
    validator(config: { levels?: unknown }) {
      if (!Array.isArray(config.levels)) throw new Error('access-scope: config.levels must be the list from config/levels.json');
    },
  },
};
