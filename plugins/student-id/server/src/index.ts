import type { Core } from '@strapi/strapi';
import services from './services';

export type { IdType, DocumentResult, ResidentIdResult, Sex, TypedMismatch } from './identity';
export type { StudentNumberService, NumberRule } from './services/student-number';

/**
 * student-id: identity document numbers (./identity, pure functions, also the `identity` service)
 * and the 学籍号 issuing service (`studentNumber`), whose rule comes from config/student-id.json.
 */
export default {
  register() {},
  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    await strapi.plugin('student-id').service('studentNumber').ensureTable();
  },
  services,
  config: {
    default: { rule: null },
    validator(config: { rule?: Record<string, unknown> | null }) {
      const rule = config.rule;
      if (!rule || !rule.withResidentId || !rule.withoutResidentId || !rule.temporary) {
        throw new Error('student-id: config.rule must be the rule of config/student-id.json');
      }
    },
  },
};
