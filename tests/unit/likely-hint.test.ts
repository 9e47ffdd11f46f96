/**
 * The hint of an imported row with likely duplicates (cms/src/domain/import/children-import.ts
 * likelyDuplicateHint): at most three holders named, then how many records in all — counting those
 * the check only counted (not described), and saying "以上" when it stopped counting.
 */
import { likelyDuplicateHint } from '../../cms/src/domain/import/children-import';

const holder = (name: string) => ({ kindergartenName: name, countyName: '思明区', countyCode: '350203', reasons: ['姓名、出生日期、性别相同'] });

test('up to three holders are named and nothing more is said', () => {
  expect(likelyDuplicateHint([holder('甲园'), holder('乙园')])).toBe('疑似重复：甲园（思明区）姓名、出生日期、性别相同；乙园（思明区）姓名、出生日期、性别相同。请核对是否为同一幼儿');
});

test('the records only counted are in the total', () => {
  const hint = likelyDuplicateHint([holder('甲园'), holder('乙园'), holder('丙园')], { count: 4, atLeast: false });
  expect(hint).toMatch(/丙园（思明区）姓名、出生日期、性别相同等 7 条学籍。/);
  expect(hint).not.toContain('丁园');
});

test('a count that stopped says 以上', () => {
  expect(likelyDuplicateHint([holder('甲园'), holder('乙园'), holder('丙园')], { count: 20, atLeast: true })).toContain('等 23 条以上学籍');
});
