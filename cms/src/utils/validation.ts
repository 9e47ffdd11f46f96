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

/**
 * Names that reach an object's prototype when used as a property key (`obj['__proto__']` is
 * Object.prototype, `obj.constructor` is Object): a language fact, not configuration.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The one check for a key a user sends that becomes (or looks up) an object's property: a code
 * table's name or code, a permission-matrix cell, an indicator or filter name, a custom field's key.
 * Answers 400 naming the key instead of reaching the prototype (a 500, or a polluted object).
 */
export function checkedKey(key: unknown, field: string): string {
  const text = typeof key === 'string' ? key : String(key ?? '');
  if (PROTOTYPE_KEYS.has(text.trim())) throw fieldError(field, `${field}：「${text}」是保留字，不能用作键名`);
  return text;
}

/** checkedKey for every own key of an object a user sends (filters, custom-field values); returns the object. */
export function checkedKeys<T>(value: T, field: string): T {
  if (value && typeof value === 'object' && !Array.isArray(value)) for (const key of Object.keys(value)) checkedKey(key, `${field}.${key}`);
  return value;
}
