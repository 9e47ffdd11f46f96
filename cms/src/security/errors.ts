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

/**
 * Runs a handler's work so that a refusal keeps its reason: Strapi answers a plain ForbiddenError
 * thrown from a handler as a bare 403, so it is re-thrown in the form above (code and Chinese message).
 */
export async function keepingRefusalReason<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: any) {
    throw error?.name === 'ForbiddenError' ? forbidden(error.message, error.details ?? {}) : error;
  }
}
