import { factories } from '@strapi/strapi';

/** Core list, read and create (scoped; rules in cms/src/domain/project-rules.ts); review is the project service's. */
export default factories.createCoreController('api::project-progress.project-progress', ({ strapi }) => ({
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
