/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once in `npm run typecheck`; the transform only strips types.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Every suite may reach loopback only; an attempt to go further fails the suite (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/support/network-guard.ts'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/skipped-suites.reporter.js'],
};
