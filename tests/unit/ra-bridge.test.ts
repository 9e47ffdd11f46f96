/** react-admin's simple-rest query → Strapi's query. */
import qs from 'qs';
import { toStrapiFilters, toStrapiQuery } from '../../cms/src/middlewares/ra-bridge';

const parse = (search: string) => qs.parse(toStrapiQuery(search, ['name', 'code']));

test('sort and range become sort and offset pagination with a count', () => {
  const query = parse('sort=["name","DESC"]&range=[50,74]&filter={}');
  expect(query).toEqual({ sort: 'name:desc', pagination: { start: '50', limit: '25', withCount: 'true' } });
});

test('id means documentId, arrays mean $in, q searches the configured fields', () => {
  expect(toStrapiFilters({ id: ['a', 'b'] }, undefined)).toEqual({ documentId: { $in: ['a', 'b'] } });
  expect(toStrapiFilters({ q: '鲤城', ownership: 'public' }, ['name', 'code'])).toEqual({
    ownership: { $eq: 'public' },
    $and: [{ $or: [{ name: { $containsi: '鲤城' } }, { code: { $containsi: '鲤城' } }] }],
  });
  expect(toStrapiFilters({ q: 'x' }, undefined)).toEqual({ q: 'x' });
});

test('operator suffixes', () => {
  expect(toStrapiFilters({ countyCode_startsWith: '3505', createdAt_gte: '2026-01-01' }, undefined))
    .toEqual({ countyCode: { $startsWith: '3505' }, createdAt: { $gte: '2026-01-01' } });
});

test('malformed JSON parameters are ignored, not a crash', () => {
  expect(parse('sort=[oops&range=nope&filter={bad')).toEqual({});
});

test('nested filters (a relation by its id) nest', () => {
  expect(toStrapiFilters({ schoolClass: { documentId: 'abc' } }, undefined)).toEqual({ schoolClass: { documentId: { $eq: 'abc' } } });
});
