/**
 * Property-based model test of the whole back end (see test/support/model.ts): random histories of
 * go-live, offline, reconnects, API calls, scheduled runs, IVS events (lost, duplicated, late),
 * AWS faults, clock jumps, malformed items and invocations killed at any AWS call. After a quiet
 * period, nothing runs that is not wanted, exactly one channel runs for each destination that is,
 * nothing is orphaned and every item records what MediaLive holds.
 *
 * `npm test` runs 100 histories; `npm run test:model` runs 5000 (MODEL_RUNS sets the number,
 * MODEL_SEED replays a run, MODEL_SHRINK=0 reports the first failure without shrinking it).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Action } from '../support/model';
import { ALL_KINDS, historyArbitrary, runHistory } from '../support/model';

/** MODEL_KINDS (comma-separated) restricts the kinds of step, e.g. to chase one failure. */
const kinds = process.env.MODEL_KINDS === undefined ? ALL_KINDS : (process.env.MODEL_KINDS.split(',') as Action['kind'][]);

const runs = Number(process.env.MODEL_RUNS ?? 100);
/**
 * `npm test` replays one fixed seed, so a red CI run can be replayed exactly; `npm run
 * test:model` (MODEL_SEED=random) explores new histories. A random run in a clean-clone CI once
 * spent the whole timeout shrinking a failure it never reported: the time limit below makes
 * fast-check stop and report the seed and the counterexample instead.
 */
const DEFAULT_SEED = 20261130;
const seed =
  process.env.MODEL_SEED === 'random' ? undefined : process.env.MODEL_SEED === undefined ? DEFAULT_SEED : Number(process.env.MODEL_SEED);
const timeoutMs = Math.max(120_000, runs * 5_000);

describe('the system under random histories', () => {
  it(
    `converges after a quiet period, whatever happened before (${runs} histories)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(historyArbitrary(kinds), async (history) => {
          const outcome = await runHistory(history);
          if (outcome.violations.length > 0) {
            throw new Error(`${outcome.violations.join('\n')}\nAt the end:\n${outcome.picture}`);
          }
        }),
        {
          numRuns: runs,
          ...(seed === undefined ? {} : { seed }),
          endOnFailure: process.env.MODEL_SHRINK === '0',
          interruptAfterTimeLimit: timeoutMs - 30_000,
          markInterruptAsFailure: true,
        },
      );
      expect(runs).toBeGreaterThan(0);
    },
    timeoutMs,
  );
});
