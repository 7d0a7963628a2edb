import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoAlertGate } from '../../../../lambdas/adapters/dynamodb/alert-gate';
import { DynamoDestinationEventLog } from '../../../../lambdas/adapters/dynamodb/destination-event-log';
import { ALERT_WINDOW_MS, mayAlert } from '../../../../lambdas/core/alerts';
import { ServiceUnavailableError } from '../../../../lambdas/core/errors';
import { startDynalite, type Dynalite } from '../../../support/dynalite';

let db: Dynalite;
let gate: DynamoAlertGate;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

beforeAll(async () => {
  db = await startDynalite();
  gate = new DynamoAlertGate(db.doc, db.tables.events);
});
afterAll(async () => db.stop());

describe('DynamoAlertGate', () => {
  it('lets one alert out per destination and direction per five minutes', async () => {
    const at = (ms: number) => new Date(T0 + ms);
    expect(await gate.claim('d1', 'failing', at(0), ALERT_WINDOW_MS)).toBe(true);
    expect(await gate.claim('d1', 'failing', at(60_000), ALERT_WINDOW_MS)).toBe(false);
    expect(await gate.claim('d1', 'recovered', at(60_000), ALERT_WINDOW_MS)).toBe(true);
    expect(await gate.claim('d2', 'failing', at(60_000), ALERT_WINDOW_MS)).toBe(true);
    expect(await gate.claim('d1', 'failing', at(ALERT_WINDOW_MS - 1), ALERT_WINDOW_MS)).toBe(false);
    expect(await gate.claim('d1', 'failing', at(ALERT_WINDOW_MS), ALERT_WINDOW_MS)).toBe(true);
  });

  it('lets exactly one of many monitors claiming at the same moment send', async () => {
    const now = new Date(T0);
    const claims = await Promise.all(Array.from({ length: 8 }, () => gate.claim('race', 'failing', now, ALERT_WINDOW_MS)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('remembers which way the last alert it let out went, not the ones it held back', async () => {
    const at = (ms: number) => new Date(T0 + ms);
    expect(await gate.lastSent('last')).toBeUndefined();
    await gate.claim('last', 'failing', at(0), ALERT_WINDOW_MS);
    expect(await gate.lastSent('last')).toBe('failing');
    await gate.claim('last', 'recovered', at(1_000), ALERT_WINDOW_MS);
    expect(await gate.lastSent('last')).toBe('recovered');
    // Held back by the window: the user's last alert is still the green one.
    expect(await gate.claim('last', 'failing', at(2_000), ALERT_WINDOW_MS)).toBe(false);
    expect(await gate.lastSent('last')).toBe('recovered');
    expect(await gate.claim('last', 'failing', at(ALERT_WINDOW_MS), ALERT_WINDOW_MS)).toBe(true);
    expect(await gate.lastSent('last')).toBe('failing');
    expect(await gate.lastSent('other')).toBeUndefined();
  });

  it("keeps its items out of the destination's history", async () => {
    await gate.claim('hist', 'failing', new Date(T0), ALERT_WINDOW_MS);
    const log = new DynamoDestinationEventLog(db.doc, db.tables.events, { now: () => new Date(T0) });
    expect((await log.list('hist', { limit: 10 })).events).toEqual([]);
  });

  it('decides exactly as the rule mayAlert does, over random sequences of attempts', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 10 * 60_000 }), { minLength: 1, maxLength: 12 }), async (gaps) => {
        run += 1;
        const id = `prop-${run}`;
        let t = T0;
        let lastSent: string | undefined;
        for (const gap of gaps) {
          t += gap;
          const now = new Date(t);
          const expected = mayAlert(lastSent, now);
          expect(await gate.claim(id, 'failing', now, ALERT_WINDOW_MS)).toBe(expected);
          if (expected) lastSent = now.toISOString();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('reports an unreachable table as a domain error (the caller logs it and sends nothing)', async () => {
    const own = await startDynalite();
    try {
      await own.client.send(new DeleteTableCommand({ TableName: own.tables.events }));
      await expect(new DynamoAlertGate(own.doc, own.tables.events).claim('d', 'failing', new Date(T0), 1)).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
      await expect(new DynamoAlertGate(own.doc, own.tables.events).lastSent('d')).rejects.toBeInstanceOf(ServiceUnavailableError);
    } finally {
      await own.stop();
    }
  });
});
