import type { Core } from '@strapi/strapi';
import { levels } from '../../../domain/levels';
import { keyFields, workflows } from '../../../domain/workflows';
import { calendar } from '../../../domain/working-days';
import { CLOSED, IN_SCHOOL } from '../../../domain/lifecycle';
import { DECIDABLE } from '../../request/services/request';
import { vocabulary } from '../../../domain/dictionaries';
import { safetyFacts } from '../../../domain/safety';
import { effectiveActions, matrixCatalog } from '../../permission-matrix/services/permission-matrix';
import { currentExchangeSettings } from '../../../exchange';

/**
 * Routes that answer only on one level of the two-level deployment (docs/two-level-deployment.md):
 * elsewhere they are 404 whatever the role holds, so they are not among the caller's calls.
 */
const DEPLOYMENT_ROUTES: Record<string, 'national'> = { 'api::exchange.exchange.nationalStatistics': 'national' };

const enumOf = (strapi: Core.Strapi, uid: string, field: string): string[] =>
  ((strapi.contentType(uid as any)?.attributes as any)?.[field]?.enum as string[] | undefined) ?? [];

/**
 * What the panel needs from the server instead of copies of its rules (docs/security/panel-follows-server.md):
 * the caller's effective actions, and the facts the panel shows (workflows, levels, states, key
 * fields, time zone), each read from where the server itself reads it.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /**
   * resource → the matrix's actions the caller may take now: the role's users-permissions rows
   * (config/roles.json with the matrix's overrides, as synced), read through the same cached
   * lookup the route check uses (cms/src/bootstrap/permission-cache.ts), named as the matrix
   * names them (config/permission-matrix.json).
   */
  async actions(user: { role?: { id?: number } | null }): Promise<Record<string, string[]>> {
    const roleId = user.role?.id;
    if (!roleId) return {};
    const rows: { action: string }[] = await strapi.plugin('users-permissions').service('permission').findRolePermissions(roleId);
    return effectiveActions(new Set(rows.map((row) => row.action)));
  },

  /**
   * Every route the caller's role may call, by the panel's resource name: a content type's plural
   * name (custom-fields, children) or the API's name where it has none (permission-matrix), each
   * with the controller actions held ('find', 'create', 'policy'…). The panel registers its pages
   * from this (admin/src/App.tsx), so a page a role cannot open is not there and answers 无权访问.
   */
  async calls(user: { role?: { id?: number } | null }): Promise<Record<string, string[]>> {
    const roleId = user.role?.id;
    if (!roleId) return {};
    const rows: { action: string }[] = await strapi.plugin('users-permissions').service('permission').findRolePermissions(roleId);
    const calls: Record<string, string[]> = {};
    const role = currentExchangeSettings().role;
    for (const { action } of rows) {
      if (DEPLOYMENT_ROUTES[action] && DEPLOYMENT_ROUTES[action] !== role) continue;
      const match = /^api::([a-z0-9-]+)\.([a-z0-9-]+)\.([A-Za-z0-9]+)$/.exec(action);
      if (!match) continue;
      const contentType = strapi.contentType(`api::${match[1]}.${match[2]}` as any) as any;
      const resource: string = contentType?.info?.pluralName ?? match[2];
      (calls[resource] ??= []).includes(match[3]) || calls[resource].push(match[3]);
    }
    return calls;
  },

  facts() {
    return {
      timeZone: calendar().timeZone,
      levels: levels().map(({ key, name, nameEn, regionDigits, byInstitution }) => ({ key, name, nameEn, regionDigits, byInstitution: Boolean(byInstitution) })),
      /** resource → every action the matrix governs (those outside it are the server's to decide, not the panel's to hide). */
      matrix: Object.fromEntries(Object.entries(matrixCatalog().resources).map(([resource, { cells }]) => [resource, Object.keys(cells)])),
      workflows: Object.values(workflows()).map(({ key, name, nameEn, subject, submitters, reviewer }) => ({ key, name, nameEn, subject, submitters, reviewer })),
      requestStates: enumOf(strapi, 'api::request.request', 'state'),
      /** the states in which a reviewer decides (cms/src/api/request/services/request.ts) */
      reviewableStates: DECIDABLE,
      childStates: enumOf(strapi, 'api::child.child', 'status'),
      /** in school (placed, moved, changed) and closed (restorable), as the 学籍 lifecycle decides (cms/src/domain/lifecycle.ts) */
      childStateGroups: { inSchool: IN_SCHOOL, closed: CLOSED },
      keyFields: {
        kindergarten: keyFields('api::kindergarten.kindergarten'),
        child: keyFields('api::child.child'),
      },
      /** the one vocabulary (config/vocabulary.json): states and yes/no by name, in both languages */
      vocabulary: vocabulary(),
      /** 安全管理 and 玩教具与图书: the checklist, severities, incident types, toy categories (config/safety.json, config/resources.json) */
      safety: safetyFacts(),
    };
  },
});
