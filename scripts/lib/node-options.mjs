// The Node options of an app server process, from config/cluster.json `server` (its rules are
// checked at the server's start, cms/src/runtime/config-schema.ts): the heap cap. One place for
// `npm start` (scripts/start.mjs runs itself again with them), `npm run cluster` (each node) and the
// benchmarks' servers (scripts/lib/server.mjs), so that what is measured is what runs. A cap the
// operator sets (NODE_OPTIONS or the command line) is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEAP_FLAG = '--max-old-space-size';

/** The options to add to a server process started with `execArgv` (default: this process's). */
export function serverNodeOptions(execArgv = process.execArgv) {
  const set = [...execArgv, ...(process.env.NODE_OPTIONS || '').split(/\s+/)].some((option) => option.startsWith(HEAP_FLAG));
  if (set) return [];
  const cluster = JSON.parse(fs.readFileSync(path.join(root, 'config', 'cluster.json'), 'utf8'));
  const megabytes = cluster.server?.maxHeapMegabytes;
  return Number.isInteger(megabytes) && megabytes > 0 ? [`${HEAP_FLAG}=${megabytes}`] : [];
}
