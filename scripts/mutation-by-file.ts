/**
 * `npm run test:mutation:files` — mutation testing of lambdas/core, one group of files at a time,
 * each against its OWN fast tests, then one table for the whole of core.
 *
 * `npm run test:mutation` runs every mutant against every test that imports the mutated file,
 * directly or not; on two cores that takes hours, because most core files are reached by the
 * reconciler's tests. Here each group runs only the tests written for it. Fewer tests kill no
 * more mutants, so every score this prints is a lower bound of the full run's.
 *
 *   npm run test:mutation:files                     # every group, then the table
 *   npm run test:mutation:files -- reconciler       # one group (the others' last reports stay)
 *   npm run test:mutation:files -- --summary        # the table from the reports already there
 *
 * Reports: reports/mutation/by-file/<group>.json (Stryker's JSON schema) and <group>.log.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { calculateMetrics } from 'mutation-testing-metrics';
import type { FileResult, MutationTestResult } from 'mutation-testing-report-schema';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_DIR = 'reports/mutation/by-file';

/** The score issue 8 asks of lambdas/core. */
export const TARGET_SCORE = 85;

export interface MutationGroup {
  /** The name of its report and the command-line argument that runs it alone. */
  readonly name: string;
  /** Files under lambdas/core, each in exactly one group (a test checks that). */
  readonly files: readonly string[];
  /** The tests written for these files: fast, with no dynalite or media. */
  readonly tests: readonly string[];
}

const core = (...names: string[]): string[] => names.map((n) => `lambdas/core/${n}.ts`);
const tests = (...names: string[]): string[] => names.map((n) => `test/lambdas/${n}.test.ts`);

export const MUTATION_GROUPS: readonly MutationGroup[] = [
  {
    name: 'planner',
    files: core('planner'),
    tests: tests('core/planner'),
  },
  {
    name: 'reconciler',
    files: core('reconciler'),
    tests: tests('core/reconciler', 'core/reconciler-health', 'core/reconciler-ingest'),
  },
  {
    // The service's tests drive it over the DynamoDB adapters on an in-process dynalite (one
    // server per file, no socket): tens of milliseconds a test, as fast as a fake would be.
    name: 'service',
    files: core('destination-service', 'destination-updates', 'push-targets', 'concurrency'),
    tests: tests('core/destination-service', 'core/destination-updates', 'core/push-targets', 'core/concurrency', 'core/validation'),
  },
  {
    name: 'resources',
    files: core('resources', 'relay-router', 'health', 'alerts'),
    tests: tests(
      'core/resources',
      'core/relay-router',
      'core/health',
      'core/alerts',
      // HealthAlerts over the DynamoDB adapters on dynalite (about a second per file run).
      'core/health-alerts',
      'adapters/dynamodb/alert-gate',
      'adapters/cloudwatch/relay-telemetry',
    ),
  },
  {
    name: 'domain',
    files: core('validation', 'costs', 'source-check', 'stream-state', 'events', 'errors', 'destination', 'platforms'),
    // Each file's own unit tests (stream-state and errors have theirs now, no longer only the
    // planner's and the HTTP layer's): every static mutant runs all of them, so no slow suite.
    tests: tests(
      'core/validation',
      'core/platforms',
      'core/costs',
      'core/source-check',
      'core/stream-state',
      'core/events',
      'core/errors',
      'core/destination',
    ),
  },
  {
    // Types and interfaces. Stryker finds three mutants in ports.ts, the tag keys, and none in
    // relay.ts; the tag keys are a contract with the IAM conditions of the Terraform module.
    name: 'ports',
    files: core('ports', 'relay'),
    tests: ['test/modules/contract.test.ts'],
  },
];

/** One line of the table: a file, or the total. */
export interface ScoreRow {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Detected over valid mutants, in percent; NaN when a file has none. */
  readonly score: number;
}

/**
 * The scores of the files in these reports, and their total. A file in more than one report
 * counts once, from the last report that has it.
 */
export function summarise(reports: readonly MutationTestResult[]): { files: ScoreRow[]; total: ScoreRow } {
  const files: Record<string, FileResult> = {};
  for (const report of reports) Object.assign(files, report.files);
  const metrics = calculateMetrics(files);
  const row = (file: string, m: (typeof metrics)['metrics']): ScoreRow => ({
    file,
    killed: m.killed,
    timeout: m.timeout,
    survived: m.survived,
    noCoverage: m.noCoverage,
    score: m.mutationScore,
  });
  // calculateMetrics shortens the names to their common part; one file at a time keeps them whole.
  const leaves = Object.entries(files).map(([file, result]) => row(file, calculateMetrics({ [file]: result }).metrics));
  return { files: leaves.sort((a, b) => a.file.localeCompare(b.file)), total: row('all files', metrics.metrics) };
}

/** The table `summarise` gives, as printed. */
export function formatTable(summary: { files: ScoreRow[]; total: ScoreRow }): string {
  const header = ['file', 'score %', 'killed', 'timeout', 'survived', 'no cov.'];
  const cells = [...summary.files, summary.total].map((r) => [
    r.file,
    Number.isNaN(r.score) ? 'n/a' : r.score.toFixed(2),
    String(r.killed),
    String(r.timeout),
    String(r.survived),
    String(r.noCoverage),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...cells.slice(0, -1).map(line), rule, line(cells[cells.length - 1] ?? [])].join('\n');
}

async function runGroup(group: MutationGroup, concurrency: number): Promise<void> {
  const started = Date.now();
  process.stdout.write(`${group.name}: ${group.files.join(', ')} against ${group.tests.length} test file(s)… `);
  const result = await execa('npx', ['stryker', 'run'], {
    cwd: ROOT,
    reject: false,
    all: true,
    env: {
      MUTATE: group.files.join(','),
      MUTATION_TESTS: group.tests.join(','),
      MUTATION_REPORT: `${REPORT_DIR}/${group.name}`,
      STRYKER_CONCURRENCY: String(concurrency),
    },
  });
  await writeFile(join(ROOT, REPORT_DIR, `${group.name}.log`), result.all ?? '');
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  if (result.exitCode !== 0) {
    throw new Error(`Stryker failed on group ${group.name} (exit ${result.exitCode}); see ${REPORT_DIR}/${group.name}.log`);
  }
  console.log(`done in ${minutes} min`);
}

async function readReports(): Promise<MutationTestResult[]> {
  const names = (await readdir(join(ROOT, REPORT_DIR))).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(ROOT, REPORT_DIR, n), 'utf8')) as MutationTestResult));
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run test:mutation:files --')
    .command('$0 [groups..]', 'mutation-test lambdas/core, group by group', (y) =>
      y.positional('groups', { type: 'string', array: true, choices: MUTATION_GROUPS.map((g) => g.name) }),
    )
    .option('summary', { type: 'boolean', default: false, describe: 'Only print the table from the reports already there' })
    .option('concurrency', { type: 'number', default: 2, describe: 'Stryker test runners (one per core)' })
    .example('$0 reconciler', 'mutation-test the reconciler against its own tests')
    .strict()
    .parse();
  const wanted = (argv.groups as string[] | undefined) ?? [];
  await mkdir(join(ROOT, REPORT_DIR), { recursive: true });
  if (!argv.summary) {
    for (const group of MUTATION_GROUPS.filter((g) => wanted.length === 0 || wanted.includes(g.name))) {
      await runGroup(group, argv.concurrency);
    }
  }
  const summary = summarise(await readReports());
  console.log(`\n${formatTable(summary)}\n`);
  console.log(
    `lambdas/core: ${summary.total.score.toFixed(2)}% of mutants detected by their own tests (a lower bound; target ${TARGET_SCORE}%).`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
