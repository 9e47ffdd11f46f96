import { format } from 'winston';
import { maskIdentifier } from './masking';

/**
 * No secrets, passwords or full ID numbers in the logs: every log message passes through this
 * format, which masks resident-ID-like numbers (15 or 17 digits + check character, also inside
 * G-type 学籍号; the one masking rule, ./masking.ts) and the values of password / token / secret fields in logged text.
 */
const ID_NUMBER = /(?<![0-9A-Za-z])([GJL]?)(\d{6})(\d{8}|\d{6})(\d{3}[0-9Xx]|\d{1})(?![0-9A-Za-z])/g;
// JSON ("password":"…") and query (password=…) forms; the quick start's own demo-password banner is left readable.
const SECRET_FIELD = /((?:password|passwordConfirmation|currentPassword|refreshToken|jwt|token|secret|totp|sig)(?:["']\s*:\s*["']?|=))([^"'&\s,}]+)/gi;

export function redact(text: string): string {
  return text
    .replace(ID_NUMBER, (match, prefix) => (match.length - prefix.length >= 15 ? `${prefix}${maskIdentifier(match.slice(prefix.length))}` : match))
    .replace(SECRET_FIELD, (_match, key) => `${key}[redacted]`);
}

export const redactionFormat = format((info) => {
  if (typeof info.message === 'string') info.message = redact(info.message);
  return info;
});
