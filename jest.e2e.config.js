/** @type {import('jest').Config} */
// The browser tests: a user's story per test, in Debian's chromium driven by playwright-core, against the same real
// system the other tests use (started once for the run, in .data/e2e-run).
const base = require('./jest.config.js');
module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  testTimeout: 120_000,
};
