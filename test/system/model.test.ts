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
const seed = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

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
        { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: process.env.MODEL_SHRINK === '0' },
      );
      expect(runs).toBeGreaterThan(0);
    },
    Math.max(120_000, runs * 5_000),
  );
});
