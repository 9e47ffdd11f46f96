/**
 * The panel asks, the server decides (docs/security/panel-follows-server.md): no list of
 * workflows, states or levels, no key fields, no editors and no time zone is typed again in
 * admin/src — they come from /api/me. Copies drift: the request list once offered 8 of the 12
 * workflows. Translations (admin/src/i18n) are keyed by the server's names and are not copies of
 * a rule. (No browser and no server needed.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../helpers/boot';

const ADMIN_SRC = path.join(REPOSITORY_ROOT, 'admin', 'src');
const I18N = path.join(ADMIN_SRC, 'i18n');
const json = (...parts: string[]) => JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, ...parts), 'utf8'));

const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return full === I18N ? [] : sources(full);
        return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
    });

const files = sources(ADMIN_SRC).map((file) => ({ file: path.relative(REPOSITORY_ROOT, file), text: fs.readFileSync(file, 'utf8') }));

const { $comment, ...workflows } = json('config', 'workflows.json');
const EXCLUSIVE = new Set(['kindergarten key fields']);
const LISTS: Record<string, string[]> = {
    workflows: Object.keys(workflows),
    levels: json('config', 'levels.json').levels.map((level: { key: string }) => level.key),
    'child states': json('cms', 'src', 'api', 'child', 'content-types', 'child', 'schema.json').attributes.status.enum,
    'request states': json('cms', 'src', 'api', 'request', 'content-types', 'request', 'schema.json').attributes.state.enum,
    'kindergarten key fields': workflows['kindergarten-key-change'].fields,
    'transfer states': json('cms', 'src', 'api', 'transfer', 'content-types', 'transfer', 'schema.json').attributes.state.enum,
    'problem-record states': json('cms', 'src', 'api', 'problem-record', 'content-types', 'problem-record', 'schema.json').attributes.state.enum,
    'kindergarten states': json('cms', 'src', 'api', 'kindergarten', 'content-types', 'kindergarten', 'schema.json').attributes.status.enum,
};

const quoted = (member: string) => new RegExp(`['"\`]${member.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}['"\`]`);

/**
 * Array and object literals (innermost) naming at least `min` members of `list` as string
 * literals; `only`: and no other string (a list of editable fields may name key fields among others).
 */
export function copiesOf(text: string, list: string[], min = 3, only = false): string[] {
    const literals = text.match(/\[[^[\]]*\]|\{[^{}]*\}/g) ?? [];
    return literals.filter((literal) => {
        const named = list.filter((member) => quoted(member).test(literal)).length;
        const strings = (literal.match(/'[^']*'|"[^"]*"/g) ?? []).length;
        return named >= min && (!only || strings === named);
    });
}

test('the detector finds a copied list (so the checks below can fail)', () => {
    expect(copiesOf(`const TYPES = ['kindergarten-key-change', 'annual-report', 'declaration'];`, LISTS.workflows)).toHaveLength(1);
    expect(copiesOf(`const ABOVE = { province: 'ministry', prefecture: 'province', county: 'prefecture' };`, LISTS.levels)).toHaveLength(1);
    expect(copiesOf(`['institution', 'county'].includes(level)`, LISTS.levels)).toHaveLength(0);
    expect(copiesOf(`const KEYS = ['name', 'legalPerson', 'principal', 'address'] as const;`, LISTS['kindergarten key fields'], 3, true)).toHaveLength(1);
    expect(copiesOf(`['name', 'legalPerson', 'principal', 'address', 'phone']`, LISTS['kindergarten key fields'], 3, true)).toHaveLength(0);
    expect(files.length).toBeGreaterThan(50);
});

test.each(Object.keys(LISTS))('no file in admin/src types the %s again', (name) => {
    const found = files.flatMap(({ file, text }) => copiesOf(text, LISTS[name], 3, EXCLUSIVE.has(name)).map((literal) => `${file}: ${literal.slice(0, 120)}`));
    expect(found).toEqual([]);
});

test('no time zone, no editor list, no key-field constant in admin/src', () => {
    const found = files.flatMap(({ file, text }) =>
        [/Asia\/Shanghai/, /\bEDITORS\b/, /\bKEY_FIELDS\b/].filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern}`));
    expect(found).toEqual([]);
});

/**
 * One vocabulary (config/vocabulary.json): the names of the states it names come from the server
 * (GET /api/me facts.vocabulary, admin/src/providers/vocabulary.ts), so neither language's messages
 * name them again, and no file of admin/src spells yes/no itself.
 */
test('the panel names no state of the vocabulary and no yes/no of its own', () => {
    const vocabulary = json('config', 'vocabulary.json');
    const messages: Record<string, any> = { 'zh-CN': require('../../admin/src/i18n/zh-CN').default, en: require('../../admin/src/i18n/en').default };
    const found: string[] = [];
    for (const group of Object.keys(vocabulary.states)) {
        const [resource, field] = group.split('.');
        for (const [locale, tree] of Object.entries(messages)) if (tree.resources?.[resource]?.[field] !== undefined) found.push(`${locale}: resources.${group}`);
    }
    for (const { file, text } of files) if (/['"`](是|否)['"`]/.test(text)) found.push(`${file}: 是/否`);
    expect(found).toEqual([]);
});

test('the region picker is the one way to enter a place: no input of admin/src asks for a 6-digit code', () => {
    // the custom-field designer's 适用地区 (a scope, not a place) is left to its own screens
    const found = files.filter(({ file, text }) => !file.includes(path.join('resources', 'custom-fields')) && /\\d\{6\}/.test(text) && /<TextInput/.test(text)).map(({ file }) => file);
    expect(found).toEqual([]);
});
