/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
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
