/**
 * Bulk enable/disable: one `PUT /stream-destinations/{id}` per selected destination, a few at a
 * time, and an account of every one — which changed and which did not, with the API's reason.
 * Nothing fails silently: a failure is named in the summary and stays selected for a retry.
 */

export interface BulkFailure<T> {
  item: T;
  message: string;
}

export interface BulkResult<T> {
  done: T[];
  failed: BulkFailure<T>[];
}

/** Requests in flight at once: enough to be quick, few enough not to trip API throttling. */
export const BULK_CONCURRENCY = 4;

/** Runs `action` for every item, at most `concurrency` at a time; never rejects. */
export async function runBulk<T>(
  items: readonly T[],
  action: (item: T) => Promise<unknown>,
  concurrency = BULK_CONCURRENCY,
): Promise<BulkResult<T>> {
  const outcomes: Array<{ ok: true } | { ok: false; message: string }> = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      try {
        await action(item);
        outcomes[index] = { ok: true };
      } catch (error) {
        outcomes[index] = { ok: false, message: error instanceof Error && error.message ? error.message : 'The request failed.' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  const result: BulkResult<T> = { done: [], failed: [] };
  outcomes.forEach((outcome, index) => {
    const item = items[index] as T;
    if (outcome.ok) result.done.push(item);
    else result.failed.push({ item, message: outcome.message });
  });
  return result;
}

/** "Disabled 3 destinations." or "Disabled 2 of 3 destinations. Not changed: B (reason)." */
export function bulkSummary<T>(
  verb: 'Enabled' | 'Disabled',
  result: BulkResult<T>,
  nameOf: (item: T) => string,
): { kind: 'info' | 'error'; text: string } {
  const total = result.done.length + result.failed.length;
  const noun = (n: number): string => (n === 1 ? 'destination' : 'destinations');
  if (result.failed.length === 0) return { kind: 'info', text: `${verb} ${total} ${noun(total)}.` };
  const reasons = result.failed.map((f) => `${nameOf(f.item)} (${f.message})`).join('; ');
  return {
    kind: 'error',
    text: `${verb} ${result.done.length} of ${total} ${noun(total)}. Not changed: ${reasons}. They stay selected: try again.`,
  };
}
