import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEFAULT_PRICES,
  hourlyRate,
  monthCost,
  monthStart,
  resolvePrices,
  RestreamingCostReporter,
  runCost,
  runningCost,
  runsFromEvents,
  type TimedEvent,
} from '../../../lambdas/core/costs';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { makeDestination } from '../../support/fixtures';
import { startDynalite, type Dynalite } from '../../support/dynalite';

const MIN = 60_000;
const HOUR = 60 * MIN;
const FROM = Date.parse('2030-01-01T00:00:00.000Z');
const NOW = Date.parse('2030-01-10T12:00:00.000Z');
const at = (ms: number): string => new Date(ms).toISOString();

describe('hourlyRate: the per destination-hour figures of docs/costs.md', () => {
  it('transcode 1080p: $0.294 input + $0.702 HD output + 2.7 GB × $0.09 = $1.239', () => {
    const rate = hourlyRate({ profile: '1080p30-6000' }, DEFAULT_PRICES);
    expect(rate.mode).toBe('transcode');
    expect(rate.relayUsd).toBeCloseTo(0.996, 6);
    expect(rate.dataUsd).toBeCloseTo(0.243, 6);
    expect(rate.totalUsd).toBeCloseTo(1.239, 6);
    expect(rate.minimumMinutes).toBe(10);
  });

  it('transcode 480p at 2 Mbps: $0.294 + $0.354 SD output + 0.9 GB × $0.09 = $0.729', () => {
    expect(hourlyRate({ profile: '480p30-2000', mode: 'transcode' }, DEFAULT_PRICES).totalUsd).toBeCloseTo(0.729, 6);
  });

  it('passthrough: 0.25 vCPU + 0.5 GB of Fargate arm64 + a public IPv4 + 2.7 GB out ≈ $0.258', () => {
    const rate = hourlyRate({ profile: '720p30-4500', mode: 'passthrough' }, DEFAULT_PRICES);
    expect(rate.relayUsd).toBeCloseTo(0.014875, 6);
    expect(rate.totalUsd).toBeCloseTo(0.258, 3);
    expect(rate.minimumMinutes).toBe(1);
  });

  it('follows the deployment’s overrides', () => {
    const prices = resolvePrices({ mediaLiveInputPerHour: 0.5, dataTransferOutPerGb: 0 });
    expect(hourlyRate({ profile: '1080p30-6000' }, prices).totalUsd).toBeCloseTo(1.202, 6);
    expect(prices.mediaLiveOutputHdPerHour).toBe(DEFAULT_PRICES.mediaLiveOutputHdPerHour);
  });
});

describe('runCost', () => {
  const rate = hourlyRate({ profile: '1080p30-6000' }, DEFAULT_PRICES);

  it('bills at least the minimum per start for the relay, data only as sent', () => {
    const cost = runCost({ start: FROM, end: FROM + 2 * MIN, startedInWindow: true }, rate);
    expect(cost).toBeCloseTo((10 / 60) * rate.relayUsd + (2 / 60) * rate.dataUsd, 9);
  });

  it('bills no minimum for a run that began before the window', () => {
    const cost = runCost({ start: FROM, end: FROM + 2 * MIN, startedInWindow: false }, rate);
    expect(cost).toBeCloseTo((2 / 60) * rate.totalUsd, 9);
  });
});

describe('runsFromEvents', () => {
  const ev = (kind: TimedEvent['kind'], ms: number, status?: string): TimedEvent => ({
    kind,
    at: at(ms),
    ...(status ? { details: { status } } : {}),
  });

  it('pairs starting with stopped', () => {
    const runs = runsFromEvents(
      [ev('stopped', FROM + 3 * HOUR), ev('running', FROM + HOUR + MIN), ev('starting', FROM + HOUR), ev('created', FROM)],
      FROM,
      NOW,
      false,
    );
    expect(runs).toEqual([{ start: FROM + HOUR, end: FROM + 3 * HOUR, startedInWindow: true }]);
  });

  it('clips a run that began last month at the 1st, without a minimum', () => {
    const runs = runsFromEvents([ev('starting', FROM - HOUR), ev('stopped', FROM + HOUR)], FROM, NOW, false);
    expect(runs).toEqual([{ start: FROM, end: FROM + HOUR, startedInWindow: false }]);
  });

  it('counts a stop whose start the history no longer holds from the 1st', () => {
    expect(runsFromEvents([ev('stopped', FROM + HOUR)], FROM, NOW, false)).toEqual([
      { start: FROM, end: FROM + HOUR, startedInWindow: false },
    ]);
  });

  it('runs until now while the relay still runs, and not when it stopped unrecorded', () => {
    expect(runsFromEvents([ev('starting', NOW - HOUR)], FROM, NOW, true)).toEqual([{ start: NOW - HOUR, end: NOW, startedInWindow: true }]);
    expect(runsFromEvents([ev('starting', NOW - HOUR)], FROM, NOW, false)).toEqual([]);
  });

  it('ends a run at a failure that left nothing running, not at one while it still runs', () => {
    const failedStopped = runsFromEvents([ev('starting', FROM), ev('failed', FROM + MIN, 'error')], FROM, NOW, false);
    expect(failedStopped).toEqual([{ start: FROM, end: FROM + MIN, startedInWindow: true }]);
    const failedRunning = runsFromEvents(
      [ev('starting', FROM), ev('failed', FROM + MIN, 'active'), ev('stopped', FROM + HOUR)],
      FROM,
      NOW,
      false,
    );
    expect(failedRunning).toEqual([{ start: FROM, end: FROM + HOUR, startedInWindow: true }]);
  });

  it('gives ordered, disjoint runs inside the window for any history', () => {
    const kinds = fc.constantFrom<TimedEvent['kind']>(
      'starting',
      'running',
      'stopping',
      'stopped',
      'failed',
      'edited',
      'deleted',
      'recovered',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(kinds, fc.integer({ min: FROM - 5 * HOUR, max: NOW + HOUR }), fc.constantFrom('active', 'error', 'inactive'))),
        fc.boolean(),
        (history, running) => {
          const runs = runsFromEvents(
            history.map(([kind, ms, status]) => ev(kind, ms, status)),
            FROM,
            NOW,
            running,
          );
          let previousEnd = FROM;
          for (const run of runs) {
            expect(run.start).toBeGreaterThanOrEqual(previousEnd);
            expect(run.end).toBeGreaterThan(run.start);
            expect(run.end).toBeLessThanOrEqual(NOW);
            previousEnd = run.end;
          }
          // Every run begins at an event that opens one, or at the 1st.
          const opens = new Set(history.filter(([k]) => k === 'starting' || k === 'running').map(([, ms]) => ms));
          for (const run of runs) expect(run.start === FROM || opens.has(run.start)).toBe(true);
        },
      ),
    );
  });
});

describe('runningCost and monthCost', () => {
  it('adds up what runs now by mode; inactive and failed destinations cost nothing', () => {
    const running = runningCost(
      [
        { profile: '1080p30-6000', status: 'active' },
        { profile: '1080p30-6000', status: 'starting', mode: 'transcode' },
        { profile: '1080p30-6000', status: 'active', mode: 'passthrough' },
        { profile: '1080p30-6000', status: 'inactive' },
        { profile: '1080p30-6000', status: 'error' },
      ],
      DEFAULT_PRICES,
    );
    expect(running.destinations).toBe(3);
    expect(running.byMode).toEqual([
      { mode: 'passthrough', destinations: 1, hourlyUsd: 0.2579 },
      { mode: 'transcode', destinations: 2, hourlyUsd: 2.478 },
    ]);
    expect(running.hourlyUsd).toBeCloseTo(2.7359, 4);
  });

  it('sums the month per mode', () => {
    const month = monthCost(
      [
        { destination: { profile: '1080p30-6000' }, runs: [{ start: FROM, end: FROM + 2 * HOUR, startedInWindow: true }] },
        {
          destination: { profile: '1080p30-6000', mode: 'passthrough' },
          runs: [{ start: FROM, end: FROM + 4 * HOUR, startedInWindow: true }],
        },
      ],
      DEFAULT_PRICES,
      new Date(FROM),
      new Date(NOW),
    );
    expect(month.byMode).toEqual([
      { mode: 'passthrough', hours: 4, runs: 1, usd: 1.03 },
      { mode: 'transcode', hours: 2, runs: 1, usd: 2.48 },
    ]);
    expect(month.usd).toBe(3.51);
    expect(month.destinationHours).toBe(6);
  });

  it('starts the month on the 1st, 00:00 UTC', () => {
    expect(monthStart(new Date('2030-03-31T23:59:59.000Z')).toISOString()).toBe('2030-03-01T00:00:00.000Z');
  });
});

describe('RestreamingCostReporter over DynamoDB (dynalite)', () => {
  let db: Dynalite;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.stop();
  });

  it('reports what runs now and the month from the recorded histories', async () => {
    const clock = new ManualClock(at(NOW));
    const destinations = new DynamoDestinationRepository(db.doc, db.tables.destinations);
    const events = new DynamoDestinationEventLog(db.doc, db.tables.events, clock);
    const live = makeDestination({ id: 'cost-live', status: 'active', profile: '1080p30-6000' });
    const done = makeDestination({ id: 'cost-done', status: 'inactive', profile: '480p30-2000' });
    await destinations.create(live);
    await destinations.create(done);
    const record = (destinationId: string, kind: TimedEvent['kind'], ms: number) =>
      events.record({ destinationId, at: at(ms), kind, source: 'monitor', message: kind });
    // Last month's run must not count; this month: 2 h done, 1 h live so far.
    await record('cost-done', 'starting', FROM - 10 * HOUR);
    await record('cost-done', 'stopped', FROM - 9 * HOUR);
    await record('cost-done', 'starting', FROM + 24 * HOUR);
    await record('cost-done', 'running', FROM + 24 * HOUR + MIN);
    await record('cost-done', 'stopped', FROM + 26 * HOUR);
    await record('cost-live', 'starting', NOW - HOUR);
    await record('cost-live', 'running', NOW - HOUR + MIN);

    const report = await new RestreamingCostReporter({
      destinations,
      events,
      clock,
      prices: DEFAULT_PRICES,
      overridden: [],
      concurrency: 2,
    }).report();

    expect(report.running).toEqual({
      hourlyUsd: 1.239,
      destinations: 1,
      byMode: [
        { mode: 'passthrough', destinations: 0, hourlyUsd: 0 },
        { mode: 'transcode', destinations: 1, hourlyUsd: 1.239 },
      ],
    });
    expect(report.month.from).toBe('2030-01-01T00:00:00.000Z');
    expect(report.month.destinationHours).toBe(3);
    expect(report.month.byMode[1]).toEqual({ mode: 'transcode', hours: 3, runs: 2, usd: Math.round((2 * 0.729 + 1.239) * 100) / 100 });
  });
});
