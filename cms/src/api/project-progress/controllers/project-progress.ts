import { factories } from '@strapi/strapi';

/** Core list, read and create (scoped; rules in cms/src/domain/project-rules.ts); review is the project service's. */
export default factories.createCoreController('api::project-progress.project-progress', ({ strapi }) => ({
  /** Records carry the transitions the caller may take now (config/transitions.json): the panel's review buttons. */
  async find(ctx) {
    const result: any = await super.find(ctx);
    await (strapi.service('api::project.project') as any).withActions(ctx.state.user, 'api::project-progress.project-progress', result?.data);
    return result;
  },
  async findOne(ctx) {
    const result: any = await super.findOne(ctx);
    await (strapi.service('api::project.project') as any).withActions(ctx.state.user, 'api::project-progress.project-progress', result?.data);
    return result;
  },
  async create(ctx) {
    const data = ctx.request.body?.data;
    // a report belongs to its project's region: found inside the caller's reach, or the rules answer 400
    if (data && typeof data === 'object' && data.projectId) {
      const project: any = await strapi.documents('api::project.project').findOne({ documentId: String(data.projectId) });
      if (project) data.regionCode = project.regionCode;
    }
    return super.create(ctx);
  },
}));
