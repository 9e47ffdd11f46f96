/**
 * The document ids the application makes itself (cms/src/domain/document-ids.ts): Strapi's shape,
 * unique, and in the order they were made across milliseconds — what lets an import's rows append to
 * the `document_id` indexes instead of touching a random page of each per row.
 */
import { newDocumentId } from '../../cms/src/domain/document-ids';

afterEach(() => jest.useRealTimers());

test("Strapi's shape: 24 characters of [a-z0-9], a letter first; no two alike in 200,000", () => {
  const seen = new Set<string>();
  const misshapen: string[] = [];
  for (let i = 0; i < 200_000; i += 1) {
    const id = newDocumentId();
    if (!/^[a-z][a-z0-9]{23}$/.test(id)) misshapen.push(id);
    seen.add(id);
  }
  expect(misshapen).toEqual([]);
  expect(seen.size).toBe(200_000);
});

test('ids made in a later millisecond sort after those made before, whatever their random part', () => {
  jest.useFakeTimers({ now: new Date('2026-12-07T08:00:00.000Z') });
  const made: string[] = [];
  for (let ms = 0; ms < 2_000; ms += 1) {
    made.push(newDocumentId(), newDocumentId());
    jest.advanceTimersByTime(1);
  }
  for (let i = 2; i < made.length; i += 2) {
    expect(made[i] > made[i - 1]).toBe(true);
    expect(made[i] > made[i - 2]).toBe(true);
  }
});

test('the time part keeps its order from one base-36 digit to the next, and a clock outside 1994–2059 still gets the shape', () => {
  jest.useFakeTimers({ now: 36 ** 8 / 2 - 1 });
  const before = newDocumentId();
  jest.setSystemTime(36 ** 8 / 2 + 1);
  expect(newDocumentId() > before).toBe(true);
  jest.setSystemTime(new Date('1990-01-01T00:00:00Z'));
  expect(newDocumentId()).toMatch(/^[a-z][a-z0-9]{23}$/);
  jest.setSystemTime(new Date('2070-01-01T00:00:00Z'));
  expect(newDocumentId()).toMatch(/^[a-z][a-z0-9]{23}$/);
});
