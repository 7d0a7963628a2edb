/** mapWithConcurrency (core/concurrency.ts): order kept, at most `limit` calls in flight, each item once. */
import { describe, expect, it } from '@jest/globals';
import { mapWithConcurrency } from '../../../lambdas/core/concurrency';

/** Runs `items` through a mapper that yields between start and end, measuring the calls in flight. */
async function measured(items: number[], limit: number): Promise<{ results: string[]; calls: number[]; maxInFlight: number }> {
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: number[] = [];
  const results = await mapWithConcurrency(items, limit, async (item) => {
    calls.push(item);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Later items finish sooner: the results must still come back in input order.
    for (let i = 0; i < 10 - item; i++) await Promise.resolve();
    inFlight -= 1;
    return `r${item}`;
  });
  return { results, calls, maxInFlight };
}

describe('mapWithConcurrency', () => {
  it('keeps the input order and calls each item once, with at most `limit` in flight', async () => {
    const { results, calls, maxInFlight } = await measured([0, 1, 2, 3, 4, 5, 6], 3);
    expect(results).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect([...calls].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(maxInFlight).toBe(3);
  });

  it('runs everything at once when the limit exceeds the items', async () => {
    const { results, maxInFlight } = await measured([0, 1, 2], 10);
    expect(results).toEqual(['r0', 'r1', 'r2']);
    expect(maxInFlight).toBe(3);
  });

  it('runs one at a time with a limit of one, or of zero', async () => {
    for (const limit of [1, 0]) {
      const { results, maxInFlight } = await measured([0, 1, 2, 3], limit);
      expect(results).toEqual(['r0', 'r1', 'r2', 'r3']);
      expect(maxInFlight).toBe(1);
    }
  });

  it('calls nothing for no items', async () => {
    const { results, calls } = await measured([], 5);
    expect(results).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapWithConcurrency([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});
