/**
 * `npm run test:mutation` — mutation testing of the pure domain (lambdas/core) with Stryker.
 * Not part of `npm test`: it runs the jest suite once per mutant and takes a long while on a
 * small machine. MUTATE=lambdas/core/planner.ts (comma-separated; `file:10-200` takes lines)
 * narrows it to some files. MUTATION_TESTS=test/lambdas/core/planner.test.ts (comma-separated)
 * runs only those test files: much faster, and the score it gives is a lower bound of the full
 * run's (fewer tests kill no more mutants). STRYKER_CONCURRENCY sets the workers. MUTATION_REPORT
 * names the reports (default reports/mutation/mutation) and keeps the run's sandbox apart, so two
 * runs can share a checkout. `npm run test:mutation:files` (scripts/mutation-by-file.ts) runs
 * every core file against its own tests this way and prints one table.
 * https://stryker-mutator.io/docs/stryker-js/jest-runner/
 */
import jestConfig from './jest.config.js';

const mutate = process.env.MUTATE ? process.env.MUTATE.split(',') : ['lambdas/core/**/*.ts'];
const report = process.env.MUTATION_REPORT ?? 'reports/mutation/mutation';
const onlyTests = process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',').map((t) => `<rootDir>/${t}`) : undefined;

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // Jest runs the TypeScript sources as native ES modules (see package.json's test:unit).
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: {
    // The tests that exercise lambdas/core directly: its unit tests, the handlers', and the
    // adapters' tests that drive core's alert and health rules (the alert gate, the telemetry
    // reader). The system tests (dynalite, seconds each) would make a run take hours on two cores.
    config: {
      ...jestConfig,
      testMatch: onlyTests ?? [
        '<rootDir>/test/lambdas/core/**/*.test.ts',
        '<rootDir>/test/lambdas/api/**/*.test.ts',
        '<rootDir>/test/lambdas/monitor/**/*.test.ts',
        '<rootDir>/test/lambdas/adapters/dynamodb/alert-gate.test.ts',
        '<rootDir>/test/lambdas/adapters/cloudwatch/relay-telemetry.test.ts',
      ],
    },
    // Each mutant runs only the tests that import the mutated file, directly or not.
    enableFindRelatedTests: true,
  },
  mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  // A mutant is a Timeout (detected, like Killed) when its tests run past 1.5x their unmutated time
  // plus timeoutMS. Mutants that loop forever (a `while` whose exit is mutated away) cost timeoutMS
  // each: at 60 s they took 40% of a reconciler run. 10 s is still far above any test's own time
  // (the reconciler's 92 tests take 7 s together). Measured on reconciler.ts:680-720, 43 mutants,
  // concurrency 2: 5 min 11 s at 60 s, 3 min 7 s at 10 s, same score.
  timeoutMS: Number(process.env.STRYKER_TIMEOUT_MS ?? 10_000),
  // Jest under --experimental-vm-modules keeps every run's module graph: a worker grew to 4 GB over
  // a whole-file run and slowed down. A fresh worker every 25 mutants keeps it small.
  maxTestRunnerReuse: 25,
  // The JSON report lists every surviving mutant with its place, for scripts.
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: process.env.MUTATION_REPORT ? `${report}.html` : 'reports/mutation/index.html' },
  jsonReporter: { fileName: `${report}.json` },
  tempDirName: process.env.MUTATION_REPORT ? `.stryker-tmp-${report.split('/').pop()}` : '.stryker-tmp',
  ignorePatterns: ['.stryker-tmp*', '.local', 'dist', 'reports', 'frontend/dist', '.terraform', 'infra/.terraform'],
};
