/**
 * The in-file duplicate check's memory of the first row with each document
 * (cms/src/domain/import/first-rows.ts): as a Map of idKey → row would answer, for many keys,
 * for keys of another form, and empty again once cleared.
 */
import crypto from 'node:crypto';
import { FirstRows } from '../../cms/src/domain/import/first-rows';

const key = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

test('answers as a Map: the row of each key set, nothing for a key never set, however many keys', () => {
  const rows = new FirstRows();
  const expected = new Map<string, number>();
  for (let i = 0; i < 20_000; i += 1) {
    rows.set(key(`document ${i}`), i + 2);
    expected.set(key(`document ${i}`), i + 2);
  }
  expect(rows.size).toBe(20_000);
  for (const [idKey, row] of expected) expect(rows.get(idKey)).toBe(row);
  for (let i = 20_000; i < 20_100; i += 1) expect(rows.get(key(`document ${i}`))).toBeUndefined();
  // set again: the newer row, as a Map
  rows.set(key('document 7'), 99);
  expect(rows.get(key('document 7'))).toBe(99);
  expect(rows.size).toBe(20_000);
});

test('a key of another form is kept as given; clear empties it all', () => {
  const rows = new FirstRows();
  rows.set('not-a-hex-key', 5);
  rows.set(key('a').toUpperCase(), 6);
  rows.set(key('a'), 7);
  expect(rows.get('not-a-hex-key')).toBe(5);
  expect(rows.get(key('a').toUpperCase())).toBe(6);
  expect(rows.get(key('a'))).toBe(7);
  expect(rows.get(key('b'))).toBeUndefined();
  rows.clear();
  expect(rows.size).toBe(0);
  expect(rows.get(key('a'))).toBeUndefined();
  expect(rows.get('not-a-hex-key')).toBeUndefined();
  rows.set(key('a'), 8);
  expect(rows.get(key('a'))).toBe(8);
});
