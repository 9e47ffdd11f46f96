import { configs } from '@strapi/logger';
import { format } from 'winston';
import { redactionFormat } from '../src/security/log-redaction';

/**
 * Strapi's default console logger, at the level STRAPI_LOG_LEVEL asks for (tests use warn); ID
 * numbers and secrets are masked in every message (cms/src/security/log-redaction.ts).
 */
export default () => {
  const base = configs.createDefaultConfiguration();
  return { ...base, format: format.combine(redactionFormat(), base.format), level: process.env.STRAPI_LOG_LEVEL || 'http' };
};
