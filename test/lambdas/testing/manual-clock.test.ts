import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../../lambdas/testing/manual-clock';

describe('ManualClock', () => {
  it('starts at a fixed default time so test output is stable', () => {
    expect(new ManualClock().now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('moves only when advanced', () => {
    const clock = new ManualClock('2025-06-01T12:00:00Z');
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2025-06-01T12:00:01.500Z');
  });

  it('jumps to an absolute time with set, also backwards', () => {
    const clock = new ManualClock('2025-06-01T12:00:00Z');
    clock.set(new Date('2024-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('hands out copies, so a caller cannot move time by mutating a Date', () => {
    const clock = new ManualClock(0);
    clock.now().setTime(999_999);
    expect(clock.now().getTime()).toBe(0);
  });

  it('refuses negative or non-finite steps and invalid dates', () => {
    const clock = new ManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set('not a date')).toThrow(RangeError);
  });
});
