/**
 * The panel's translations stay complete: zh-CN mirrors every key of ra-language-english, and
 * zh-CN and en carry the same keys. (No browser needed; kept beside the panel's browser tests.)
 */
import englishRa from 'ra-language-english';
import chinese from '../../admin/src/i18n/zh-CN';
import english from '../../admin/src/i18n/en';

const keys = (messages: object, prefix = ''): string[] =>
    Object.entries(messages).flatMap(([key, value]) =>
        value && typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]
    );

test('zh-CN translates every react-admin message', () => {
    const missing = keys(englishRa).filter((key) => !keys(chinese).includes(key));
    expect(missing).toEqual([]);
});

test('zh-CN and en have the same keys', () => {
    expect(keys(chinese).sort()).toEqual(keys(english).sort());
});

test('Chinese messages have no plural variants (polyglot uses one form for zh)', () => {
    const withVariants = keys(chinese).filter((key) => {
        const value = key.split('.').reduce((node: any, part) => node?.[part], chinese);
        return typeof value === 'string' && value.includes('||||');
    });
    expect(withVariants).toEqual([]);
});
