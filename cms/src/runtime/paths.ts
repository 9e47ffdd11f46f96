import path from 'node:path';
import fs from 'node:fs';

/**
 * Where things live at run time. The compiled app runs from cms/dist, the sources from cms/,
 * so every path is found from the repository root, which holds config/, database/ and data/.
 */
function findRepositoryRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    if (fs.existsSync(path.join(dir, 'config', 'levels.json')) && fs.existsSync(path.join(dir, 'cms'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('Cannot find the repository root (a folder with config/levels.json and cms/)');
}

export const repositoryRoot = findRepositoryRoot();
export const domainConfigDir = process.env.DOMAIN_CONFIG_DIR || path.join(repositoryRoot, 'config');
export const dataDir = path.resolve(process.env.DATA_DIR || path.join(repositoryRoot, 'data'));
export const panelDistDir = path.join(repositoryRoot, 'admin', 'dist');
export const migrationsDir = path.join(repositoryRoot, 'database', 'migrations');

export function ensureDataDir(): string {
  fs.mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

export function readDomainConfig<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(domainConfigDir, name), 'utf8')) as T;
}
