/** The level rules and the scope filters they produce, without a server. */
import rules from '../../plugins/access-scope/server/src/rules';
import scopeService, { combineFilters, countyCodeCondition, nestAt } from '../../plugins/access-scope/server/src/services/scope';
import { scopePopulate } from '../../plugins/access-scope/server/src/middlewares/populate';
import { documentScopeMiddleware } from '../../plugins/access-scope/server/src/middlewares/document-scope';
const { levels } = require('../../config/levels.json');

const level = (key: string) => levels.find((l) => l.key === key);
const reachOf = (user) => rules[user.level](user, level(user.level));

describe('level rules', () => {
  test('ministry reaches everything', () => {
    expect(reachOf({ level: 'ministry' })).toEqual({ kind: 'all' });
  });
  test.each([
    ['province', '350000', '35'],
    ['prefecture', '350500', '3505'],
    ['county', '350502', '350502'],
  ])('%s %s reaches the codes starting %s', (key, regionCode, prefix) => {
    expect(reachOf({ level: key, regionCode })).toEqual({ kind: 'region', prefix });
  });
  test('an institution reaches its own kindergarten only', () => {
    expect(reachOf({ level: 'institution', institutionCode: '3135050201', regionCode: '350502' }))
      .toEqual({ kind: 'institution', institutionCode: '3135050201', countyCode: '350502' });
  });
  test.each([
    [{ level: 'county', regionCode: null }],
    [{ level: 'county', regionCode: '3505' }],
    [{ level: 'province', regionCode: 'abcdef' }],
    [{ level: 'institution', institutionCode: '12' }],
  ])('an account without a valid place reaches nothing: %j', (user) => {
    expect(reachOf(user)).toEqual({ kind: 'none' });
  });
});

describe('county-code condition of a reach (index-friendly)', () => {
  test('a county by equality, a prefecture or province by the range of its prefix', () => {
    expect(countyCodeCondition('350502')).toEqual({ $eq: '350502' });
    expect(countyCodeCondition('3505')).toEqual({ $gte: '3505', $lt: '3506' });
    expect(countyCodeCondition('3509')).toEqual({ $gte: '3509', $lt: '3510' });
    expect(countyCodeCondition('35')).toEqual({ $gte: '35', $lt: '36' });
    expect(countyCodeCondition('09')).toEqual({ $gte: '09', $lt: '10' });
  });
  test('the range holds exactly the codes with the prefix', () => {
    const { $gte, $lt } = countyCodeCondition('3509') as { $gte: string; $lt: string };
    const inRange = (code: string) => code >= $gte && code < $lt;
    expect(['350900', '350902', '350999'].every(inRange)).toBe(true);
    expect(['350899', '351000', '35', '3509'.slice(0, 3) + '8'].some(inRange)).toBe(false);
  });
  test('a prefix with no next of its length (all nines) falls back to starts-with', () => {
    expect(countyCodeCondition('99')).toEqual({ $startsWith: '99' });
  });
});

describe('scope service', () => {
  const contentTypes = {
    'api::kindergarten.kindergarten': {
      pluginOptions: { 'access-scope': { countyField: 'countyCode', institutionField: 'code' } },
      attributes: { county: { type: 'relation', target: 'api::region.region' }, name: { type: 'string' } },
    },
    'api::school-class.school-class': {
      pluginOptions: { 'access-scope': { countyField: 'countyCode', institutionField: 'kindergarten.code' } },
      attributes: { kindergarten: { type: 'relation', target: 'api::kindergarten.kindergarten' } },
    },
    'api::region.region': {
      attributes: { kindergartens: { type: 'relation', target: 'api::kindergarten.kindergarten' }, name: { type: 'string' } },
    },
  };
  const strapi: any = {
    contentTypes,
    components: {},
    // Strapi's one-type lookups (the scope reads one type, not the whole registry)
    contentType: (uid: string) => (contentTypes as Record<string, unknown>)[uid],
    get: (name: string) => (name === 'components' ? new Map() : undefined),
    plugin: () => ({ config: () => levels }),
    requestContext: { get: () => undefined },
  };
  const scope = scopeService({ strapi });

  test('a blocked account reaches nothing, whatever its level', () => {
    expect(scope.reachOf({ level: 'ministry', blocked: true })).toEqual({ kind: 'none' });
  });
  test('no request (cron, bootstrap) is the system: everything', () => {
    expect(scope.currentReach()).toEqual({ kind: 'all' });
  });
  test('an anonymous request or an API token reaches nothing', () => {
    strapi.requestContext.get = () => ({ state: {} });
    expect(scope.currentReach()).toEqual({ kind: 'none' });
    strapi.requestContext.get = () => ({ state: { auth: { strategy: { name: 'api-token' } } } });
    expect(scope.currentReach()).toEqual({ kind: 'none' });
    strapi.requestContext.get = () => undefined;
  });
  test('filters per reach', () => {
    const uid = 'api::kindergarten.kindergarten';
    expect(scope.filterFor(uid, { kind: 'all' })).toBeNull();
    expect(scope.filterFor(uid, { kind: 'region', prefix: '3505' })).toEqual({ countyCode: { $gte: '3505', $lt: '3506' } });
    expect(scope.filterFor(uid, { kind: 'institution', institutionCode: '3135050201', countyCode: '350502' })).toEqual({ code: { $eq: '3135050201' } });
    expect(scope.filterFor('api::school-class.school-class', { kind: 'institution', institutionCode: '3135050201', countyCode: '350502' }))
      .toEqual({ kindergarten: { code: { $eq: '3135050201' } } });
    expect(scope.filterFor(uid, { kind: 'none' })).toEqual({ id: { $null: true } });
    expect(scope.filterFor('api::region.region', { kind: 'none' })).toBeNull();
  });
  test('county membership', () => {
    expect(scope.includesCounty({ kind: 'region', prefix: '35' }, '350502')).toBe(true);
    expect(scope.includesCounty({ kind: 'region', prefix: '3505' }, '350203')).toBe(false);
    expect(scope.includesCounty({ kind: 'region', prefix: '35' }, '35')).toBe(false);
    expect(scope.includesCounty({ kind: 'institution', institutionCode: 'x', countyCode: '350502' }, '350502')).toBe(true);
  });
  test('populate in every spelling gets the scope filter on scoped relations', () => {
    const reach = { kind: 'region', prefix: '350502' } as const;
    const filter = { countyCode: { $eq: '350502' } };
    for (const populate of ['kindergartens', ['kindergartens'], '*', { kindergartens: true }]) {
      expect(scopePopulate(strapi, scope, 'api::region.region', populate, reach)).toEqual({ kindergartens: { filters: filter } });
    }
    expect(scopePopulate(strapi, scope, 'api::region.region', { kindergartens: { filters: { name: 'x' }, populate: 'county' } }, reach))
      .toEqual({ kindergartens: { filters: { $and: [{ name: 'x' }, filter] }, populate: { county: true } } });
    expect(scopePopulate(strapi, scope, 'api::region.region', 'kindergartens.county', reach))
      .toEqual({ kindergartens: { filters: filter, populate: { county: true } } });
  });
  test('a read\'s filters: the reach added and every relation the filters go through scoped; the document middleware gives reads exactly readFilters', async () => {
    const uid = 'api::kindergarten.kindergarten';
    const county = { kind: 'region', prefix: '350502' } as const;
    const own = { countyCode: { $eq: '350502' } };
    expect(scope.readFilters(uid, undefined, county)).toEqual(own);
    expect(scope.readFilters(uid, { name: 'x' }, county)).toEqual({ $and: [{ name: 'x' }, own] });
    // a relation in the filter: its records inside the reach too (regions are not scoped themselves)
    expect(scope.readFilters('api::region.region', { kindergartens: { name: 'x' } }, county))
      .toEqual({ kindergartens: { $and: [{ name: 'x' }, own] } });
    expect(scope.readFilters(uid, { name: 'x' }, { kind: 'none' })).toEqual({ $and: [{ name: 'x' }, { id: { $null: true } }] });
    expect(scope.readFilters(uid, { name: 'x' }, { kind: 'all' })).toEqual({ name: 'x' });
    // the document middleware's reads (as the county user) get the very same filters
    const middleware = documentScopeMiddleware({ ...strapi, plugin: () => ({ config: () => levels, service: () => scope }) });
    strapi.requestContext.get = () => ({ state: { auth: { strategy: { name: 'users-permissions' } }, user: { level: 'county', regionCode: '350502' } } });
    try {
      for (const [type, filters] of [[uid, undefined], [uid, { name: 'x' }], ['api::region.region', { kindergartens: { name: 'x' } }], ['api::region.region', undefined]] as const) {
        for (const action of ['findMany', 'findFirst', 'findOne', 'count']) {
          const context: any = { uid: type, action, params: filters === undefined ? {} : { filters: structuredClone(filters) } };
          await middleware(context, async () => undefined);
          expect(context.params.filters).toEqual(scope.readFilters(type, filters === undefined ? undefined : structuredClone(filters), county));
        }
      }
    } finally {
      strapi.requestContext.get = () => undefined;
    }
  });
  test('helpers', () => {
    expect(nestAt('a.b.c', 1)).toEqual({ a: { b: { c: 1 } } });
    expect(combineFilters(undefined, { x: 1 })).toEqual({ x: 1 });
    expect(combineFilters({ y: 2 }, { x: 1 })).toEqual({ $and: [{ y: 2 }, { x: 1 }] });
  });
});
