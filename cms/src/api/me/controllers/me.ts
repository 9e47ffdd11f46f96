import type { Core } from '@strapi/strapi';
import { levelBelow, levelOf } from '../../../domain/levels';

const service = (strapi: Core.Strapi) => strapi.service('api::me.me') as any;

/**
 * Who the caller is, in the words the panel shows: level, region and institution names, whom they
 * manage; what they may do now (`actions`, resource → the permission matrix's actions) and the
 * server's facts the panel follows (`facts`: workflows, levels, states, key fields, time zone).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async show(ctx) {
    const user = ctx.state.user;
    if (!user) return ctx.unauthorized();
    const level = levelOf(user.level);
    const regionCode = user.level === 'ministry' ? null : user.regionCode ?? null;
    const region = regionCode ? await strapi.db.query('api::region.region').findOne({ where: { code: regionCode } }) : null;
    const institution = user.institutionCode
      ? await strapi.documents('api::kindergarten.kindergarten').findFirst({ filters: { code: user.institutionCode } })
      : null;
    const below = level ? levelBelow(level.key) : undefined;
    ctx.body = {
      id: user.documentId,
      username: user.username,
      fullName: user.fullName ?? null,
      level: level?.key ?? null,
      levelName: level?.name ?? null,
      regionCode,
      regionName: region?.name ?? (user.level === 'ministry' ? '全国' : null),
      institutionCode: user.institutionCode ?? null,
      institutionName: institution?.name ?? null,
      institutionId: institution?.documentId ?? null,
      manages: below ? { key: below.key, name: below.name } : null,
      teacher: Boolean(user.staffId),
      role: user.role?.type ?? null,
      actions: await service(strapi).actions(user),
      calls: await service(strapi).calls(user),
      facts: service(strapi).facts(),
    };
  },
});
