import { describe, expect, it } from '@jest/globals';
import { MASK, streamKeyHint } from '../../../lambdas/core/destination';

describe('streamKeyHint', () => {
  it.each([
    ['', ''],
    ['abc', ''],
    ['abcd', 'd'],
    ['abcdefg', 'g'],
    ['abcdefgh', 'gh'],
    ['abcdefghijkl', 'jkl'],
    ['abcdefghijklmnop', 'mnop'],
    ['live-key-9f8e7d6c5b4a', '5b4a'],
  ])('shows the end of %j as %j', (key, hint) => {
    expect(streamKeyHint(key)).toBe(hint);
  });

  it('never shows more than a quarter of a key, nor more than four characters', () => {
    for (let length = 0; length <= 64; length += 1) {
      const key = 'k'.repeat(length);
      const shown = streamKeyHint(key).length;
      expect(shown * 4).toBeLessThanOrEqual(length);
      expect(shown).toBeLessThanOrEqual(4);
    }
  });

  it('tells short keys apart: a 4-character key shows one character, not nothing and not all', () => {
    expect(MASK + streamKeyHint('a1b2')).toBe('••••2');
    expect(streamKeyHint('a1b2')).not.toBe(streamKeyHint('a1b3'));
  });
});
