/**
 * The printable pages (the 学籍 confirmation sheet, the guardians' invitation list) put names and
 * numbers typed by users into HTML through one escape (cms/src/utils/html.ts).
 */
import { escapeHtml } from '../../cms/src/utils/html';

test('a name typed with markup prints as text, not as markup', () => {
  expect(escapeHtml('<img src=x onerror="alert(1)">张三')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;张三');
  expect(escapeHtml("O'Brien & 李")).toBe('O&#39;Brien &amp; 李');
});

test('nothing becomes empty text, numbers their digits', () => {
  expect(escapeHtml(null)).toBe('');
  expect(escapeHtml(undefined)).toBe('');
  expect(escapeHtml(35)).toBe('35');
});
