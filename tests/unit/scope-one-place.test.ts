/**
 * One place turns a reach into a filter: plugins/access-scope (docs/access-scope.md). This test reads
 * the application (cms/src) and the other plugins and finds no code that builds a filter from a
 * reach's parts (its region prefix, kindergarten or county), no second `Reach` type, no copy of the
 * raw-SQL reach (`whereFor`, a county prefix turned into `like`/`$startsWith`), and none of the
 * request-context flags that used to switch rules off (system work runs through `runAsSystem`).
 * Exceptions, each with its reason, are listed in docs/access-scope.md and in EXCEPTIONS below.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** What reach→filter code looks like when written outside the plugin. */
const PATTERNS: [string, RegExp][] = [
  ['reads a reach\'s parts', /\breach\??\.(prefix|institutionCode|countyCode)\b/],
  ['branches on the kind of a reach to build something', /\breach\??\.kind\s*[!=]==?\s*'(all|region|institution)'/],
  ['declares a Reach type of its own', /\btype\s+Reach\s*=|\binterface\s+Reach\b/],
  ['copies the raw-SQL reach', /\b(whereFor|whereCountyPrefix)\s*\(/],
  ['turns a region prefix into a filter', /\$startsWith:\s*[\w.]*prefix\b|'like',\s*`\$\{[\w.]*prefix\}%`/],
  ['reads or sets a request-context flag', /\b(systemReach|applyingRequest|reviewingProject|recordingDisbursement)\b/],
];

/** Files allowed to match, with the reason (also in docs/access-scope.md). */
const EXCEPTIONS: Record<string, string> = {};

const SKIPPED = new Set(['node_modules', 'dist', 'build', '.cache', '.tmp']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function scanned(): string[] {
  const plugins = fs.readdirSync(path.join(root, 'plugins')).filter((name) => name !== 'access-scope');
  return [path.join(root, 'cms', 'src'), ...plugins.map((name) => path.join(root, 'plugins', name, 'server'))]
    .filter((dir) => fs.existsSync(dir))
    .flatMap(sources);
}

export function findings(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    if (EXCEPTIONS[file]) continue;
    text.split('\n').forEach((line, i) => {
      for (const [what, pattern] of PATTERNS) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  return found;
}

test('no reach→filter code outside plugins/access-scope', () => {
  const files = scanned().map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));
  expect(files.length).toBeGreaterThan(100);
  expect(files.some((f) => f.file.startsWith('plugins/archive-snapshot/'))).toBe(true);
  expect(findings(files)).toEqual([]);
});

test('the patterns find the copies that used to be there (the test can fail)', () => {
  const copies = [
    "if (reach.kind === 'region') return { prefix: reach.prefix };",
    "return { $or: [{ fromCountyCode: { $startsWith: reach.prefix } }, { toCountyCode: { $startsWith: reach.prefix } }] };",
    "type Reach = { kind: 'all' | 'region' | 'institution' | 'none'; prefix?: string };",
    "const where = statistics.whereFor(reach);",
    "if (where.prefix) query.where('p.region_code', 'like', `${where.prefix}%`);",
    "if (state) state.systemReach = true;",
    "if (actingUser(strapi) && !strapi.requestContext.get()?.state?.applyingRequest) {",
  ];
  const found = findings(copies.map((text, i) => ({ file: `copy-${i}.ts`, text })));
  expect(new Set(found.map((line) => line.split(':')[0]))).toEqual(new Set(copies.map((_, i) => `copy-${i}.ts`)));
});
