import { redact } from '../../cms/src/security/log-redaction';
import * as identity from '../../plugins/student-id/server/src/identity';

// the one masking rule is the student-id plugin's, reached through the running Strapi (cms/src/security/masking.ts)
beforeAll(() => {
  (globalThis as any).strapi = { plugin: () => ({ service: () => identity }) };
});
afterAll(() => {
  delete (globalThis as any).strapi;
});

describe('log redaction (no full ID numbers, passwords or tokens in logs)', () => {
  test('resident ID numbers are masked, also inside a G-type 学籍号 and a URL', () => {
    expect(redact('GET /api/children?filters[studentNumber][$eq]=G35050220220315021X (3 ms) 200')).toBe('GET /api/children?filters[studentNumber][$eq]=G350502***********X (3 ms) 200');
    expect(redact('holder 350502202203150213')).toBe('holder 350502***********3');
    expect(redact('holder 350502220315021')).not.toContain('220315');
  });

  test('before the plugin is loaded nothing of the number is shown', () => {
    const saved = (globalThis as any).strapi;
    delete (globalThis as any).strapi;
    try {
      expect(redact('holder 350502202203150213')).toBe(`holder ${'*'.repeat(18)}`);
    } finally {
      (globalThis as any).strapi = saved;
    }
  });

  test.each([
    ['wholly percent-encoded', '/api/children?q=%33%35%30%35%30%32%32%30%32%32%30%33%31%35%30%32%31%33 200'],
    ['split by encoding (check character)', '/api/children?q=11010519491231002%58 200'],
    ['split by encoding (a digit)', '/api/children?q=110105194912%331002X 200'],
    ['encoded twice', '/api/children?q=%2533%2535%2530%2535%2530%2532%2532%2530%2532%2532%2530%2533%2531%2535%2530%2532%2531%2533 200'],
    ['beside an encoded delimiter', '/api/children?filters%5BidNumber%5D%5B%24eq%5D%3D350502202203150213 200'],
    ['after an encoded space', '/api/children?q=%2011010519491231002X&page=1 200'],
    ['in a query string filter', '/api/children?filters[idNumber][$eq]=%31%31%30%31%30%35%31%39%34%39%31%32%33%31%30%30%32%78&page=1 200'],
    ['an encoded G 学籍号', '/api/children?studentNumber=%4711010519491231002%58 200'],
  ])('an ID number %s is masked', (_label, line) => {
    const text = redact(line);
    const decoded = (value: string) => { let out = value; for (let i = 0; i < 3; i += 1) out = out.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))); return out; };
    // neither the birth date of either number, in any spelling, survives
    expect(decoded(text)).not.toMatch(/19491231|20220315/);
    expect(text).toContain('********');
    expect(text.endsWith(' 200')).toBe(true);
  });

  test('percent-encoded text that holds no ID number is left as it was', () => {
    const line = '/api/children?filters%5Bname%5D%5B%24contains%5D=%E6%9E%97 phone=13800000000 3135050201';
    expect(redact(line)).toBe(line);
  });

  test('other numbers stay readable', () => {
    expect(redact('institution 3135050201, phone 13800000000, 12 ms')).toBe('institution 3135050201, phone 13800000000, 12 ms');
  });

  test('passwords, tokens and signatures in JSON or query strings are redacted', () => {
    const text = redact('{"identifier":"demo","password":"Demo#Passw0rd"} /api/files/a.png?exp=1&sig=abc refreshToken=xyz');
    expect(text).not.toMatch(/Demo#Passw0rd|sig=abc|xyz/);
    expect(text).toContain('"identifier":"demo"');
  });
});
