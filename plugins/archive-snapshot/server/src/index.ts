import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import contentTypes from './content-types';
import controllers from './controllers';
import routes from './routes';
import services from './services';

const SNAPSHOT = 'plugin::archive-snapshot.snapshot';

export default {
  register({ strapi }: { strapi: Core.Strapi }) {
    // Immutable: no document-service write to a snapshot, from any route or plugin (Strapi's admin included).
    strapi.documents.use((async (context: any, next: () => Promise<unknown>) => {
      if (context.uid === SNAPSHOT && !['findMany', 'findFirst', 'findOne', 'count'].includes(context.action)) {
        throw new errors.ForbiddenError('月度存档一经保存不能修改');
      }
      return next();
    }) as any);
  },
  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    const snapshots = strapi.plugin('archive-snapshot').service('snapshots');
    snapshots.schedule();
    if (strapi.plugin('archive-snapshot').config('catchUp')) {
      await snapshots.catchUp().catch((error: Error) => strapi.log.error(`archive-snapshot catch-up: ${error.message}`));
    }
  },
  destroy({ strapi }: { strapi: Core.Strapi }) {
    strapi.plugin('archive-snapshot').service('snapshots').stop();
  },
  contentTypes,
  controllers,
  routes,
  services,
  config: {
    default: { timeZone: 'Asia/Shanghai', schedule: true, catchUp: true, summaryService: 'api::statistics.statistics', projectsService: 'api::project.project' },
    validator() {},
  },
};
