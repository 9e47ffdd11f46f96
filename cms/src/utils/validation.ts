import { errors } from '@strapi/utils';

/** A 400 naming the field and the reason, in the shape Strapi's own validation uses. */
export function fieldError(field: string, message: string): errors.ValidationError {
  return new errors.ValidationError(message, { errors: [{ path: [field], message, name: 'ValidationError' }] });
}
