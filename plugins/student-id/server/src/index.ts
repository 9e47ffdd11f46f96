export type { IdType, DocumentResult, ResidentIdResult, Sex, TypedMismatch } from './identity';

/**
 * student-id: identity document numbers (./identity, pure functions) and, later, the 学籍号
 * number-issuing service (./services).
 */
export default {
  register() {},
  bootstrap() {},
  services: {},
  config: {
    default: {},
    validator() {},
  },
};
