/**
 * Keeps object identity across refreshes: unchanged items stay the same objects, so memoised rows do
 * not re-render and the page does not flicker.
 */

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The next list in the server's order, reusing each previous item whose content did not change.
 * Returns `previous` itself when nothing changed at all.
 */
export function mergeByKey<T>(previous: readonly T[] | null, next: readonly T[], key: (item: T) => string): readonly T[] {
  if (previous === null) return next;
  const byKey = new Map(previous.map((item) => [key(item), item]));
  let changed = previous.length !== next.length;
  const merged = next.map((item, index) => {
    const old = byKey.get(key(item));
    if (old !== undefined && sameJson(old, item)) {
      if (previous[index] !== old) changed = true;
      return old;
    }
    changed = true;
    return item;
  });
  return changed ? merged : previous;
}
