import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Destination } from '../../../lambdas/core/destination';
import { ValidationError } from '../../../lambdas/core/errors';
import {
  decodeCursor,
  encodeCursor,
  eventIdOf,
  expiresAtOf,
  reconcilerEvents,
  recordEvents,
  toEventView,
  type EventRecording,
} from '../../../lambdas/core/events';

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

  it.each([
    ['inactive', 'starting', 'Starting the relay.'],
    ['starting', 'active', 'The relay is running.'],
    ['active', 'stopping', 'Stopping the relay.'],
    ['stopping', 'inactive', 'The relay stopped.'],
  ] as const)('says in one sentence what a change %s → %s means', (from, to, message) => {
    expect(reconcilerEvents(destination({ status: from }), destination({ status: to }), AT)[0]?.message).toBe(message);
  });

  it('records no status event for a change to error or deleting: the failure or the delete request says it', () => {
    expect(reconcilerEvents(destination({ status: 'active' }), destination({ status: 'error' }), AT)).toEqual([]);
    expect(reconcilerEvents(destination({ status: 'active' }), destination({ status: 'deleting' }), AT)).toEqual([]);
  });

  it('an error with the same code and a new message is a new failure', () => {
    const error = { code: 'INVALID_CONFIGURATION', message: 'MediaLive refused the output URL.', at: AT };
    const other = { ...error, message: 'MediaLive refused the input.' };
    expect(reconcilerEvents(destination({ lastError: error }), destination({ lastError: other }), AT)).toEqual([
      expect.objectContaining({ kind: 'failed', message: 'MediaLive refused the input.' }),
    ]);
  });

  it('a recovery says what it recovered from', () => {
    const error = { code: 'THROTTLED', message: 'Throttled.', at: AT };
    expect(reconcilerEvents(destination({ lastError: error }), destination(), AT)).toEqual([
      {
        destinationId: 'd1',
        at: AT,
        source: 'monitor',
        kind: 'recovered',
        message: 'Recovered from THROTTLED.',
        details: { previousCode: 'THROTTLED', status: 'inactive' },
      },
    ]);
  });

  it('nothing changed, nothing recorded (a lease taken and released)', () => {
    expect(reconcilerEvents(destination(), destination({ version: 2, lease: { owner: 'x', until: AT } }), AT)).toEqual([]);
  });
});

describe('event ids and retention', () => {
  it('is the event time in fixed-width ISO form and the random suffix', () => {
    expect(eventIdOf('2030-01-01T00:00:00Z', '0a1b2c3d')).toBe('2030-01-01T00:00:00.000Z_0a1b2c3d');
  });

  it.each([
    ['a suffix that is not hex', 'zzzzzzzz'],
    ['a suffix shorter than 8', 'abc'],
  ])('refuses %s', (_label, suffix) => {
    expect(() => eventIdOf(AT, suffix)).toThrow(`Not an event id: 2030-01-01T00:00:00.000Z_${suffix}`);
  });

  it('refuses a suffix longer than 32 characters and a time outside four-digit years, whose ids would not sort', () => {
    expect(() => eventIdOf(AT, 'a'.repeat(33))).toThrow('Not an event id');
    expect(() => eventIdOf('+010000-01-01T00:00:00.000Z', '0a1b2c3d')).toThrow('Not an event id');
  });

  it('expires an event 30 days after it happened, in epoch seconds (DynamoDB TTL)', () => {
    expect(expiresAtOf('2030-01-01T00:00:00.900Z')).toBe(Date.parse('2030-01-31T00:00:00.000Z') / 1000);
  });

  it('answers an event with its id and empty details when it has none', () => {
    const stored = {
      eventId: `${AT}_0a1b2c3d`,
      destinationId: 'd1',
      at: AT,
      kind: 'created' as const,
      source: 'api' as const,
      message: 'Created.',
    };
    expect(toEventView(stored)).toStrictEqual({
      id: `${AT}_0a1b2c3d`,
      at: AT,
      kind: 'created',
      source: 'api',
      message: 'Created.',
      details: {},
    });
    expect(toEventView({ ...stored, details: { fields: ['name'] } }).details).toEqual({ fields: ['name'] });
  });
});

describe('cursors', () => {
  it('is a versioned base64url token of the event id', () => {
    const id = `${AT}_0a1b2c3d`;
    expect(encodeCursor(id)).toBe(`e1.${Buffer.from(id).toString('base64url')}`);
  });

  it.each([
    ['an id with something before it', `x${AT}_0a1b2c3d`],
    ['an id with something after it', `${AT}_0a1b2c3d!`],
  ])('refuses a well-encoded token of %s', (_label, id) => {
    expect(() => decodeCursor(encodeCursor(id))).toThrow(ValidationError);
  });

  it('refuses a token it did not issue with a ValidationError naming nextToken and the fix', () => {
    const message = 'is not a token this API issued: send the nextToken of the previous page unchanged, or none for the first page';
    let caught: unknown;
    try {
      decodeCursor('e1.bm90LWFuLWlk');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).message).toBe(`nextToken: ${message}`);
    expect((caught as ValidationError).issues).toEqual([{ field: 'nextToken', message }]);
  });

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

  describe('refuses a token of a real event id that was altered', () => {
    const token = encodeCursor(`${AT}_0a1b2c3d`);
    it.each([
      ['another prefix', token.replace('e1.', 'e2.')],
      ['no prefix', token.slice('e1.'.length)],
      ['base64 padding appended', `${token}==`],
      ['a character outside base64url appended', `${token}!`],
      ['a space inside', `${token.slice(0, 8)} ${token.slice(8)}`],
      ['standard base64 (padded) instead of base64url', `${encodeCursor(`${AT}_0a1b2c3d4`)}==`],
    ])('%s', (_label, altered) => {
      expect(decodeCursor(token)).toBe(`${AT}_0a1b2c3d`);
      expect(() => decodeCursor(altered)).toThrow(/^nextToken: /);
    });
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
  const recording = (record: EventRecording['events']['record']) => {
    const warnings: unknown[] = [];
    const metered: [string, string][] = [];
    const target: EventRecording = {
      events: { record, list: async () => ({ events: [] }) },
      log: { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m, a) => warnings.push([m, a]) },
      metrics: { auxiliaryReadFailed: (what, code) => metered.push([what, code]) },
    };
    return { target, warnings, metered };
  };
  const event = (kind: 'starting' | 'running') => ({ destinationId: 'd1', at: AT, kind, source: 'monitor' as const, message: kind });

  it('records every event, and one failing write does not stop the others', async () => {
    const recorded: string[] = [];
    const { target, metered } = recording(async (e) => {
      if (e.kind === 'starting') throw new Error('boom');
      recorded.push(e.kind);
    });
    await recordEvents(target, [event('starting'), event('running')]);
    expect(recorded).toEqual(['running']);
    expect(metered).toHaveLength(1);
  });

  it('names an error without a code by its class, and anything else thrown as UNEXPECTED', async () => {
    class ConditionalCheckFailed extends Error {
      override name = 'ConditionalCheckFailedException';
    }
    const byName = recording(async () => Promise.reject(new ConditionalCheckFailed('no')));
    await recordEvents(byName.target, [event('running')]);
    expect(byName.metered).toEqual([['recordEvent', 'ConditionalCheckFailedException']]);
    expect(byName.warnings).toEqual([
      [
        'Could not record a destination event; the destination is not affected',
        { destinationId: 'd1', eventKind: 'running', errorCode: 'ConditionalCheckFailedException' },
      ],
    ]);
    const numeric = recording(async () => Promise.reject(Object.assign(new Error('x'), { code: 500 })));
    await recordEvents(numeric.target, [event('running')]);
    expect(numeric.metered).toEqual([['recordEvent', 'Error']]);
    const thrown = recording(async () => Promise.reject('a string'));
    await recordEvents(thrown.target, [event('running')]);
    expect(thrown.metered).toEqual([['recordEvent', 'UNEXPECTED']]);
  });

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
