import { readDomainConfig } from '../runtime/paths';

type Labels = Record<string, Record<string, string>>;
let labels: Labels | undefined;

/** The Chinese label of a field (config/labels.json), or the field name itself. */
export function fieldLabel(field: string, resource?: string): string {
  labels ??= readDomainConfig<Labels>('labels.json');
  const candidates = resource
    ? [resource, resource === 'children' ? 'child' : '', resource.replace(/ies$/, 'y'), resource.replace(/es$/, ''), resource.replace(/s$/, '')]
    : [];
  const table = candidates.find((name) => name && labels![name]?.[field]);
  return (table && labels[table][field]) || labels.shared?.[field] || field;
}

const RULES: [RegExp, (label: string, match: RegExpMatchArray) => string][] = [
  [/must match the following/i, (label) => `${label}格式不正确`],
  [/must be one of the following values: (.*)$/i, (label, m) => `${label}须为以下值之一：${m[1]}`],
  [/must be at least (\d+) characters/i, (label, m) => `${label}至少 ${m[1]} 个字符`],
  [/must be at most (\d+) characters/i, (label, m) => `${label}不超过 ${m[1]} 个字符`],
  [/(is a required field|must be defined|cannot be null|is required)/i, (label) => `${label}必填`],
  [/must be unique|already exists/i, (label) => `${label}已存在`],
  [/must be a `?(\w+)`? type/i, (label) => `${label}类型不正确`],
  [/must be a valid email/i, (label) => `${label}格式不正确`],
];

/**
 * A readable Chinese message for a validation error about `field`. Messages we wrote are already
 * Chinese and pass through; Strapi's own (English, from yup) are put into Chinese with the field's label.
 */
export function chineseMessage(field: string, message: string, resource?: string): string {
  if (/[\u4e00-\u9fff]/.test(message)) return message;
  const label = fieldLabel(field, resource);
  for (const [pattern, render] of RULES) {
    const match = message.match(pattern);
    if (match) return render(label, match);
  }
  return `${label}：${message}`;
}

/**
 * Where a child is held, as people read it: the kindergarten's name, then its county in brackets
 * ("厦门市思明区第一幼儿园（思明区）"). One wording for the registration, import, transfer and
 * restoration messages of a duplicate.
 */
export function placeName(holder: { kindergartenName?: string | null; countyName?: string | null; countyCode?: string | null }): string {
  return `${holder.kindergartenName ?? '本省其他幼儿园'}（${holder.countyName ?? holder.countyCode ?? '其他县区'}）`;
}
