import { errors } from '@strapi/utils';
import createError from 'http-errors';

/**
 * Errors thrown from route handlers: Strapi's authorize step turns a plain ForbiddenError or
 * UnauthorizedError into a bare 403/401 without message or details, so these use the forms that
 * keep them (PolicyError; an HTTP error with `details`). The code in `details` lets the panel react.
 */
export function forbidden(message: string, details: Record<string, unknown>) {
  return new errors.PolicyError(message, details);
}

export function unauthorized(message: string, details: Record<string, unknown>) {
  return createError(401, message, { details });
}
