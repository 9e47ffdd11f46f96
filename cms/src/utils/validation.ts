import { errors } from '@strapi/utils';
import createError from 'http-errors';

/** A 400 naming the field and the reason, in the shape Strapi's own validation uses. */
export function fieldError(field: string, message: string): errors.ValidationError {
  return new errors.ValidationError(message, { errors: [{ path: [field], message, name: 'ValidationError' }] });
}

/** A 400 naming several fields at once. */
export function fieldsError(problems: { field: string; message: string }[]): errors.ValidationError {
  return new errors.ValidationError(problems.map((p) => p.message).join('；'), {
    errors: problems.map(({ field, message }) => ({ path: [field], message, name: 'ValidationError' })),
  });
}

/** A 409: the request clashes with the current state (a decision already made, a pending change). */
export function conflictError(message: string, fields: string[] = []) {
  return createError(409, message, {
    details: { errors: fields.map((field) => ({ path: [field], message, name: 'ConflictError' })) },
  });
}
