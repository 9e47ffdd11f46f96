// The Node options of an app server process, from config/cluster.json `server` (its rules are
// checked at the server's start, cms/src/runtime/config-schema.ts): the heap cap and the young
// generation's semi-space, and glibc's malloc settings (environment variables, read when the process
// starts). One place for `npm start` (scripts/start.mjs runs itself again with them),
// `npm run cluster` (each node) and the benchmarks' servers (scripts/lib/server.mjs), so that what is
// measured is what runs. A flag the operator sets (NODE_OPTIONS or the command line) is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** config/cluster.json `server` settings in megabytes → the V8 flag each is given as. */
const FLAGS = [['maxHeapMegabytes', '--max-old-space-size'], ['semiSpaceMegabytes', '--max-semi-space-size']];

/** The options to add to a server process started with `execArgv` (default: this process's). */
export function serverNodeOptions(execArgv = process.execArgv) {
  const given = [...execArgv, ...(process.env.NODE_OPTIONS || '').split(/\s+/)];
  const server = serverSettings();
  const options = [];
  for (const [setting, flag] of FLAGS) {
    if (given.some((option) => option.startsWith(flag))) continue;
    const megabytes = server[setting];
    if (Number.isInteger(megabytes) && megabytes > 0) options.push(`${flag}=${megabytes}`);
  }
  return options;
}

/** config/cluster.json `server` settings → the environment variable of glibc's malloc each is given as. */
const MALLOC = [['mallocArenas', 'MALLOC_ARENA_MAX'], ['mallocMmapThresholdBytes', 'MALLOC_MMAP_THRESHOLD_']];

/**
 * The environment to add to a server process, for glibc's malloc (read when the process starts):
 * MALLOC_ARENA_MAX from `mallocArenas` (glibc gives each thread that allocates — the garbage
 * collector's helpers, libuv's pool — an arena of its own, up to eight per core, whose freed pages
 * stay with the process) and MALLOC_MMAP_THRESHOLD_ from `mallocMmapThresholdBytes` (a fixed size
 * from which a block is mapped on its own and given back when freed; glibc otherwise raises it after
 * each large block freed, and the import's large buffers then stay in the arenas). Together they took
 * an import's peak from 435–454 to 389–401 MB (docs/benchmarks.md, eleventh round). A variable the
 * environment already sets is left alone.
 */
export function serverEnvironment(env = process.env) {
  const server = serverSettings();
  const environment = {};
  for (const [setting, variable] of MALLOC) {
    const value = server[setting];
    if (env[variable] === undefined && Number.isInteger(value) && value > 0) environment[variable] = String(value);
  }
  return environment;
}

function serverSettings() {
  return JSON.parse(fs.readFileSync(path.join(root, 'config', 'cluster.json'), 'utf8')).server ?? {};
}
