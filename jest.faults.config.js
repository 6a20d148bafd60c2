/**
 * `npm run test:faults`: the fault suite. Each run starts its own system (in `.data/faults`) the way `npm start` does,
 * so there is no global set-up here; the faults run one after another against it.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 300_000,
  maxWorkers: 1,
  verbose: true,
};
