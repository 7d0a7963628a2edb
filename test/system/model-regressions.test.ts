/**
 * The shrunk counterexamples the random-history model test found (test/support/model-counterexamples.ts),
 * as example tests: each history ended in a violation on the first reconciler.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { closeModelServer, runHistory } from '../support/model';
import { COUNTEREXAMPLES } from '../support/model-counterexamples';

afterAll(closeModelServer);

describe('histories the model test once shrank to', () => {
  it.each(COUNTEREXAMPLES.map((c) => [c.name, c] as const))(
    '%s: no longer',
    async (_name, counterexample) => {
      const outcome = await runHistory(counterexample.history, { stopHoldsAcrossReconnects: true });
      expect(outcome.violations).toEqual([]);
    },
    60_000,
  );
});
