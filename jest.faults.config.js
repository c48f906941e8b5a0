// Fault tests (`npm run test:faults`): real processes really killed, servers stopped and restarted.
// They share the integration run's global setup (one Temporal dev server, one PostgreSQL, one
// workflow bundle); a test that must stop a server starts its own. One file at a time: each kills
// processes and loads the machine, and timings between them must not interfere.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 300_000,
  maxWorkers: 1,
  projects: [
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
