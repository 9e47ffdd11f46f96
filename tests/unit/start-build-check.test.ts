/**
 * A later start compiles nothing when nothing changed (scripts/compile.mjs; docs/benchmarks.md, "Start"):
 * Strapi rewrites cms/.strapi-updater.json at every start and makes the empty cms/database/migrations
 * at the first start of a fresh clone; each used to make the next start compile cms again. A changed
 * source still is compiled.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** needsCompile(dir, lockfile) of scripts/compile.mjs, asked in a Node of its own (the script is an ES module). */
const needsCompile = (dir: string, lockfile: string): boolean => {
    const script = `import { needsCompile } from ${JSON.stringify(path.join(root, 'scripts', 'compile.mjs'))};
process.stdout.write(JSON.stringify(needsCompile(${JSON.stringify(dir)}, ${JSON.stringify(lockfile)})));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
};

test('what Strapi writes at start (update-notifier state, an empty migrations folder) does not make a compiled project stale; a changed source does', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-check-'));
    try {
        const at = (seconds: number) => new Date(Date.now() - 3600_000 + seconds * 1000);
        const write = (file: string, when: Date) => {
            fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
            fs.writeFileSync(path.join(project, file), '{}');
            fs.utimesSync(path.join(project, file), when, when);
        };
        write('lock.json', at(0));
        write('tsconfig.json', at(0));
        write('src/index.ts', at(10));
        write('dist/.compiled', at(20));
        for (const folder of ['src', '.']) fs.utimesSync(path.join(project, folder), at(10), at(10));
        expect(needsCompile(project, path.join(project, 'lock.json'))).toBe(false);

        // what `npm start` leaves behind: Strapi's update notifier rewrites its state file, and the first
        // start of a fresh clone makes the (empty) folder of user migrations
        write('.strapi-updater.json', at(30));
        fs.mkdirSync(path.join(project, 'database', 'migrations'), { recursive: true });
        for (const folder of ['database/migrations', 'database']) fs.utimesSync(path.join(project, folder), at(35), at(35));
        expect(needsCompile(project, path.join(project, 'lock.json'))).toBe(false);

        write('src/index.ts', at(40));
        expect(needsCompile(project, path.join(project, 'lock.json'))).toBe(true);
    } finally {
        fs.rmSync(project, { recursive: true, force: true });
    }
});

/** A function of scripts/lib/node-options.mjs called with `arg`, in a Node of its own with NODE_OPTIONS as given. */
const fromNodeOptions = (name: string, arg: unknown, nodeOptions = ''): any => {
    const script = `import { ${name} } from ${JSON.stringify(path.join(root, 'scripts', 'lib', 'node-options.mjs'))};
process.stdout.write(JSON.stringify(${name}(${JSON.stringify(arg)})));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
};
const serverNodeOptions = (execArgv: string[], nodeOptions = ''): string[] => fromNodeOptions('serverNodeOptions', execArgv, nodeOptions);

test('the server process runs with the heap cap and semi-space of config/cluster.json, unless the operator gave them', () => {
    const { maxHeapMegabytes: cap, semiSpaceMegabytes: semi } = JSON.parse(fs.readFileSync(path.join(root, 'config', 'cluster.json'), 'utf8')).server;
    expect(Number.isInteger(cap)).toBe(true);
    expect(Number.isInteger(semi)).toBe(true);
    expect(serverNodeOptions([])).toEqual([`--max-old-space-size=${cap}`, `--max-semi-space-size=${semi}`]);
    expect(serverNodeOptions(['--enable-source-maps'])).toEqual([`--max-old-space-size=${cap}`, `--max-semi-space-size=${semi}`]);
    // the operator's own flag, on the command line or in NODE_OPTIONS, is left alone (no second one); the other still applies
    expect(serverNodeOptions(['--max-old-space-size=1024'])).toEqual([`--max-semi-space-size=${semi}`]);
    expect(serverNodeOptions([], '--max-old-space-size=2048 --max-semi-space-size=16')).toEqual([]);
});

test('the server process gets the malloc settings of config/cluster.json in its environment, unless the operator set them', () => {
    const { mallocArenas, mallocMmapThresholdBytes } = JSON.parse(fs.readFileSync(path.join(root, 'config', 'cluster.json'), 'utf8')).server;
    expect(Number.isInteger(mallocArenas)).toBe(true);
    expect(Number.isInteger(mallocMmapThresholdBytes)).toBe(true);
    const environment = (env: Record<string, string>) => fromNodeOptions('serverEnvironment', env);
    expect(environment({})).toEqual({ MALLOC_ARENA_MAX: String(mallocArenas), MALLOC_MMAP_THRESHOLD_: String(mallocMmapThresholdBytes) });
    expect(environment({ MALLOC_ARENA_MAX: '8' })).toEqual({ MALLOC_MMAP_THRESHOLD_: String(mallocMmapThresholdBytes) });
    expect(environment({ MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({});
});
