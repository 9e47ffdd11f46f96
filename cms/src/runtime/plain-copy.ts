/**
 * A copy of a kept value for one request, as `structuredClone` makes it, cheaper for the values kept
 * per request (the authenticated user with its role, users-permissions' settings, a list's sanitised
 * query): `structuredClone` serialises and deserialises (about 5× the time of copying the keys). A
 * tree of plain objects (prototype Object.prototype or null) and arrays without holes or extra keys,
 * holding strings, numbers, booleans, bigints, null and undefined, each object reached once, is copied
 * key by key — what structuredClone answers for it: the same own enumerable keys in the same order,
 * plain objects with Object.prototype, arrays of the same length. Anything else (a Date, a Map, a
 * function, a symbol, a shared or circular reference) goes to `structuredClone` itself,
 * which copies it or throws as it always did.
 */
const NOT_PLAIN = Symbol('not plain');

function copy(value: unknown, seen: Set<object>, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
    return value;
  }
  if (depth > 64 || seen.has(value)) throw NOT_PLAIN;
  seen.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.keys(value).length !== value.length) throw NOT_PLAIN;
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) out[i] = copy(value[i], seen, depth + 1);
    return out;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  // a getter is read once, as structuredClone reads it
  for (let i = 0; i < keys.length; i += 1) out[keys[i]] = copy((value as Record<string, unknown>)[keys[i]], seen, depth + 1);
  return out;
}

export function plainCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return structuredClone(value);
  try {
    return copy(value, new Set(), 0) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return structuredClone(value);
  }
}
