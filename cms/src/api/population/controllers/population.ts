import { factories } from '@strapi/strapi';
import type { PopulationService } from '../services/population';

const service = (strapi) => strapi.service('api::population.population') as unknown as PopulationService;

/** Core CRUD (scoped by the access-scope plugin, checked by the service) plus the bulk import. */
export default factories.createCoreController('api::population.population', ({ strapi }) => ({
  async import(ctx) {
    const file = ctx.request.files?.file;
    ctx.body = { data: await service(strapi).importFile(ctx.state.user, Array.isArray(file) ? file[0] : file) };
  },
}));
