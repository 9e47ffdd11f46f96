import { format } from 'winston';
import { maskIdentifier } from './masking';

/**
 * No secrets, passwords or full ID numbers in the logs: every log message passes through this
 * format, which masks resident-ID-like numbers (15 or 17 digits + check character, also inside
 * G-type 学籍号; which characters are hidden is the one masking rule, ./masking.ts) and the values of password / token / secret fields in logged text.
 *
 * URLs are logged as sent, so a number may come percent-encoded, wholly (`%33%35%30…`), in part
 * (`11010519491231002%58`), twice (`%2533…`) or beside encoded delimiters (`q%3D…`, `%5B…%5D`):
 * the text is read as units (a character, or a %XX escape, decoded up to three times), the number
 * is looked for in the decoded characters, and the units the masking rule hides are replaced by `*`; the rest
 * of the line stays as it was logged.
 */
const ID_NUMBER = /(?<![0-9A-Za-z])([GJL]?)(\d{6})(\d{8}|\d{6})(\d{3}[0-9Xx]|\d{1})(?![0-9A-Za-z])/g;
// JSON ("password":"…") and query (password=…) forms; the quick start's own demo-password banner is left readable.
const SECRET_FIELD = /((?:password|passwordConfirmation|currentPassword|refreshToken|jwt|token|secret|totp|sig)(?:["']\s*:\s*["']?|=))([^"'&\s,}]+)/gi;

type Unit = { raw: string; char: string };
const isHex = (char: string | undefined) => char !== undefined && /^[0-9A-Fa-f]$/.test(char);
/** A decoded byte as one character; a non-ASCII byte becomes a placeholder that is no digit or letter. */
const byteChar = (hex: string) => {
  const code = parseInt(hex, 16);
  return code < 0x80 ? String.fromCharCode(code) : '\u0000';
};

/** The text as units, each one decoded character: a plain character, or a (multiply) percent-encoded one. */
function unitsOf(text: string): Unit[] {
  let units: Unit[] = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '%' && isHex(text[i + 1]) && isHex(text[i + 2])) {
      units.push({ raw: text.slice(i, i + 3), char: byteChar(text.slice(i + 1, i + 3)) });
      i += 2;
    } else units.push({ raw: text[i], char: text[i] });
  }
  // %2533 is %33 encoded again: a decoded '%' and two hex characters after it are one more escape
  for (let round = 0; round < 2; round += 1) {
    const merged: Unit[] = [];
    let changed = false;
    for (let i = 0; i < units.length; i += 1) {
      const [first, second, third] = [units[i], units[i + 1], units[i + 2]];
      if (first.char === '%' && first.raw !== '%' && isHex(second?.char) && isHex(third?.char)) {
        merged.push({ raw: first.raw + second.raw + third.raw, char: byteChar(second.char + third.char) });
        i += 2;
        changed = true;
      } else merged.push(first);
    }
    units = merged;
    if (!changed) break;
  }
  return units;
}

function maskIdNumbers(text: string): string {
  if (!/\d/.test(text)) return text;
  const units = unitsOf(text);
  const decoded = units.map((unit) => unit.char).join('');
  const masked = new Set<number>();
  for (const match of decoded.matchAll(ID_NUMBER)) {
    const [whole, prefix] = match;
    if (whole.length - prefix.length < 15) continue;
    const start = match.index! + prefix.length;
    const number = whole.slice(prefix.length);
    const shown = maskIdentifier(number);
    for (let i = 0; i < number.length; i += 1) {
      // the one rule says which characters stay; a rule of another length hides all but the region code
      if (shown.length === number.length ? shown[i] === '*' : i >= 6) masked.add(start + i);
    }
  }
  if (!masked.size) return text;
  return units.map((unit, i) => (masked.has(i) ? '*' : unit.raw)).join('');
}

export function redact(text: string): string {
  return maskIdNumbers(text).replace(SECRET_FIELD, (_match, key) => `${key}[redacted]`);
}

export const redactionFormat = format((info) => {
  if (typeof info.message === 'string') info.message = redact(info.message);
  return info;
});
