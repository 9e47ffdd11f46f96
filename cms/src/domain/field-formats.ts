/**
 * Named formats of custom fields (config/field-formats.json): the province picks 手机号码 or 邮政编码
 * on the 自定义字段 screen; a regular expression is only the experts' "advanced" way. And the keys of
 * things people name in Chinese (a custom field, a code table), made from the name in pinyin
 * (pinyin-pro, offline) and made unique, so nobody has to invent an ASCII key.
 */
import { pinyin } from 'pinyin-pro';
import { readDomainConfig } from '../runtime/paths';

export type FieldFormat = {
  key: string;
  name: string;
  nameEn: string;
  type: 'text' | 'number';
  pattern?: string;
  check?: 'residentId' | 'creditCode';
  integer?: boolean;
  message: string;
  messageEn: string;
  example: string;
};

let formats: Record<string, FieldFormat> | undefined;

/** The named formats, by key, in the order of config/field-formats.json. */
export function fieldFormats(): Record<string, FieldFormat> {
  if (!formats) {
    const config = readDomainConfig<{ formats: Record<string, Omit<FieldFormat, 'key'>> }>('field-formats.json');
    formats = Object.fromEntries(Object.entries(config.formats).map(([key, format]) => [key, { key, ...format }]));
  }
  return formats;
}

/** Checks a value may need beyond its pattern, by the name config/field-formats.json gives them. */
const CHECKS: Record<string, (value: string) => boolean> = {
  creditCode: validCreditCode,
  residentId: () => true, // replaced at bootstrap by the student-id plugin's own check (registerFormatCheck)
};

/** Puts the check of `name` (cms/src/index.ts registers the ID check of the student-id plugin). */
export function registerFormatCheck(name: string, check: (value: string) => boolean) {
  CHECKS[name] = check;
}

/** Whether `value` (a string, or a number for number formats) is of the format. */
export function matchesFormat(format: FieldFormat, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (format.integer && !(typeof value === 'number' && Number.isInteger(value))) return false;
  const text = String(value);
  if (format.pattern && !new RegExp(format.pattern).test(text)) return false;
  if (format.check && !(CHECKS[format.check]?.(text) ?? false)) return false;
  return true;
}

const CREDIT_CHARACTERS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015: the 18th character of a unified social credit code is 31 − (Σ value × weight mod 31). */
export function validCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  const sum = CREDIT_WEIGHTS.reduce((total, weight, i) => total + CREDIT_CHARACTERS.indexOf(code[i]) * weight, 0);
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CHARACTERS[check] === code[17];
}

/** The longest generated key: custom-field keys and code-table keys allow 40 characters. */
const KEY_MAX = 36;

/**
 * An ASCII key made from a Chinese name: its pinyin, lower case, words joined by `_`
 * (是否接种疫苗 → shi_fou_jie_zhong_yi_miao), whole words up to 36 characters; `prefix` when the name has no
 * letter or digit at all, or starts with a digit. Unique against `taken` (…_2, …_3).
 */
export function keyFromName(name: string, taken: Iterable<string>, prefix = 'field'): string {
  const words = pinyin(String(name ?? '').trim(), { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true }) as string[];
  let base = '';
  for (const word of words.map((w) => w.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')).filter(Boolean)) {
    const next = base ? `${base}_${word}` : word;
    if (next.length > KEY_MAX) {
      if (!base) base = next.slice(0, KEY_MAX).replace(/_+$/, '');
      break;
    }
    base = next;
  }
  if (!base) base = prefix;
  else if (!/^[a-z]/.test(base)) base = `${prefix}_${base}`.slice(0, KEY_MAX);
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base.slice(0, KEY_MAX - String(n).length - 1)}_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}
