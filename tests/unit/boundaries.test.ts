/**
 * Import boundaries, enforced in `npm test`: the rules in .dependency-cruiser.cjs run over the
 * repository and must find nothing; the same rules run over tests/fixtures/boundaries (one bad import
 * per rule) must report exactly the violations listed in its expected.json, which proves they can fail.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');
const config = path.join(root, '.dependency-cruiser.cjs');
const cli = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const fixture = path.join(root, 'tests', 'fixtures', 'boundaries');

/** What the repository run scans: every place that holds code of ours. */
const TARGETS = ['admin/src', 'admin/vite.config.ts', 'cms/src', 'cms/config', 'plugins', 'scripts', 'tests'];

interface Dependency {
  module: string;
  resolved: string;
  couldNotResolve: boolean;
}
interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}
interface CruiseResult {
  modules: { source: string; dependencies: Dependency[] }[];
  summary: { violations: Violation[]; totalCruised: number };
}

function cruise(cwd: string, targets: string[]): CruiseResult {
  const run = spawnSync(
    process.execPath,
    [cli, '--config', path.relative(cwd, config) || config, '--output-type', 'json', ...targets],
    { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.status !== 0 || !run.stdout) {
    throw new Error(`dependency-cruiser failed (exit ${run.status}):\n${run.stderr}`);
  }
  return JSON.parse(run.stdout) as CruiseResult;
}

/** A path below node_modules written from node_modules/ on, so it reads the same from any folder. */
const fromNodeModules = (file: string) => file.replace(/^(\.\.\/)*(?=node_modules\/)/, '');

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

describe('import boundaries (.dependency-cruiser.cjs)', () => {
  let repository: CruiseResult;

  beforeAll(() => {
    repository = cruise(root, TARGETS);
  });

  it('the repository has no boundary violation', () => {
    const violations = repository.summary.violations.map(describeViolation);
    if (violations.length > 0) {
      // printed so that a failing run says which import to remove and which rule it breaks
      console.error(`Boundary violations (rules and reasons in .dependency-cruiser.cjs):\n${violations.join('\n')}`);
    }
    expect(violations).toEqual([]);
  });

  it('resolves the TypeScript sources of every part (a scan that resolves nothing checks nothing)', () => {
    for (const part of ['admin/src/', 'cms/src/', 'cms/config/', 'plugins/access-scope/server/', 'scripts/', 'tests/']) {
      const modules = repository.modules.filter((m) => m.source.startsWith(part));
      expect([part, modules.length > 0]).toEqual([part, true]);
    }
    const localEdges = repository.modules.filter(
      (m) => /^(admin\/src|cms\/src|plugins\/[^/]+\/server)\//.test(m.source) &&
        m.dependencies.some((d) => d.module.startsWith('.') && !d.couldNotResolve && /\.tsx?$/.test(d.resolved)),
    );
    expect(localEdges.length).toBeGreaterThan(50);
  });

  it('leaves no import unresolved except compile output (an alias the cruiser cannot follow would escape the rules)', () => {
    const unresolved = repository.modules.flatMap((m) =>
      m.dependencies
        .filter((d) => d.couldNotResolve && !/(^|\/)dist\//.test(d.module))
        .map((d) => `${m.source} -> ${d.module}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('no tsconfig declares path aliases (the cruiser is not told about them; add tsConfig to its options first)', () => {
    const tsconfigs = ['cms', 'admin', ...fs.readdirSync(path.join(root, 'plugins')).map((p) => `plugins/${p}`)]
      .map((dir) => path.join(root, dir, 'tsconfig.json'))
      .filter((file) => fs.existsSync(file));
    expect(tsconfigs.length).toBeGreaterThan(2);
    const withAliases = tsconfigs.filter((file) => {
      const { config: parsed, error } = ts.readConfigFile(file, ts.sys.readFile);
      if (error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
      return Boolean(parsed?.compilerOptions?.paths || parsed?.compilerOptions?.baseUrl);
    });
    expect(withAliases.map((file) => path.relative(root, file))).toEqual([]);
  });

  it('reports every bad import of the fixture, and only those', () => {
    const expected: [string, string, string][] = JSON.parse(
      fs.readFileSync(path.join(fixture, 'expected.json'), 'utf8'),
    ).violations;
    const result = cruise(fixture, ['admin', 'cms', 'plugins', 'scripts', 'tests']);
    const reported = result.summary.violations.map((v) => [v.rule.name, v.from, fromNodeModules(v.to)]);
    const sort = (rows: string[][]) => rows.map((r) => r.join(' | ')).sort();
    expect(sort(reported)).toEqual(sort(expected));
    // each rule of the configuration is proven to fail at least once
    const rules: { name: string }[] = require(config).forbidden;
    expect(new Set(reported.map((r) => r[0]))).toEqual(new Set(rules.map((r) => r.name)));
  });
});
