import path from 'node:path';
import { ensureDataDir, migrationsDir } from '../src/runtime/paths';

/**
 * Embedded SQLite by default (file chosen by DATABASE_FILENAME, inside the git-ignored data folder);
 * PostgreSQL when DATABASE_URL is set. DATABASE_SCHEMA picks a PostgreSQL schema (tests use one each).
 *
 * DATABASE_DURABILITY=relaxed (set by the test harness, tests/helpers/boot.ts, for throw-away
 * databases only) stops waiting for the disk on commit: PostgreSQL `synchronous_commit = off` for
 * this app's sessions, SQLite `synchronous = OFF`. A crash may then lose the last commits, so it is
 * never the default and never for data anyone keeps.
 *
 * PostgreSQL's JIT compiler is off for this app's sessions: it compiles a statement whose estimated
 * cost is high, and the app's large statements (the import's likely-duplicate search over millions
 * of guardians) spent more in compiling (3.3 s of 8.7 s on the 5-million province) than they saved;
 * the short list and lookup statements never reach its threshold.
 */
export default ({ env }) => {
  const settings = { migrations: { dir: migrationsDir } };
  const relaxed = env('DATABASE_DURABILITY', 'full') === 'relaxed';
  const url = env('DATABASE_URL', '');
  if (url) {
    return {
      connection: {
        client: 'postgres',
        connection: { connectionString: url, schema: env('DATABASE_SCHEMA', 'public'), options: relaxed ? '-c jit=off -c synchronous_commit=off' : '-c jit=off' },
        pool: { min: env.int('DATABASE_POOL_MIN', 0), max: env.int('DATABASE_POOL_MAX', 10) },
        acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 10000),
      },
      settings,
    };
  }
  const filename = env('DATABASE_FILENAME', 'preschool.db');
  return {
    connection: {
      client: 'sqlite',
      connection: { filename: path.isAbsolute(filename) ? filename : path.join(ensureDataDir(), filename) },
      useNullAsDefault: true,
      ...(relaxed ? { pool: { afterCreate: (connection: { pragma: (sql: string) => unknown }, done: (error: Error | null, connection: unknown) => void) => { connection.pragma('synchronous = OFF'); done(null, connection); } } } : {}),
    },
    settings,
  };
};
