import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Destination } from '../../../lambdas/core/destination';
import { ValidationError } from '../../../lambdas/core/errors';
import { decodeCursor, encodeCursor, eventIdOf, reconcilerEvents, recordEvents } from '../../../lambdas/core/events';

const AT = '2030-01-01T00:00:00.000Z';

function destination(overrides: Partial<Destination> = {}): Destination {
  return {
    id: 'd1',
    platform: 'youtube',
    name: 'YouTube',
    enabled: true,
    status: 'inactive',
    statusSince: AT,
    channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKeyCiphertext: 'ciphertext',
    streamKeyHint: 'abcd',
    profile: '1080p30-6000',
    mode: 'transcode',
    configRevision: 1,
    generation: 0,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

describe('reconcilerEvents', () => {
  it.each([
    ['inactive', 'starting', 'starting'],
    ['starting', 'active', 'running'],
    ['active', 'stopping', 'stopping'],
    ['stopping', 'inactive', 'stopped'],
  ] as const)('a status change %s → %s is a %s event', (from, to, kind) => {
    expect(reconcilerEvents(destination({ status: from }), destination({ status: to }), AT)).toEqual([
      expect.objectContaining({ destinationId: 'd1', kind, source: 'monitor', at: AT, details: { previousStatus: from, status: to } }),
    ]);
  });

  it('a new error is a failed event with its code and message; the same error again is not', () => {
    const error = { code: 'THROTTLED', message: 'MediaLive throttled CreateInput; retry later.', at: AT };
    const failed = reconcilerEvents(destination(), destination({ lastError: error }), AT);
    expect(failed).toEqual([
      expect.objectContaining({ kind: 'failed', message: error.message, details: { code: 'THROTTLED', status: 'inactive' } }),
    ]);
    const again = { ...error, at: '2030-01-01T00:01:00.000Z' };
    expect(reconcilerEvents(destination({ lastError: error }), destination({ lastError: again }), AT)).toEqual([]);
    expect(
      reconcilerEvents(destination({ lastError: error }), destination({ lastError: { ...error, code: 'QUOTA_EXCEEDED' } }), AT),
    ).toEqual([expect.objectContaining({ kind: 'failed' })]);
  });

  it('an error that goes away is a recovered event, next to the status change', () => {
    const error = { code: 'MEDIALIVE_CREATE_FAILED', message: 'failed', at: AT };
    const events = reconcilerEvents(destination({ status: 'error', lastError: error }), destination({ status: 'active' }), AT);
    expect(events.map((e) => e.kind)).toEqual(['running', 'recovered']);
    expect(events[1]!.details).toEqual({ previousCode: 'MEDIALIVE_CREATE_FAILED', status: 'active' });
  });

  it('nothing changed, nothing recorded (a lease taken and released)', () => {
    expect(reconcilerEvents(destination(), destination({ version: 2, lease: { owner: 'x', until: AT } }), AT)).toEqual([]);
  });
});

describe('cursors', () => {
  it('round-trip every event id and refuse every edit of a token', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 32 }),
        (date, hex) => {
          const id = eventIdOf(date.toISOString(), hex);
          const token = encodeCursor(id);
          expect(decodeCursor(token)).toBe(id);
          for (let i = 0; i < token.length; i++) {
            const edited = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
            let decoded: string | undefined;
            try {
              decoded = decodeCursor(edited);
            } catch (error) {
              expect(error).toBeInstanceOf(ValidationError);
            }
            // An edit that still decodes names another well-formed id: harmless, it only moves the page.
            if (decoded !== undefined) expect(decoded).not.toBe(id);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each(['', 'e1.', 'page-2', 'e1.!!!', `e1.${'A'.repeat(300)}`, encodeCursor('2030-01-01T00:00:00.000Z_x').replace('e1.', 'e2.')])(
    'refuses %j with a message that names nextToken',
    (token) => {
      expect(() => decodeCursor(token)).toThrow(ValidationError);
      expect(() => decodeCursor(token)).toThrow(/^nextToken: /);
    },
  );
});

describe('recordEvents', () => {
  it('never throws: a failed write is logged without the event details and metered', async () => {
    const warnings: unknown[] = [];
    const metered: [string, string][] = [];
    const error = Object.assign(new Error('table gone'), { code: 'SERVICE_UNAVAILABLE' });
    await expect(
      recordEvents(
        {
          events: { record: async () => Promise.reject(error), list: async () => ({ events: [] }) },
          log: { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m, a) => warnings.push([m, a]) },
          metrics: { auxiliaryReadFailed: (what, code) => metered.push([what, code]) },
        },
        [{ destinationId: 'd1', at: AT, kind: 'edited', source: 'api', message: 'Edited: name.', details: { fields: ['name'] } }],
      ),
    ).resolves.toBeUndefined();
    expect(metered).toEqual([['recordEvent', 'SERVICE_UNAVAILABLE']]);
    expect(warnings).toEqual([
      [
        'Could not record a destination event; the destination is not affected',
        { destinationId: 'd1', eventKind: 'edited', errorCode: 'SERVICE_UNAVAILABLE' },
      ],
    ]);
  });
});
