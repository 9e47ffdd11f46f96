import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import { ENTITIES, activeDefinitions, definitionsForReach, type Entity } from '../../../domain/custom-fields';
import { fieldFormats } from '../../../domain/field-formats';
import { accessScope } from '../../../domain/request-context';

const UID = 'api::custom-field.custom-field';
const PUBLIC_FIELDS = ['documentId', 'entity', 'key', 'label', 'type', 'required', 'help', 'min', 'max', 'pattern', 'format', 'codeTable', 'regionCode', 'order'] as const;
/** A definition as forms read it; `formatRule` is its named format's rule, so the panel checks as the server does (checksums aside). */
const present = (definition: any) => {
  const format = definition.format ? fieldFormats()[definition.format] : undefined;
  return {
    id: definition.documentId,
    ...Object.fromEntries(PUBLIC_FIELDS.map((f) => [f, definition[f] ?? null])),
    formatRule: format ? { pattern: format.pattern ?? null, integer: Boolean(format.integer), message: format.message } : null,
  };
};

/**
 * Core CRUD of the definitions (scoped by region: a province defines for its province or a part
 * of it; no deletion: retiring keeps the values), plus the definitions a user's forms, lists and
 * exports use (`GET /api/custom-fields/applicable?entity=child[&countyCode=350502]`, every level).
 */
export default factories.createCoreController(UID, ({ strapi }) => ({
  async create(ctx) {
    const user = ctx.state.user;
    const data = ctx.request.body?.data;
    // A province that leaves the region empty defines the field for its whole province.
    if (data && typeof data === 'object' && !data.regionCode && /^\d{6}$/.test(String(user?.regionCode ?? '')) && user?.level === 'province') {
      data.regionCode = `${String(user.regionCode).slice(0, 2)}0000`;
    }
    return super.create(ctx);
  },

  async retire(ctx) {
    const found = await strapi.documents(UID).findOne({ documentId: ctx.params.id });
    if (!found) throw new errors.NotFoundError('Not Found');
    const updated = await strapi.documents(UID).update({ documentId: ctx.params.id, data: { retired: ctx.request.body?.data?.retired === false ? false : true } as any });
    ctx.body = { data: updated };
  },

  /** The named formats (手机号码, 邮政编码…) of config/field-formats.json, in its order, for the field form. */
  async formats(ctx) {
    ctx.body = { data: Object.values(fieldFormats()).map(({ key, name, nameEn, type, message, messageEn, example, integer }) => ({ key, name, nameEn, type, message, messageEn, example, integer: Boolean(integer) })) };
  },

  async applicable(ctx) {
    const entity = String(ctx.query.entity ?? '') as Entity;
    if (!ENTITIES.includes(entity)) throw fieldError('entity', '适用对象须为 child、kindergarten、staff、safety-inspection、incident 或 resource-inventory');
    const scope = accessScope(strapi);
    const reach = scope.reachOf(ctx.state.user);
    if (reach.kind === 'none') throw new errors.ForbiddenError('超出管辖范围');
    const countyCode = ctx.query.countyCode ? String(ctx.query.countyCode) : scope.ownCounty(reach);
    if (countyCode && !scope.includesCounty(reach, countyCode)) throw fieldError('countyCode', '区县不在管辖范围内');
    const list = countyCode ? await activeDefinitions(strapi, entity, countyCode) : await definitionsForReach(strapi, entity, reach);
    ctx.body = { data: list.map(present) };
  },
}));
