import { configs } from '@strapi/logger';

/** Strapi's default console logger, at the level STRAPI_LOG_LEVEL asks for (tests use warn). */
export default () => ({ ...configs.createDefaultConfiguration(), level: process.env.STRAPI_LOG_LEVEL || 'http' });
