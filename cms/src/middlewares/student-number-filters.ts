import type { Core } from '@strapi/strapi';
import { studentNumberFilterMiddleware } from '../security/student-numbers';

/** 学籍号 filters: exact, full numbers only, through the blind index (cms/src/security/student-numbers.ts). */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => studentNumberFilterMiddleware(strapi);
