import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bulkSummary, runBulk } from '../../frontend/src/bulk';

describe('runBulk', () => {
  it('accounts for every item once, in order, and never runs more than the limit at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ fails: fc.boolean(), delay: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (items, limit) => {
          let running = 0;
          let peak = 0;
          const result = await runBulk(
            items,
            async (item) => {
              running++;
              peak = Math.max(peak, running);
              for (let i = 0; i < item.delay; i++) await Promise.resolve();
              running--;
              if (item.fails) throw new Error('refused');
            },
            limit,
          );
          expect(peak).toBeLessThanOrEqual(limit);
          expect(result.done).toEqual(items.filter((i) => !i.fails));
          expect(result.failed.map((f) => f.item)).toEqual(items.filter((i) => i.fails));
          expect(result.failed.every((f) => f.message === 'refused')).toBe(true);
        },
      ),
    );
  });

  it('keeps going after failures and reports a reason for an error without a message', async () => {
    const result = await runBulk(['a', 'b', 'c'], async (item) => {
      if (item === 'a') throw new Error('');
      if (item === 'b') throw 'weird';
    });
    expect(result.done).toEqual(['c']);
    expect(result.failed).toEqual([
      { item: 'a', message: 'The request failed.' },
      { item: 'b', message: 'The request failed.' },
    ]);
  });
});

describe('bulkSummary', () => {
  it('says how many changed when all did', () => {
    expect(bulkSummary('Disabled', { done: ['a', 'b', 'c'], failed: [] }, (x) => x)).toEqual({
      kind: 'info',
      text: 'Disabled 3 destinations.',
    });
    expect(bulkSummary('Enabled', { done: ['a'], failed: [] }, (x) => x).text).toBe('Enabled 1 destination.');
  });

  it('names every destination that did not change, with the reason', () => {
    const summary = bulkSummary(
      'Enabled',
      {
        done: ['a'],
        failed: [
          { item: 'b', message: 'Destination "b" was not found.' },
          { item: 'c', message: 'HTTP 503' },
        ],
      },
      (x) => x.toUpperCase(),
    );
    expect(summary.kind).toBe('error');
    expect(summary.text).toBe(
      'Enabled 1 of 3 destinations. Not changed: B (Destination "b" was not found.); C (HTTP 503). They stay selected: try again.',
    );
  });
});
