const fs = require('node:fs');
const path = require('node:path');

/**
 * The browser suites drive the panel, which speaks only HTTP to the server: on PostgreSQL
 * (DATABASE_URL) only those marked `@database-specific` in their header run (they assert what differs
 * between the databases, e.g. an estimated total); TEST_BROWSER=all runs every one. The unit, API
 * and security suites run on both databases (docs/testing.md).
 */
function browserSuitesSkipped() {
  if (!process.env.DATABASE_URL || process.env.TEST_BROWSER === 'all') return [];
  const folder = path.join(__dirname, 'tests', 'browser');
  return fs.readdirSync(folder)
    .filter((name) => name.endsWith('.test.ts') && !/@database-specific\b/.test(fs.readFileSync(path.join(folder, name), 'utf8').slice(0, 2000)))
    .map((name) => `<rootDir>/tests/browser/${name.replace(/\./g, '\\.')}$`);
}

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...browserSuitesSkipped()],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/tests/global-setup.js',
  globalTeardown: '<rootDir>/tests/global-teardown.js',
  // also the hooks' limit: a suite's start (tests/helpers/boot.ts) on a machine shared by other jobs
  testTimeout: 300000,
  maxWorkers: 2,
  forceExit: true,
  modulePathIgnorePatterns: ['<rootDir>/cms/dist', '<rootDir>/admin/dist', '<rootDir>/plugins/.*/dist'],
};
