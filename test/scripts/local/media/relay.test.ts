import { describe, expect, it } from '@jest/globals';
import { BITRATE_WINDOW_MS, BitrateWindow } from '../../../../scripts/local/media/relay';

/** Feeds one progress block a second for `seconds`, `bytesPerSecond` written each; the last rate. */
function feed(window: BitrateWindow, seconds: number, bytesPerSecond: number, start = { bytes: 0, atMs: 0 }): number | undefined {
  let rate: number | undefined;
  for (let i = 0; i <= seconds; i += 1) rate = window.add(start.bytes + i * bytesPerSecond, start.atMs + i * 1000);
  return rate;
}

describe('BitrateWindow', () => {
  it('is the bytes written per second of wall-clock time, in kbit/s', () => {
    expect(feed(new BitrateWindow(), 10, 250_000)).toBe(2000);
  });

  it('drops when ffmpeg falls behind real time, as the platform receives less (a 2000 kbit/s encode at 0.75x speed)', () => {
    // Media time advances 0.75 s per second, so a second brings 0.75 × 250 000 bytes. Bytes over
    // media time would still say 2000; the platform gets 1500 kbit/s.
    expect(feed(new BitrateWindow(), 10, 0.75 * 250_000)).toBe(1500);
  });

  it(`follows a change within its ${BITRATE_WINDOW_MS / 1000} s window and forgets what came before it`, () => {
    const window = new BitrateWindow();
    feed(window, 20, 500_000);
    expect(feed(window, BITRATE_WINDOW_MS / 1000, 125_000, { bytes: 20 * 500_000, atMs: 20_000 })).toBe(1000);
  });

  it('has no rate from a single block, nor from a counter that went back (a new run)', () => {
    const window = new BitrateWindow();
    expect(window.add(1_000_000, 0)).toBeUndefined();
    expect(window.add(10, 1000)).toBeUndefined();
    expect(window.add(250_010, 2000)).toBe(2000);
  });
});
