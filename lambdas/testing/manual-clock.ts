import type { Clock } from '../core/ports';

/**
 * A clock that only moves when told to. Tests and the simulator share one instance: advancing it
 * is how a test lets a simulated MediaLive channel finish CREATING, STARTING, STOPPING or DELETING.
 */
export class ManualClock implements Clock {
  #ms: number;

  /** @param start the initial time (default 2025-01-01T00:00:00Z, so test output is stable). */
  constructor(start: Date | string | number = '2025-01-01T00:00:00.000Z') {
    this.#ms = toMillis(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Moves time forward by `ms` milliseconds (negative values are refused). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`ManualClock.advance needs a finite, non-negative number of ms, got ${ms}`);
    }
    this.#ms += ms;
  }

  /** Jumps to an absolute time, forwards or backwards. */
  set(date: Date | string | number): void {
    this.#ms = toMillis(date);
  }
}

function toMillis(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new RangeError(`ManualClock needs a valid time, got ${String(value)}`);
  }
  return ms;
}
