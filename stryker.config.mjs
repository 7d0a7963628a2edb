/**
 * `npm run test:mutation` — mutation testing of the pure domain (lambdas/core) with Stryker.
 * Not part of `npm test`: it runs the jest suite once per mutant and takes a long while on a
 * small machine. MUTATE=lambdas/core/planner.ts (comma-separated) narrows it to some files.
 * https://stryker-mutator.io/docs/stryker-js/jest-runner/
 */
import jestConfig from './jest.config.js';

const mutate = process.env.MUTATE ? process.env.MUTATE.split(',') : ['lambdas/core/**/*.ts'];

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // Jest runs the TypeScript sources as native ES modules (see package.json's test:unit).
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: {
    // The tests that exercise lambdas/core directly: its unit tests and the handlers'. The system
    // tests (dynalite, seconds each) would make a run take hours on two cores.
    config: {
      ...jestConfig,
      testMatch: [
        '<rootDir>/test/lambdas/core/**/*.test.ts',
        '<rootDir>/test/lambdas/api/**/*.test.ts',
        '<rootDir>/test/lambdas/monitor/**/*.test.ts',
      ],
    },
    // Each mutant runs only the tests that import the mutated file, directly or not.
    enableFindRelatedTests: true,
  },
  mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['.local', 'dist', 'reports', 'frontend/dist', '.terraform', 'infra/.terraform'],
};
