/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The fault suite starts and breaks systems of its own (`npm run test:faults`); the browser tests are `npm run test:e2e`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/e2e/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // One real system (Temporal dev server, PostgreSQL, worker, API) is started for the whole run.
  globalSetup: '<rootDir>/test/system/global-setup.ts',
  globalTeardown: '<rootDir>/test/system/global-teardown.ts',
  testTimeout: 60_000,
  // Two cores carry the servers as well as the tests: one test file at a time.
  maxWorkers: 1,
  verbose: true,
};
