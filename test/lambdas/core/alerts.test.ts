import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Alert, HealthState } from '../../../lambdas/core/alerts';
import { ALERT_WINDOW_MS, alertCutoff, alertSubject, alertText, directionOf, mayAlert, resumesFlowing } from '../../../lambdas/core/alerts';

const alert: Alert = {
  destinationId: 'd1',
  destinationName: 'YouTube',
  platform: 'youtube',
  channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
  direction: 'failing',
  at: '2030-01-01T00:00:00.000Z',
  message: 'The platform refused the stream key.',
};

describe('directionOf', () => {
  const states: HealthState[] = ['ok', 'degraded', 'failing', 'unknown'];
  it.each([
    ['ok', 'failing', 'failing'],
    ['degraded', 'failing', 'failing'],
    ['unknown', 'failing', 'failing'],
    ['failing', 'ok', 'recovered'],
    ['failing', 'degraded', 'recovered'],
    ['failing', 'unknown', undefined],
    ['failing', 'failing', undefined],
    ['ok', 'degraded', undefined],
  ] as const)('%s → %s is %s', (from, to, expected) => {
    expect(directionOf({ state: from }, { state: to })).toBe(expected);
  });

  it('a first report of failing is a change into failing', () => {
    expect(directionOf(undefined, { state: 'failing' })).toBe('failing');
  });

  it('reports a change exactly when a path enters failing, or leaves it for a state where media flows', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...states), { maxLength: 30 }), (path) => {
        let previous: HealthState | undefined;
        for (const state of path) {
          const d = directionOf(previous === undefined ? undefined : { state: previous }, { state });
          const was = previous ?? 'unknown';
          expect(d === 'failing').toBe(state === 'failing' && was !== 'failing');
          expect(d === 'recovered').toBe(was === 'failing' && (state === 'ok' || state === 'degraded'));
          previous = state;
        }
      }),
    );
  });
});

describe('resumesFlowing', () => {
  it.each([
    [undefined, 'ok', true],
    ['unknown', 'ok', true],
    // Sending, but a connection failed within the last minute: no clean restart.
    [undefined, 'degraded', false],
    ['unknown', 'degraded', false],
    ['unknown', 'failing', false],
    [undefined, 'unknown', false],
    ['failing', 'ok', false],
    ['ok', 'degraded', false],
    ['degraded', 'ok', false],
  ] as const)('%s → %s is %s (media flows where nothing was known: maybe a recovery)', (from, to, expected) => {
    expect(resumesFlowing(from === undefined ? undefined : { state: from }, { state: to })).toBe(expected);
  });

  it('never overlaps a direction: a change is either one or the other, or neither', () => {
    const states: HealthState[] = ['ok', 'degraded', 'failing', 'unknown'];
    for (const from of [undefined, ...states]) {
      for (const to of states) {
        const previous = from === undefined ? undefined : { state: from };
        expect(resumesFlowing(previous, { state: to }) && directionOf(previous, { state: to }) !== undefined).toBe(false);
      }
    }
  });
});

describe('mayAlert and alertCutoff', () => {
  it('allow the first alert, and the next one no sooner than the window', () => {
    const t = Date.parse(alert.at);
    expect(mayAlert(undefined, new Date(t))).toBe(true);
    expect(mayAlert(alert.at, new Date(t + ALERT_WINDOW_MS - 1))).toBe(false);
    expect(mayAlert(alert.at, new Date(t + ALERT_WINDOW_MS))).toBe(true);
  });

  it('agree: a last alert at or before the cutoff lets the next one out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 0, max: 20 * 60_000 }), (last, gap) => {
        const lastSentAt = new Date(last).toISOString();
        const now = new Date(last + gap);
        expect(mayAlert(lastSentAt, now)).toBe(lastSentAt <= alertCutoff(now));
      }),
    );
  });
});

describe('alert text', () => {
  it('says who, which way and why, for chat and e-mail', () => {
    expect(alertText(alert)).toBe(
      `🔴 YouTube (youtube) is failing while the stream is live: The platform refused the stream key.\nDestination d1 on ${alert.channelArn}, at ${alert.at}.`,
    );
    expect(alertText({ ...alert, direction: 'recovered', message: 'The relay runs again.' })).toMatch(
      /^🟢 YouTube \(youtube\) recovered: The relay runs again\./,
    );
    expect(alertSubject(alert)).toBe('Restreaming: YouTube is failing');
  });
});

describe('alert text limits', () => {
  const withMessageOf = (length: number): Alert => {
    const fixed = alertText({ ...alert, message: '' }).length;
    return { ...alert, message: 'x'.repeat(length - fixed) };
  };

  it('keeps a text of exactly 2000 characters (Discord’s limit) whole, and cuts a longer one to 2000 with an ellipsis', () => {
    expect(alertText(withMessageOf(2000))).toHaveLength(2000);
    expect(alertText(withMessageOf(2000)).endsWith(`at ${alert.at}.`)).toBe(true);
    const cut = alertText(withMessageOf(2500));
    expect(cut).toHaveLength(2000);
    expect(cut.endsWith('x…')).toBe(true);
    expect(cut.startsWith('🔴 YouTube (youtube) is failing while the stream is live: xxx')).toBe(true);
  });

  it('makes an e-mail subject SNS accepts: ASCII only, under 100 characters', () => {
    expect(alertSubject({ ...alert, destinationName: 'Chaîne 🎥', direction: 'recovered' })).toBe('Restreaming: Cha?ne ?? recovered');
    // Printable ASCII, space to tilde, stays as it is.
    expect(alertSubject({ ...alert, destinationName: ' !Az~' })).toBe('Restreaming:  !Az~ is failing');
    const prefix = 'Restreaming:  is failing'.length;
    const exactly99 = alertSubject({ ...alert, destinationName: 'n'.repeat(99 - prefix) });
    expect(exactly99).toHaveLength(99);
    expect(exactly99.endsWith('n is failing')).toBe(true);
    const long = alertSubject({ ...alert, destinationName: 'n'.repeat(200) });
    expect(long).toBe(`Restreaming: ${'n'.repeat(83)}...`);
    expect(long).toHaveLength(99);
  });
});
