/**
 * What an import keeps of each valid row for the likely-duplicate check
 * (cms/src/domain/import/likely-probes.ts): every row's name, birth date, sex and guardian keys
 * come back as given, in the order added, as often as the check reads them.
 */
import crypto from 'node:crypto';
import { LikelyProbes } from '../../cms/src/domain/import/likely-probes';

const key = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

test('the probes come back as added, keyed by row number, however many rows', () => {
  const probes = new LikelyProbes();
  const added: { key: number; name: string; birthDate: string; sex: string; guardianKeys: string[] }[] = [];
  for (let i = 0; i < 5000; i += 1) {
    const probe = { key: i + 2, name: ['陈子涵', '林欣怡', 'Ali'][i % 3], birthDate: `2021-0${1 + (i % 9)}-1${i % 10}`, sex: i % 2 ? 'male' : 'female', guardianKeys: i % 7 ? [key(`father ${i}`), key(`mother ${i}`)] : [key(`father ${i}`)] };
    added.push(probe);
    probes.add(probe.key, probe.name, probe.birthDate, probe.sex, probe.guardianKeys);
  }
  expect(probes.size).toBe(5000);
  expect([...probes]).toEqual(added);
  // read again (the check reads them twice): the same
  expect([...probes]).toEqual(added);
  expect(probes.probe(4999)).toEqual(added[4999]);
});

test('missing values stay missing, empty keys are left out, and a key of another form is kept as given', () => {
  const probes = new LikelyProbes();
  probes.add(7, null, '2022-03-04', undefined, [null, '', undefined]);
  probes.add(8, '王一诺', '2022-03-04', 'female', ['not-a-hex-key', key('a'), 'ABCDEF'.repeat(10) + 'ABCD']);
  expect([...probes]).toEqual([
    { key: 7, name: undefined, birthDate: '2022-03-04', sex: undefined, guardianKeys: [] },
    // the hex SHA-256 keys first, then the others (the check takes them as a set)
    { key: 8, name: '王一诺', birthDate: '2022-03-04', sex: 'female', guardianKeys: [key('a'), 'not-a-hex-key', 'ABCDEF'.repeat(10) + 'ABCD'] },
  ]);
  expect([...new LikelyProbes()]).toEqual([]);
});
