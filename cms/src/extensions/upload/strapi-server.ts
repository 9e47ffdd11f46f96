import { withContentCheck } from '../../security/upload-content';

/**
 * Strapi's upload plugin: every upload is checked by its content and stored under a generated name
 * (cms/src/security/upload-content.ts), whichever route calls the service. Its public route
 * `POST /api/upload` is not used by the system (files come through the domain routes: request
 * evidence, accident proofs, project attachments, each checked for its purpose) and is removed.
 */
export default (plugin: any) => {
  const factory = plugin.services.upload;
  plugin.services.upload = (deps: { strapi: any }) => withContentCheck(deps.strapi, factory(deps));
  plugin.routes['content-api'] = { type: 'content-api', routes: [] };
  return plugin;
};
