import { exchangeSettings, ExchangeSettingsError } from '../../cms/src/exchange/settings';
import { nationalKey } from '../../cms/src/exchange/outbox';

const KEY = 'k'.repeat(40);

test('a single deployment by default, exchanging nothing', () => {
  expect(exchangeSettings({}).role).toBe('single');
});

test('a wrong role, province or national key stops the start naming the variable', () => {
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'county' })).toThrow(/DEPLOYMENT_ROLE/);
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '350000', NATIONAL_INDEX_KEY: KEY })).toThrow(/DEPLOYMENT_PROVINCE/);
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35' })).toThrow(/NATIONAL_INDEX_KEY/);
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: 'short' })).toThrow(ExchangeSettingsError);
  expect(exchangeSettings({ DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35', NATIONAL_INDEX_KEY: KEY }).province).toBe('35');
});

test('the nation\'s batch, the acknowledgement wait and the stream\'s retention: defaults, and a wrong value stops the start naming the variable', () => {
  const nation = exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: KEY });
  expect([nation.batchSize, nation.ackWaitSeconds, nation.streamMaxAgeDays, nation.streamMaxGb]).toEqual([200, 30, 30, 50]);
  expect(exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: KEY, EXCHANGE_BATCH_SIZE: '500' }).batchSize).toBe(500);
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: KEY, EXCHANGE_BATCH_SIZE: '0' })).toThrow(/EXCHANGE_BATCH_SIZE/);
  expect(() => exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: KEY, EXCHANGE_STREAM_MAX_AGE_DAYS: 'forever' })).toThrow(/EXCHANGE_STREAM_MAX_AGE_DAYS/);
});

test('the national key is the same in every province for the same document, and is not the number', () => {
  const fujian = exchangeSettings({ DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35', NATIONAL_INDEX_KEY: KEY });
  const zhejiang = exchangeSettings({ DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '33', NATIONAL_INDEX_KEY: KEY });
  const id = '33010220220601124x';
  expect(nationalKey(fujian, '1', id)).toBe(nationalKey(zhejiang, '1', id.toUpperCase()));
  expect(nationalKey(fujian, '1', id)).not.toContain('330102');
  expect(nationalKey(fujian, '1', id)).not.toBe(nationalKey(exchangeSettings({ DEPLOYMENT_ROLE: 'national', NATIONAL_INDEX_KEY: 'x'.repeat(40) }), '1', id));
  expect(nationalKey(fujian, '1', null)).toBeNull();
});
