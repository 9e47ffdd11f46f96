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

  test('other numbers stay readable', () => {
    expect(redact('institution 3135050201, phone 13800000000, 12 ms')).toBe('institution 3135050201, phone 13800000000, 12 ms');
  });

  test('passwords, tokens and signatures in JSON or query strings are redacted', () => {
    const text = redact('{"identifier":"demo","password":"Demo#Passw0rd"} /api/files/a.png?exp=1&sig=abc refreshToken=xyz');
    expect(text).not.toMatch(/Demo#Passw0rd|sig=abc|xyz/);
    expect(text).toContain('"identifier":"demo"');
  });
});
