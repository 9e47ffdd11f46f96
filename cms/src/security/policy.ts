import { readDomainConfig } from '../runtime/paths';
import type { SecurityConfig } from './config';

/**
 * The editable security policy (三员): which fields of config/security.json the security
 * administrator may change, their bounds and the MLPS level 3 floor (config/security-policy.json).
 * Edits are a flat map `{ 'lockout.maxFailures': 3 }` of the fields that differ from the file.
 */
export type PolicyField = {
  key: string;
  label: string;
  kind: 'integer' | 'levels' | 'adminRoles';
  min?: number;
  max?: number;
  level3Min?: number;
  level3Max?: number;
  level3Includes?: string[];
  level3Reason?: string;
};
export type PolicyEdits = Record<string, number | string[]>;
type Problem = { field: string; message: string };

let catalogue: PolicyField[] | undefined;
let choices: { levels: { key: string; name: string }[]; adminRoles: { key: string; name: string }[] } | undefined;

export function policyFields(): PolicyField[] {
  if (!catalogue) catalogue = readDomainConfig<{ fields: PolicyField[] }>('security-policy.json').fields;
  return catalogue;
}

/** The levels (config/levels.json) and the 三员 roles (config/roles.json adminRoles) a list may name. */
export function policyChoices() {
  if (!choices) {
    const levels = readDomainConfig<{ levels: { key: string; name: string }[] }>('levels.json').levels.map(({ key, name }) => ({ key, name }));
    const roles = readDomainConfig<{ adminRoles?: Record<string, any> }>('roles.json').adminRoles ?? {};
    const adminRoles = Object.entries(roles).filter(([key]) => !key.startsWith('$')).map(([key, role]) => ({ key, name: typeof role === 'object' ? role.name : String(role) }));
    choices = { levels, adminRoles };
  }
  return choices;
}

export function readPath(source: any, key: string): unknown {
  return key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), source);
}

/** The reason `value` cannot be the field's value (bounds, then the level 3 floor), in Chinese; null when fine. */
export function fieldProblem(field: PolicyField, value: unknown): string | null {
  if (field.kind === 'integer') {
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = field;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) return `${field.label}须为 ${min}–${max} 的整数`;
    const reason = field.level3Reason ? `：${field.level3Reason}` : '';
    if (field.level3Min !== undefined && (value as number) < field.level3Min) return `${field.label}不能低于 ${field.level3Min}（等保三级要求${reason}）`;
    if (field.level3Max !== undefined && (value as number) > field.level3Max) return `${field.label}不能超过 ${field.level3Max}（等保三级要求${reason}）`;
    return null;
  }
  const known = policyChoices()[field.kind].map((choice) => choice.key);
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return `${field.label}须为列表`;
  const unknown = value.filter((item) => !known.includes(item));
  if (unknown.length) return `${field.label}：没有 ${unknown.join('、')}，可选 ${known.join('、')}`;
  const missing = (field.level3Includes ?? []).filter((item) => !value.includes(item));
  if (missing.length) return `${field.label}须包含 ${missing.join('、')}（等保三级要求${field.level3Reason ? `：${field.level3Reason}` : ''}）`;
  return null;
}

/** The nested input `{ lockout: { maxFailures: 3 } }` as flat keys, unknown keys included (to be refused). */
function flatten(input: Record<string, any>, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const path = `${prefix}${key}`;
    const known = policyFields().some((field) => field.key === path);
    if (!known && value && typeof value === 'object' && !Array.isArray(value)) Object.assign(flat, flatten(value, `${path}.`));
    else flat[path] = value;
  }
  return flat;
}

/**
 * Checks an edit (any subset of the editable fields, nested like config/security.json, or
 * `{ restoreDefaults: true }`) against the bounds and the floor, and returns the edits to store:
 * the current ones with the new values, minus those equal to the file's. Throws nothing: returns
 * the problems, every one naming its field, so the caller answers one 400 and stores nothing.
 */
export function checkPolicyInput(input: Record<string, any>, current: PolicyEdits | null, defaults: SecurityConfig): { edits: PolicyEdits; problems: Problem[] } {
  if (input.restoreDefaults === true) {
    const others = Object.keys(input).filter((key) => key !== 'restoreDefaults');
    return { edits: {}, problems: others.map((field) => ({ field, message: '恢复默认值时不能同时修改其他设置' })) };
  }
  const problems: Problem[] = [];
  const edits: PolicyEdits = { ...(current ?? {}) };
  const flat = flatten(input);
  if (!Object.keys(flat).length) problems.push({ field: 'data', message: '请提交要修改的安全策略' });
  for (const [key, value] of Object.entries(flat)) {
    const field = policyFields().find((candidate) => candidate.key === key);
    if (!field) { problems.push({ field: key, message: `${key} 不是可修改的安全策略项` }); continue; }
    const problem = fieldProblem(field, value);
    if (problem) { problems.push({ field: key, message: problem }); continue; }
    const normalised = Array.isArray(value) ? [...new Set(value as string[])] : (value as number);
    const fallback = readPath(defaults, key);
    const same = Array.isArray(normalised) ? JSON.stringify([...normalised].sort()) === JSON.stringify([...((fallback as string[]) ?? [])].sort()) : normalised === fallback;
    if (same) delete edits[key];
    else edits[key] = normalised;
  }
  return { edits, problems };
}

/**
 * config/security.json with the stored edits applied. Only catalogued fields whose value passes
 * the checks are applied (a row written around the API cannot weaken the policy); others are skipped.
 */
export function applyPolicyEdits(defaults: SecurityConfig, edits: Record<string, unknown>): SecurityConfig {
  const merged = JSON.parse(JSON.stringify(defaults));
  for (const field of policyFields()) {
    if (!(field.key in edits) || fieldProblem(field, edits[field.key])) continue;
    const parts = field.key.split('.');
    const parent = parts.slice(0, -1).reduce((node, part) => (node[part] ??= {}), merged);
    parent[parts[parts.length - 1]] = edits[field.key];
  }
  return merged;
}

/** The editable fields' values in `config`, flat. */
export function policyValues(config: SecurityConfig): PolicyEdits {
  return Object.fromEntries(policyFields().map((field) => [field.key, readPath(config, field.key) as number | string[]]));
}
