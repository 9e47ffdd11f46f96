import { chineseMessage } from '../../cms/src/domain/messages';
import { demoWanted } from '../../cms/src/bootstrap/demo';

describe('validation messages for the panel', () => {
  test.each([
    ['code', 'code must match the following: "/^\\d{10}$/"', '机构标识码格式不正确'],
    ['name', 'name must be a `string` type, but the final value was: `null`.', '幼儿园名称类型不正确'],
    ['ownership', 'ownership must be one of the following values: public, private', '办学性质须为以下值之一：public, private'],
    ['name', 'name must be at least 2 characters', '幼儿园名称至少 2 个字符'],
    ['code', 'This attribute must be unique', '机构标识码已存在'],
    ['name', 'name must be defined.', '幼儿园名称必填'],
  ])('%s: %s', (field, message, expected) => {
    expect(chineseMessage(field, message, 'kindergartens')).toBe(expected);
  });
  test('our own Chinese messages pass through', () => {
    expect(chineseMessage('username', '用户名已存在', 'accounts')).toBe('用户名已存在');
  });
});

describe('demo data is made only where it belongs', () => {
  test.each([
    [{}, true],
    [{ DATABASE_URL: 'postgres://x/y' }, false],
    [{ DATABASE_URL: 'postgres://x/y', SEED_DEMO: 'true' }, true],
    [{ SEED_DEMO: 'false' }, false],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', SEED_DEMO: 'true' }, false],
  ])('%j → %s', (env, wanted) => {
    expect(demoWanted(env as NodeJS.ProcessEnv)).toBe(wanted);
  });
});
