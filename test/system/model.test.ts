/**
 * Property-based model test of the whole back end (see test/support/model.ts): random histories of
 * go-live, offline, reconnects, API calls, scheduled runs, IVS events (lost, duplicated, late),
 * AWS faults, clock jumps, malformed items and invocations killed at any AWS call. After a quiet
 * period, nothing runs that is not wanted, exactly one channel runs for each destination that is,
 * nothing is orphaned and every item records what MediaLive holds.
 *
 * `npm test` runs 100 histories; `npm run test:model` runs 5000. Environment:
 * - MODEL_RUNS: the number of histories;
 * - MODEL_SEED: a seed to replay, or `random` (the seed drawn is printed first);
 * - MODEL_PATH: with MODEL_SEED, replays one history (the `path` a failure prints) and stops there;
 * - MODEL_SHRINK_SECONDS: how long a failure is shrunk (default 120; 0 reports it unshrunk);
 * - MODEL_KINDS (comma-separated): restricts the kinds of step, e.g. to chase one failure.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Action, HistoryOutcome } from '../support/model';
import { ALL_KINDS, closeModelServer, historyArbitrary, runHistory } from '../support/model';

const kinds = process.env.MODEL_KINDS === undefined ? ALL_KINDS : (process.env.MODEL_KINDS.split(',') as Action['kind'][]);
const runs = Number(process.env.MODEL_RUNS ?? 100);
/**
 * `npm test` replays one fixed seed, so a red CI run can be replayed exactly; `npm run
 * test:model` (MODEL_SEED=random) explores new histories, from a seed drawn here and printed
 * before the first history runs.
 */
const DEFAULT_SEED = 20261130;
const seed =
  process.env.MODEL_SEED === 'random'
    ? Math.floor(Math.random() * 0x7fffffff)
    : process.env.MODEL_SEED === undefined
      ? DEFAULT_SEED
      : Number(process.env.MODEL_SEED);
const path = process.env.MODEL_PATH;
const shrinkMs = Number(process.env.MODEL_SHRINK_SECONDS ?? 120) * 1000;
/** A history that has not ended after this long hangs (a run costs about a tenth of a second: `npm run bench:model`). */
const HISTORY_TIMEOUT_MS = 60_000;
const timeoutMs = Math.max(120_000, runs * 2_000) + shrinkMs + HISTORY_TIMEOUT_MS;

/**
 * Written to stderr at once, not through the console Jest buffers until the test ends: a run the
 * CI kills still shows its seed, and a failure its history, before any shrinking. A random run in
 * a clean-clone CI once spent the whole timeout shrinking a failure it never reported.
 */
function report(line: string): void {
  process.stderr.write(`[model test] ${line}\n`);
}

/** The history's outcome, or a violation when it has not ended in time (it hangs). */
async function withTimeout(outcome: Promise<HistoryOutcome>, ms: number): Promise<HistoryOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<HistoryOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ violations: [`the history had not ended after ${ms / 1000} s (it hangs)`], picture: '' }), ms);
  });
  try {
    return await Promise.race([outcome, hung]);
  } finally {
    clearTimeout(timer);
  }
}

afterAll(closeModelServer);

describe('the system under random histories', () => {
  it(
    `converges after a quiet period, whatever happened before (${runs} histories)`,
    async () => {
      report(`seed ${seed}, ${runs} histories${path === undefined ? '' : `, path ${path}`} (replay: MODEL_SEED=${seed})`);
      /** Histories generated before the first failure: the failure's index is its fast-check `path`. */
      let generated = 0;
      let firstFailureAt: number | undefined;
      let shrinkEnded = false;
      await fc.assert(
        fc.asyncProperty(historyArbitrary(kinds), async (history) => {
          if (firstFailureAt !== undefined && Date.now() - firstFailureAt > shrinkMs) {
            // Out of shrinking time: every later candidate passes unrun, so fast-check reports the
            // smallest failure found so far (each one reported failed for real).
            if (!shrinkEnded) report(`shrinking stopped after ${shrinkMs / 1000} s; the smallest failure so far follows`);
            shrinkEnded = true;
            return;
          }
          const index = generated;
          if (firstFailureAt === undefined) generated += 1;
          const outcome = await withTimeout(runHistory(history), HISTORY_TIMEOUT_MS);
          if (firstFailureAt === undefined && generated % 500 === 0) report(`${generated} of ${runs} histories passed`);
          if (outcome.violations.length === 0) return;
          if (firstFailureAt === undefined) {
            firstFailureAt = Date.now();
            report(
              [
                `FAILED at history ${index}: replay it with MODEL_SEED=${seed} MODEL_PATH=${path ?? index}`,
                `violations:\n  ${outcome.violations.join('\n  ')}`,
                `history (unshrunk):\n${JSON.stringify(history)}`,
                shrinkMs === 0 || path !== undefined ? 'not shrunk' : `shrinking for at most ${shrinkMs / 1000} s (MODEL_SHRINK_SECONDS)`,
              ].join('\n'),
            );
          }
          throw new Error(`${outcome.violations.join('\n')}\nAt the end:\n${outcome.picture}`);
        }),
        {
          numRuns: path === undefined ? runs : 1,
          seed,
          ...(path === undefined ? {} : { path }),
          endOnFailure: shrinkMs === 0 || path !== undefined,
        },
      );
      expect(generated).toBe(path === undefined ? runs : 1);
    },
    timeoutMs,
  );
});
