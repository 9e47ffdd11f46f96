import path from 'node:path';
import { ensureDataDir, migrationsDir } from '../src/runtime/paths';

/**
 * Embedded SQLite by default (file chosen by DATABASE_FILENAME, inside the git-ignored data folder);
 * PostgreSQL when DATABASE_URL is set. DATABASE_SCHEMA picks a PostgreSQL schema (tests use one each).
 */
export default ({ env }) => {
  const settings = { migrations: { dir: migrationsDir } };
  const url = env('DATABASE_URL', '');
  if (url) {
    return {
      connection: {
        client: 'postgres',
        connection: { connectionString: url, schema: env('DATABASE_SCHEMA', 'public') },
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
    },
    settings,
  };
};
