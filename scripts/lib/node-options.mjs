// The Node options of an app server process, from config/cluster.json `server` (its rules are
// checked at the server's start, cms/src/runtime/config-schema.ts): the heap cap and the young
// generation's semi-space, and glibc's malloc arenas (an environment variable, read when the process
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

/**
 * The environment to add to a server process: MALLOC_ARENA_MAX from `mallocArenas` (glibc gives each
 * thread that allocates — the garbage collector's helpers, libuv's pool — an arena of its own, up to
 * eight per core, whose freed pages stay with the process: 2 took 25 MB off an import's peak RSS,
 * docs/benchmarks.md, eleventh round), unless the environment already sets it.
 */
export function serverEnvironment(env = process.env) {
  const arenas = serverSettings().mallocArenas;
  return env.MALLOC_ARENA_MAX === undefined && Number.isInteger(arenas) && arenas > 0 ? { MALLOC_ARENA_MAX: String(arenas) } : {};
}

function serverSettings() {
  return JSON.parse(fs.readFileSync(path.join(root, 'config', 'cluster.json'), 'utf8')).server ?? {};
}
