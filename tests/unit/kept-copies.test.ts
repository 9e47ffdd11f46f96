/**
 * What is kept between requests is handed to each request as its own copy (the authenticated user and
 * its role, users-permissions' settings, a list's sanitised query: cms/src/runtime/plain-copy.ts), and
 * the abilities are kept per permission list (cms/src/bootstrap/permission-cache.ts `permissionsKey`):
 * a copy must be what structuredClone gives (a request changing its copy never changes the kept value
 * or another request's), and two permission lists may share an ability only when they are the same.
 */
import { plainCopy } from '../../cms/src/runtime/plain-copy';
import { permissionsKey } from '../../cms/src/bootstrap/permission-cache';

const user = {
  id: 7, documentId: 'u7', username: 'demo-county', email: 'county@example.cn', confirmed: true, blocked: false,
  level: 'county', regionCode: '510104', failedLogins: 0, lockedUntil: null, totpSecret: undefined, score: -0,
  createdAt: '2026-12-06T10:00:00.000Z', role: { id: 3, name: '县级', type: 'county', permissions: [{ action: 'find' }, { action: 'findOne' }] },
  tags: ['a', 'b'], big: 10n,
};

test('a plain value is copied as structuredClone copies it, and the copy is the request\'s own', () => {
  const copy = plainCopy(user);
  expect(copy).toEqual(structuredClone(user));
  expect(Object.keys(copy)).toEqual(Object.keys(structuredClone(user)));
  expect(Object.is(copy.score, -0)).toBe(true);
  copy.role.name = 'changed';
  copy.role.permissions.push({ action: 'delete' });
  copy.tags[0] = 'z';
  expect(user.role.name).toBe('县级');
  expect(user.role.permissions).toHaveLength(2);
  expect(user.tags[0]).toBe('a');
  // an object without a prototype comes back as a plain object, as from structuredClone
  const bare = Object.assign(Object.create(null), { a: 1, nested: Object.assign(Object.create(null), { b: 2 }) });
  expect(Object.getPrototypeOf(plainCopy(bare))).toBe(Object.prototype);
  expect(plainCopy(bare)).toEqual(structuredClone(bare));
});

test('anything but plain data is left to structuredClone: Dates, Maps, shared and circular references, functions', () => {
  const when = { at: new Date('2026-12-06T10:00:00Z'), map: new Map([[1, 'x']]) };
  const copied = plainCopy(when);
  expect(Object.prototype.toString.call(copied.at)).toBe('[object Date]');
  expect(copied.at).not.toBe(when.at);
  expect(copied.at.getTime()).toBe(when.at.getTime());
  expect(copied.map.get(1)).toBe('x');
  const shared = { x: 1 };
  const twice = plainCopy({ a: shared, b: shared });
  expect(twice.a).toBe(twice.b); // one copy referenced twice, as structuredClone keeps it
  const loop: any = { name: 'loop' };
  loop.self = loop;
  const looped = plainCopy(loop);
  expect(looped.self).toBe(looped);
  expect(() => plainCopy({ call: () => 1 })).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
  const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
  expect(plainCopy(holes)).toEqual(structuredClone(holes));
  expect(plainCopy('text')).toBe('text');
  expect(plainCopy(null)).toBeNull();
});

test('two permission lists share a key only when they are the same list', () => {
  const find = [{ action: 'api::child.child.find' }, { action: 'api::child.child.findOne' }];
  expect(permissionsKey(find)).toBe(permissionsKey(find.map((permission) => ({ ...permission }))));
  expect(permissionsKey(find)).not.toBe(permissionsKey([...find].reverse()));
  expect(permissionsKey(find)).not.toBe(permissionsKey(find.slice(0, 1)));
  expect(permissionsKey(find)).not.toBe(permissionsKey([{ action: 'api::child.child.find", "api::child.child.findOne' }]));
  // a permission with more than its action is told apart by everything it holds
  const scoped = [{ action: 'api::child.child.find', subject: 'api::child.child' }];
  expect(permissionsKey(scoped)).toBe(permissionsKey([{ action: 'api::child.child.find', subject: 'api::child.child' }]));
  expect(permissionsKey(scoped)).not.toBe(permissionsKey([{ action: 'api::child.child.find', subject: 'api::staff-member.staff-member' }]));
  expect(permissionsKey(scoped)).not.toBe(permissionsKey(find.slice(0, 1)));
  expect(permissionsKey([])).not.toBe(permissionsKey([{ action: '' }]));
});
