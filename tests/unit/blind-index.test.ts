/**
 * The blind index of an identity document (plugins/dup-check duplicates.idKey) is the HMAC-SHA256 of
 * "type:number" under PII_HASH_KEY (the key as UTF-8 text): the keys stored in a province, by any
 * version of the app or by scripts/generate-province.mjs, must keep matching the keys computed now.
 */
import crypto from 'node:crypto';
import duplicatesService from '../../plugins/dup-check/server/src/services/duplicates';

const service = (hashKey: string) => duplicatesService({ strapi: { plugin: () => ({ config: () => hashKey }) } as any });

test.each([
  ['an ASCII key', 'synthetic-hash-key-0123456789abcdef'],
  ['a key with characters beyond ASCII', '学前教育-哈希密钥-0123456789'],
  ['a key longer than SHA-256\'s block (hashed first, as HMAC does)', 'k'.repeat(65)],
])('idKey is HMAC-SHA256 of type:number under %s', (_, key) => {
  const duplicates = service(key);
  for (const [type, number] of [['1', '35050220200101001X'], ['A', 'E12345678'], ['6', 'A1234563']]) {
    expect(duplicates.idKey(type, number)).toBe(crypto.createHmac('sha256', key).update(`${type}:${number}`).digest('hex'));
  }
  expect(duplicates.idKey('1', '')).toBeNull();
  expect(duplicates.idKey(null, '35050220200101001X')).toBeNull();
});

