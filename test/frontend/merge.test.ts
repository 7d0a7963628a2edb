import { describe, expect, it } from '@jest/globals';
import { mergeByKey } from '../../frontend/src/merge';

interface Item {
  id: string;
  status: string;
}
const key = (item: Item): string => item.id;

describe('mergeByKey', () => {
  it('takes the new list when there was none', () => {
    const next = [{ id: 'a', status: 'inactive' }];
    expect(mergeByKey(null, next, key)).toBe(next);
  });

  it('returns the previous list itself when nothing changed, so nothing re-renders', () => {
    const previous = [
      { id: 'a', status: 'inactive' },
      { id: 'b', status: 'active' },
    ];
    const next = [
      { id: 'a', status: 'inactive' },
      { id: 'b', status: 'active' },
    ];
    expect(mergeByKey(previous, next, key)).toBe(previous);
  });

  it('keeps unchanged items as the same objects and takes changed ones', () => {
    const previous = [
      { id: 'a', status: 'inactive' },
      { id: 'b', status: 'starting' },
    ];
    const next = [
      { id: 'a', status: 'inactive' },
      { id: 'b', status: 'active' },
    ];
    const merged = mergeByKey(previous, next, key);
    expect(merged).not.toBe(previous);
    expect(merged[0]).toBe(previous[0]);
    expect(merged[1]).toBe(next[1]);
  });

  it('follows the new order, additions and removals', () => {
    const a = { id: 'a', status: 'inactive' };
    const b = { id: 'b', status: 'inactive' };
    const merged = mergeByKey([a, b], [{ id: 'c', status: 'inactive' }, { ...a }], key);
    expect(merged.map(key)).toEqual(['c', 'a']);
    expect(merged[1]).toBe(a);
  });
});
