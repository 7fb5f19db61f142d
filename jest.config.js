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
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/skipped-suites.reporter.js'],
};
