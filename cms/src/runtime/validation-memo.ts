/**
 * Strapi's query validation without re-walking a query shape it has already accepted.
 *
 * Every document-service read (`findMany`, `findFirst`, `findOne`, `count`, …) validates its
 * filters, sort and fields with `@strapi/utils`' `validate.validators` (an async traverse with
 * lodash per validation kind; the content API's `validateQuery` reaches them through the module's
 * own bindings, so it is not concerned: cms/src/domain/lean-list.ts keeps its outcome). A list request's filters differ from one page turn to the next only in their values (the
 * keyset's "after these values" condition, the reach's codes), and these validators look at keys
 * only: an unknown key, an operator, a dynamic zone, a morph relation, a password or a private
 * attribute throws; a primitive value (a string, number, boolean, date) is never inspected. So the
 * outcome depends on the schema, the kinds asked for and the query's shape (its keys and nesting,
 * with each primitive value replaced by its type), and an accepted shape is accepted again.
 *
 * Kept: the shapes accepted, per schema object and validation kinds (at most MAX_SHAPES per
 * schema, then started afresh). A shape that throws is never kept: it is validated (and refused)
 * every time. The validators answer what they were given (their callers, the document service and
 * the controllers, use the answer only as "it did not throw").
 */
import { validate } from '@strapi/utils';

const MAX_SHAPES = 2_000;
const KINDS = ['validateFilters', 'validateSort', 'validateFields'] as const;
const INSTALLED = Symbol.for('preschool-mis.validation-memo');

/** The query's shape: its keys and nesting, primitive values replaced by their type (filters only). */
export function shapeOf(value: unknown, depth = 0): unknown {
  if (depth > 32) throw new Error('too deep');
  if (value === null) return '?null';
  if (value instanceof Date) return '?date';
  if (Array.isArray(value)) return value.map((item) => shapeOf(item, depth + 1));
  if (typeof value === 'object') {
    const shape: Record<string, unknown> = {};
    for (const key of Object.keys(value as object)) shape[key] = shapeOf((value as any)[key], depth + 1);
    return shape;
  }
  return `?${typeof value}`;
}

const accepted = new WeakMap<object, Set<string>>();
const counts = { walked: 0, skipped: 0 };

/** How many validations ran Strapi's walk and how many were answered from an accepted shape. */
export function validationMemoCounts(): { walked: number; skipped: number } {
  return { ...counts };
}

/** Wraps Strapi's filter, sort and fields validators with the memo above (once per process). */
export function installValidationMemo(): void {
  const validators: any = (validate as any).validators;
  if (!validators || validators[INSTALLED]) return;
  validators[INSTALLED] = true;
  for (const kind of KINDS) {
    const original = validators[kind];
    if (typeof original !== 'function') continue;
    validators[kind] = (...args: any[]) => {
      // curried calls (fewer arguments) and calls without a schema go to Strapi as they are
      if (args.length < 3) return original(...args);
      const [ctx, query, include] = args;
      const schema = ctx?.schema;
      if (!schema || typeof schema !== 'object' || query === null || typeof query !== 'object' && typeof query !== 'string') return original(...args);
      let key: string;
      try {
        // filters: their values are never looked at; sort and fields are keys themselves (kept verbatim)
        key = `${JSON.stringify(include)}\u0000${JSON.stringify(kind === 'validateFilters' ? shapeOf(query) : query)}`;
      } catch {
        return original(...args);
      }
      let shapes = accepted.get(schema);
      if (shapes?.has(key)) {
        counts.skipped += 1;
        return Promise.resolve(query);
      }
      counts.walked += 1;
      return Promise.resolve(original(...args)).then((result) => {
        if (!shapes) accepted.set(schema, (shapes = new Set()));
        if (shapes.size >= MAX_SHAPES) shapes.clear();
        shapes.add(key);
        return result;
      });
    };
  }
}
