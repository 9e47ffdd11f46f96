import crypto from 'node:crypto';
import { exchangeSettings, ExchangeSettingsError } from '../../cms/src/exchange/settings';
import { canonicalJson, packageDueAt, packageOfSnapshot, signPackage, verifyPackage } from '../../cms/src/exchange/packages';

const KEY = 'k'.repeat(40);
const pair = () => crypto.generateKeyPairSync('ed25519');
const der = (key: crypto.KeyObject, type: 'pkcs8' | 'spki') => key.export({ format: 'der', type } as any).toString('base64');

test('a province signs with EXCHANGE_SIGNING_KEY (PEM or base64 DER); a wrong key stops the start naming the variable', () => {
  const { privateKey } = pair();
  const province = { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35', NATIONAL_INDEX_KEY: KEY };
  expect(exchangeSettings({ ...province, EXCHANGE_SIGNING_KEY: der(privateKey, 'pkcs8') }).signingKey?.asymmetricKeyType).toBe('ed25519');
  expect(exchangeSettings({ ...province, EXCHANGE_SIGNING_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }).signingKey).not.toBeNull();
  expect(exchangeSettings(province).signingKey).toBeNull();
  expect(() => exchangeSettings({ ...province, EXCHANGE_SIGNING_KEY: 'not a key' })).toThrow(/EXCHANGE_SIGNING_KEY/);
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  expect(() => exchangeSettings({ ...province, EXCHANGE_SIGNING_KEY: der(rsa, 'pkcs8') })).toThrow(/Ed25519/);
});

test('the nation\'s directory of province keys (EXCHANGE_PROVINCE_KEYS) is checked at start', () => {
  const national = { DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: KEY };
  const { publicKey } = pair();
  const keys = exchangeSettings({ ...national, EXCHANGE_PROVINCE_KEYS: JSON.stringify({ 35: der(publicKey, 'spki') }) }).provinceKeys;
  expect([...keys.keys()]).toEqual(['35']);
  expect(() => exchangeSettings({ ...national, EXCHANGE_PROVINCE_KEYS: '{' })).toThrow(/EXCHANGE_PROVINCE_KEYS/);
  expect(() => exchangeSettings({ ...national, EXCHANGE_PROVINCE_KEYS: JSON.stringify({ 350000: der(publicKey, 'spki') }) })).toThrow(/两位/);
  expect(() => exchangeSettings({ ...national, EXCHANGE_PROVINCE_KEYS: JSON.stringify({ 35: 'xyz' }) })).toThrow(ExchangeSettingsError);
  expect(() => exchangeSettings({ ...national, EXCHANGE_PACKAGE_GRACE_DAYS: '-1' })).toThrow(/EXCHANGE_PACKAGE_GRACE_DAYS/);
  expect(exchangeSettings(national).packageGraceDays).toBe(5);
});

test('a package verifies with its province\'s key only, and not once a figure is altered', () => {
  const fujian = pair();
  const other = pair();
  const snapshot = { period: '2026-11', finishedAt: '2026-11-30T00:01:00Z', summary: { provinces: [{ code: '350000', figures: { children: 10, boys: 6 } }], counties: [{ code: '350502', figures: { children: 10, boys: 6 } }, { code: '330102', figures: { children: 1 } }] } };
  const pkg = packageOfSnapshot('35', snapshot);
  expect(pkg).toMatchObject({ province: '35', period: '2026-11', figures: { children: 10, boys: 6 }, counties: [{ code: '350502' }] });
  const signature = signPackage(pkg, fujian.privateKey);
  expect(verifyPackage(pkg, signature, fujian.publicKey)).toBe(true);
  // the same package with its keys in another order: the same canonical bytes
  expect(verifyPackage(JSON.parse(canonicalJson({ ...pkg, figures: { boys: 6, children: 10 } })), signature, fujian.publicKey)).toBe(true);
  expect(verifyPackage({ ...pkg, figures: { ...pkg.figures, children: 11 } }, signature, fujian.publicKey)).toBe(false);
  expect(verifyPackage(pkg, signature, other.publicKey)).toBe(false);
  expect(verifyPackage(pkg, 'garbage', fujian.publicKey)).toBe(false);
});

test('a period\'s package is due its grace days after the period\'s last day, 00:00 in China', () => {
  expect(packageDueAt('2026-11', 5).toISOString()).toBe('2026-12-04T16:00:00.000Z');
  expect(packageDueAt('2026-12', 0).toISOString()).toBe('2026-12-30T16:00:00.000Z');
  expect(packageDueAt('2028-02', 0).toISOString()).toBe('2028-02-28T16:00:00.000Z');
});
