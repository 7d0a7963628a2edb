import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEFAULT_PRICES,
  hourlyRate,
  MONTH_BASIS,
  monthCost,
  monthStart,
  resolvePrices,
  RestreamingCostReporter,
  runCost,
  runningCost,
  runsFromEvents,
  type CostDependencies,
  type TimedEvent,
} from '../../../lambdas/core/costs';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { makeDestination } from '../../support/fixtures';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import type { Destination } from '../../../lambdas/core/destination';
import type { StoredDestinationEvent } from '../../../lambdas/core/events';

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

  it('transcode 720p: HD output at 4.5 Mbps, $0.294 + $0.702 + 2.025 GB × $0.09 = $1.17825', () => {
    const rate = hourlyRate({ profile: '720p30-4500', mode: 'transcode' }, DEFAULT_PRICES);
    expect(rate.relayUsd).toBeCloseTo(0.996, 6);
    expect(rate.dataUsd).toBeCloseTo(0.18225, 6);
  });

  it('passthrough sends passthroughKbps whatever the profile, billed at least a minute per start', () => {
    const rate = hourlyRate(
      { profile: '480p30-2000', mode: 'passthrough' },
      resolvePrices({ passthroughKbps: 8000, fargateMinimumMinutes: 2 }),
    );
    expect(rate.mode).toBe('passthrough');
    expect(rate.dataUsd).toBeCloseTo(3.6 * 0.09, 9);
    expect(rate.totalUsd).toBeCloseTo(rate.relayUsd + rate.dataUsd, 12);
    expect(rate.minimumMinutes).toBe(2);
  });

  it('prices each part of a pass-through relay as the deployment sets it', () => {
    const prices = resolvePrices({
      relayTaskVcpu: 1,
      fargateVcpuPerHour: 0.1,
      relayTaskMemoryGb: 2,
      fargateGbPerHour: 0.01,
      publicIpv4PerHour: 0.005,
    });
    expect(hourlyRate({ profile: '1080p30-6000', mode: 'passthrough' }, prices).relayUsd).toBeCloseTo(0.1 + 0.02 + 0.005, 9);
  });

  it('gives the resolved price table to no caller to change', () => {
    const prices = resolvePrices({ mediaLiveInputPerHour: 0.5 });
    expect(() => {
      (prices as Record<string, number>)['mediaLiveInputPerHour'] = 0;
    }).toThrow(TypeError);
    expect(prices.mediaLiveInputPerHour).toBe(0.5);
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

  it('bills a run longer than the minimum by its length', () => {
    const cost = runCost({ start: FROM, end: FROM + 2 * HOUR, startedInWindow: true }, rate);
    expect(cost).toBeCloseTo(2 * rate.totalUsd, 9);
  });

  it('bills nothing for a run that ends before it starts (clock skew)', () => {
    expect(runCost({ start: FROM + HOUR, end: FROM, startedInWindow: false }, rate)).toBe(0);
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

  it('ignores events with an unreadable time and events after now', () => {
    expect(
      runsFromEvents([{ kind: 'starting', at: 'not a time' }, ev('starting', NOW - HOUR), ev('stopped', NOW + HOUR)], FROM, NOW, false),
    ).toEqual([]);
  });

  it('counts a run whose stop is recorded at the very moment of the report', () => {
    // Regression: the window [from, to) dropped a stop at exactly `to`, and with it the whole run.
    expect(runsFromEvents([ev('starting', NOW - HOUR), ev('stopped', NOW)], FROM, NOW, false)).toEqual([
      { start: NOW - HOUR, end: NOW, startedInWindow: true },
    ]);
    expect(runsFromEvents([ev('starting', NOW)], FROM, NOW, true)).toEqual([]);
  });

  it('ends a run at a deletion', () => {
    expect(runsFromEvents([ev('starting', FROM + HOUR), ev('deleted', FROM + 2 * HOUR)], FROM, NOW, true)).toEqual([
      { start: FROM + HOUR, end: FROM + 2 * HOUR, startedInWindow: true },
    ]);
  });

  it('bills the minimum for a run that starts at 00:00 on the 1st', () => {
    expect(runsFromEvents([ev('starting', FROM), ev('stopped', FROM + MIN)], FROM, NOW, false)).toEqual([
      { start: FROM, end: FROM + MIN, startedInWindow: true },
    ]);
  });

  it('counts a run that stopped the moment it started as nothing', () => {
    expect(runsFromEvents([ev('starting', FROM + HOUR), ev('stopped', FROM + HOUR)], FROM, NOW, false)).toEqual([]);
  });

  it('counts only the first of several stops, and no stop after another event as a run from the 1st', () => {
    expect(
      runsFromEvents([ev('starting', FROM + HOUR), ev('stopped', FROM + 2 * HOUR), ev('deleted', FROM + 3 * HOUR)], FROM, NOW, false),
    ).toEqual([{ start: FROM + HOUR, end: FROM + 2 * HOUR, startedInWindow: true }]);
    expect(runsFromEvents([ev('edited', FROM + HOUR), ev('stopped', FROM + 2 * HOUR)], FROM, NOW, false)).toEqual([]);
  });

  it('counts a failure with no status (an older event) as ending the run', () => {
    expect(runsFromEvents([ev('starting', FROM), ev('failed', FROM + MIN)], FROM, NOW, true)).toEqual([
      { start: FROM, end: FROM + MIN, startedInWindow: true },
    ]);
  });

  it('counts a run that ended before the 1st as nothing', () => {
    expect(runsFromEvents([ev('starting', FROM - 2 * HOUR), ev('stopped', FROM - HOUR)], FROM, NOW, false)).toEqual([]);
  });

  it('counts a run open at the 1st and still running as the whole month so far, without a minimum', () => {
    expect(runsFromEvents([ev('running', FROM - HOUR)], FROM, NOW, true)).toEqual([{ start: FROM, end: NOW, startedInWindow: false }]);
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

  it('rounds the month to cents and hours to thousandths, and says what it counts', () => {
    const month = monthCost(
      [
        {
          destination: { profile: '480p30-2000' },
          runs: [
            { start: FROM, end: FROM + 20 * MIN, startedInWindow: true },
            { start: FROM + HOUR, end: FROM + HOUR + 5 * MIN, startedInWindow: true },
          ],
        },
      ],
      DEFAULT_PRICES,
      new Date(FROM),
      new Date(NOW),
    );
    // 25 minutes of data; relay 20 min + the 10-minute minimum of the 5-minute run = 30 minutes.
    const usd = 0.5 * (0.294 + 0.354) + (25 / 60) * 0.9 * 0.09;
    expect(month.byMode).toEqual([
      { mode: 'passthrough', hours: 0, runs: 0, usd: 0 },
      { mode: 'transcode', hours: 0.417, runs: 2, usd: Math.round(usd * 100) / 100 },
    ]);
    expect(month.usd).toBe(0.36);
    expect(month.destinationHours).toBe(0.417);
    expect(month.from).toBe('2030-01-01T00:00:00.000Z');
    expect(month.to).toBe('2030-01-10T12:00:00.000Z');
    expect(month.basis).toBe(MONTH_BASIS);
    expect(MONTH_BASIS).toMatch(/at least the minimum per start/);
    expect(MONTH_BASIS).toMatch(/without the free 100 GB/);
  });

  it('rounds what runs now to a hundredth of a cent', () => {
    const running = runningCost([{ profile: '720p30-4500', status: 'stopping' }], DEFAULT_PRICES);
    expect(running).toEqual({
      hourlyUsd: 1.1783,
      destinations: 1,
      byMode: [
        { mode: 'passthrough', destinations: 0, hourlyUsd: 0 },
        { mode: 'transcode', destinations: 1, hourlyUsd: 1.1783 },
      ],
    });
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

describe('RestreamingCostReporter reading the histories', () => {
  const dest = (id: string, status: Destination['status']): Destination => makeDestination({ id, status, profile: '480p30-2000' });
  const stored = (destinationId: string, kind: TimedEvent['kind'], ms: number): StoredDestinationEvent => ({
    destinationId,
    eventId: `${at(ms)}_00000000`,
    at: at(ms),
    kind,
    source: 'monitor',
    message: kind,
  });

  /** A history log over fixed pages, newest first, that records every call and how many ran at once. */
  function pagedLog(pages: Record<string, StoredDestinationEvent[][]>) {
    const calls: { destinationId: string; limit: number; cursor?: string }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const list = async (destinationId: string, options: { limit: number; cursor?: string }) => {
      calls.push({ destinationId, ...options });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      const all = pages[destinationId] ?? [];
      const index = options.cursor === undefined ? 0 : Number(options.cursor);
      return { events: all[index] ?? [], ...(index + 1 < all.length ? { nextCursor: String(index + 1) } : {}) };
    };
    return { log: { list }, calls, maxInFlight: () => maxInFlight };
  }

  const reporter = (destinations: Destination[], events: CostDependencies['events'], concurrency?: number) =>
    new RestreamingCostReporter({
      destinations: { listAll: async () => destinations },
      events,
      clock: new ManualClock(at(NOW)),
      prices: DEFAULT_PRICES,
      overridden: ['passthroughKbps'],
      ...(concurrency === undefined ? {} : { concurrency }),
    });

  it('reads pages of 100 until one reaches back before the 1st, and no further', async () => {
    const { log, calls } = pagedLog({
      d1: [
        [stored('d1', 'stopped', FROM + 5 * HOUR), stored('d1', 'starting', FROM + 4 * HOUR)],
        [stored('d1', 'stopped', FROM + 2 * HOUR), stored('d1', 'starting', FROM - HOUR)],
        [stored('d1', 'stopped', FROM - 30 * HOUR), stored('d1', 'starting', FROM - 31 * HOUR)],
      ],
    });
    const report = await reporter([dest('d1', 'inactive')], log).report();
    expect(calls).toStrictEqual([
      { destinationId: 'd1', limit: 100 },
      { destinationId: 'd1', limit: 100, cursor: '1' },
    ]);
    // 1 h from the 4th-hour start, 2 h from the 1st (the run open at midnight, no minimum).
    expect(report.month.destinationHours).toBe(3);
    expect(report.month.byMode[1]?.runs).toBe(2);
    expect(report.overridden).toEqual(['passthroughKbps']);
    expect(report.currency).toBe('USD');
    expect(report.prices).toBe(DEFAULT_PRICES);
  });

  it('reads on past a page whose oldest event is at 00:00 on the 1st: a run may have been open then', async () => {
    const { log, calls } = pagedLog({
      d1: [[stored('d1', 'stopped', FROM + HOUR), stored('d1', 'edited', FROM)], [stored('d1', 'starting', FROM - HOUR)]],
    });
    const report = await reporter([dest('d1', 'inactive')], log).report();
    expect(calls).toHaveLength(2);
    expect(report.month.destinationHours).toBe(1);
  });

  it('stops at an empty page and at the last page', async () => {
    const { log, calls } = pagedLog({ d1: [[]], d2: [[stored('d2', 'starting', FROM + HOUR)]] });
    const report = await reporter([dest('d1', 'inactive'), dest('d2', 'active')], log).report();
    expect(calls.map((c) => c.destinationId).sort()).toEqual(['d1', 'd2']);
    expect(report.month.destinationHours).toBe(Math.round(((NOW - FROM - HOUR) / HOUR) * 1000) / 1000);
    expect(report.running.destinations).toBe(1);
  });

  it('reads at most `concurrency` histories at once, 8 by default', async () => {
    const many = Array.from({ length: 12 }, (_, i) => dest(`d${i}`, 'inactive'));
    const two = pagedLog({});
    await reporter(many, two.log, 2).report();
    expect(two.calls).toHaveLength(12);
    expect(two.maxInFlight()).toBe(2);
    const byDefault = pagedLog({});
    await reporter(many, byDefault.log).report();
    expect(byDefault.maxInFlight()).toBe(8);
  });

  it('reports an empty month for a deployment without destinations', async () => {
    const report = await reporter([], pagedLog({}).log).report();
    expect(report.running).toEqual({ hourlyUsd: 0, destinations: 0, byMode: expect.any(Array) });
    expect(report.month.usd).toBe(0);
  });
});
