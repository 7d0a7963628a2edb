/**
 * Health through the reconciler, over dynalite and the simulator: one read of the figures per
 * reconcile for every running relay, the assessment stored on the item, `since` kept while the
 * state stays, no write for an unchanged health, and a failed read that changes nothing. Health
 * entering or leaving `failing` while live alerts (a chat webhook on loopback), once per direction
 * per five minutes, and a delivery never holds up the reconcile's steps.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import { LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import { MediaLiveRelayEngine } from '../../../lambdas/adapters/medialive/relay-engine';
import type { RelayTelemetry } from '../../../lambdas/core/health';
import type { RelayTelemetrySource, TelemetryTarget } from '../../../lambdas/core/ports';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../../lambdas/core/reconciler';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { MemoryWorkQueue } from '../../../lambdas/testing/memory-work-queue';
import { AwsSimulator } from '../../../lambdas/testing/simulator';
import type { Dynalite } from '../../support/dynalite';
import { startDynalite } from '../../support/dynalite';
import { makeDestination } from '../../support/fixtures';
import { WebhookAlertNotifier } from '../../../lambdas/adapters/alerts/webhook-alert-notifier';
import type { Alert, HealthAlerts } from '../../../lambdas/core/alerts';
import type { AlertNotifier } from '../../../lambdas/core/ports';
import { alertsTo, alertsWithoutChannels } from '../../support/alerts';
import { waitFor } from '../../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

const A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** The reconciler's warnings, as an operator reads them: the message beside its fields. */
let warned: Record<string, unknown>[] = [];
/** The reconciler's info lines, the same way. */
let informed: Record<string, unknown>[] = [];
const log = {
  ...quiet,
  info: (message: string, attributes: Record<string, unknown> = {}) => void informed.push({ message, ...attributes }),
  warn: (message: string, attributes: Record<string, unknown> = {}) => void warned.push({ message, ...attributes }),
};

/** The figures a data plane would report, set by each test; records every read. */
class ScriptedTelemetry implements RelayTelemetrySource {
  reads: TelemetryTarget[][] = [];
  figures: (relayId: string) => RelayTelemetry | undefined = () => undefined;
  failWith: Error | undefined;
  read(targets: readonly TelemetryTarget[]): Promise<Map<string, RelayTelemetry>> {
    this.reads.push([...targets]);
    if (this.failWith) return Promise.reject(this.failWith);
    const out = new Map<string, RelayTelemetry>();
    for (const t of targets) {
      const f = this.figures(t.relayId);
      if (f) out.set(t.relayId, f);
    }
    return Promise.resolve(out);
  }
}

let db: Dynalite;
let repo: DynamoDestinationRepository;
let sim: AwsSimulator;
let clock: ManualClock;
let telemetry: ScriptedTelemetry;
const auxiliaryFailures: string[] = [];

beforeEach(async () => {
  db = await startDynalite();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  clock = new ManualClock('2026-03-01T10:00:00.000Z');
  sim = new AwsSimulator({ clock, projectName: 'p' });
  sim.addIvsChannel(A);
  telemetry = new ScriptedTelemetry();
  auxiliaryFailures.length = 0;
  warned = [];
  informed = [];
});
afterEach(async () => db.stop());

const cipher = new LocalStreamKeyCipher(randomBytes(32));

function reconciler(withTelemetry = true, alerts?: HealthAlerts): Reconciler {
  return new Reconciler(
    {
      destinations: repo,
      streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
      streams: sim.ivs,
      engine: new MediaLiveRelayEngine(sim.medialive, 'p', sim.timings()),
      queue: new MemoryWorkQueue(clock),
      events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
      alerts: alerts ?? alertsWithoutChannels(db, clock, quiet),
      cipher,
      clock,
      log,
      metrics: { destinationFailed: () => undefined, auxiliaryReadFailed: (what) => void auxiliaryFailures.push(what) },
      sleep: async (ms) => clock.advance(ms),
      ownerId: () => 'r1',
      ...(withTelemetry ? { telemetry } : {}),
    },
    {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: 'p',
      mediaLiveRoleArn: 'arn:aws:iam::123456789012:role/x',
      graceSeconds: 120,
      trackedChannelArns: [A],
    },
  );
}

/** Stores a destination on channel A, its stream key encrypted as the API would. */
async function createDestination(id: string, streamKey: string): Promise<void> {
  const d = makeDestination({ id, channelArn: A });
  d.streamKeyCiphertext = await cipher.encrypt(d.id, streamKey);
  await repo.create(d);
}

async function liveAndActive(id = 'd1'): Promise<void> {
  await createDestination(id, 'key-one-aaaa-bbbb');
  sim.goLive(A);
  for (let i = 0; i < 10 && (await repo.get(id))?.status !== 'active'; i++) {
    clock.advance(60_000);
    await reconciler().reconcile({ kind: 'all' });
  }
  expect((await repo.get(id))?.status).toBe('active');
}

describe('health in the reconcile', () => {
  it('reads the figures of all running relays in one call per reconcile and stores the assessment', async () => {
    await liveAndActive('d1');
    await createDestination('d2', 'key-two-aaaa-bbbb');
    for (let i = 0; i < 10 && (await repo.get('d2'))?.status !== 'active'; i++) {
      clock.advance(60_000);
      await reconciler().reconcile({ kind: 'all' });
    }
    telemetry.reads = [];
    telemetry.figures = (relayId) =>
      relayId === (sim.runningChannels()[0]?.id ?? '')
        ? { observedAt: clock.now().toISOString(), failure: { kind: 'refused', at: clock.now().toISOString() } }
        : { observedAt: clock.now().toISOString(), bitrateKbps: 5900, lastMediaAt: clock.now().toISOString() };
    await reconciler().reconcile({ kind: 'all' });
    expect(telemetry.reads).toHaveLength(1);
    const relayOf = async (id: string) => (await repo.get(id))!.mediaLiveChannelId;
    expect([...telemetry.reads[0]!].sort((a, b) => a.destinationId.localeCompare(b.destinationId))).toEqual([
      { engine: 'medialive', relayId: await relayOf('d1'), destinationId: 'd1' },
      { engine: 'medialive', relayId: await relayOf('d2'), destinationId: 'd2' },
    ]);
    const healths = (await Promise.all(['d1', 'd2'].map((id) => repo.get(id)))).map((d) => d!.health);
    expect(healths.map((h) => h!.state).sort()).toEqual(['failing', 'ok']);
    expect(healths.find((h) => h!.state === 'failing')!.message).toMatch(/refused the stream/);
    expect(healths.find((h) => h!.state === 'ok')!.bitrateKbps).toBe(5900);
  });

  it('keeps since and writes nothing while the health stays the same', async () => {
    await liveAndActive();
    telemetry.figures = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 2000, lastMediaAt: clock.now().toISOString() });
    await reconciler().reconcile({ kind: 'all' });
    const first = (await repo.get('d1'))!;
    expect(first.health).toMatchObject({ state: 'ok', bitrateKbps: 2000, since: clock.now().toISOString() });
    clock.advance(60_000);
    telemetry.figures = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 2050, lastMediaAt: clock.now().toISOString() });
    await reconciler().reconcile({ kind: 'all' });
    const second = (await repo.get('d1'))!;
    expect(second.version).toBe(first.version);
    expect(second.health).toEqual(first.health);
  });

  it('leaves the recorded health as it was when the figures cannot be read, and meters it', async () => {
    await liveAndActive();
    telemetry.figures = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 2000, lastMediaAt: clock.now().toISOString() });
    await reconciler().reconcile({ kind: 'all' });
    const before = (await repo.get('d1'))!;
    telemetry.failWith = new Error('throttled');
    clock.advance(120_000);
    await reconciler().reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health).toEqual(before.health);
    expect(auxiliaryFailures).toContain('relayTelemetry');
    expect(warned).toEqual([{ message: 'Reading relay figures failed; health stays as recorded', errorCode: 'UNEXPECTED', relays: 1 }]);
  });

  it('says health is not measured when no figures can be had at all', async () => {
    await liveAndActive();
    // Nothing was asked of the data plane while no relay ran.
    expect(telemetry.reads.filter((targets) => targets.length === 0)).toEqual([]);
    await reconciler(false).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health).toMatchObject({ state: 'unknown', message: expect.stringMatching(/not measured/) });
  });
});

describe('which relays the figures are read for', () => {
  it('asks only for relays that are running, not for one still starting', async () => {
    await liveAndActive('d1');
    await createDestination('d2', 'key-two-aaaa-bbbb');
    await reconciler().reconcile({ kind: 'all' });
    expect((await repo.get('d2'))!.mediaLiveChannelId).toBeDefined();
    telemetry.reads = [];
    await reconciler().reconcile({ kind: 'all' });
    const d2 = (await repo.get('d2'))!;
    expect(d2.status).not.toBe('active');
    expect(telemetry.reads.flat().map((t) => t.destinationId)).toEqual(['d1']);
  });

  it('stores a new bitrate without logging a health change while the state stays ok', async () => {
    await liveAndActive();
    telemetry.figures = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 2000, lastMediaAt: clock.now().toISOString() });
    await reconciler().reconcile({ kind: 'all' });
    informed = [];
    clock.advance(60_000);
    telemetry.figures = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 6000, lastMediaAt: clock.now().toISOString() });
    await reconciler().reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health).toMatchObject({ state: 'ok', bitrateKbps: 6000 });
    expect(informed.filter((l) => l.message === 'Destination health changed')).toEqual([]);
  });
});

/** An alert channel whose deliveries answer only when the test lets them. */
class HeldChannel implements AlertNotifier {
  readonly channels = ['held'];
  readonly alerts: Alert[] = [];
  #release: (() => void) | undefined;
  readonly #released = new Promise<void>((resolve) => {
    this.#release = resolve;
  });
  notify(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return this.#released;
  }
  release(): void {
    this.#release?.();
  }
}

describe('alerts on health transitions in the reconcile', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => receiver.stop());

  const flowing = () => ({ observedAt: clock.now().toISOString(), bitrateKbps: 2000, lastMediaAt: clock.now().toISOString() });
  const refused = () => ({ observedAt: clock.now().toISOString(), failure: { kind: 'refused' as const, at: clock.now().toISOString() } });
  const received = (): string[] => receiver.received.map((r) => (r.body.text ?? '').split('\n')[0]!);
  /** Health and alert events, oldest first, grouped by time (events of one moment have no order). */
  async function kinds(id: string): Promise<string[][]> {
    const page = await new DynamoDestinationEventLog(db.doc, db.tables.events, clock).list(id, { limit: 100 });
    const byTime = new Map<string, string[]>();
    for (const e of [...page.events].reverse()) {
      if (!e.kind.startsWith('health') && e.kind !== 'alert-sent') continue;
      byTime.set(e.at, [...(byTime.get(e.at) ?? []), e.kind].sort());
    }
    return [...byTime.values()];
  }

  it('alerts once when a live destination turns failing and once when it recovers, and not again within five minutes', async () => {
    const url = receiver.url;
    const alerts = alertsTo(db, clock, quiet, [new WebhookAlertNotifier(async () => url)]);
    await liveAndActive('d1');
    telemetry.figures = flowing;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health!.state).toBe('ok');
    expect(received()).toEqual([]);

    clock.advance(10_000);
    telemetry.figures = refused;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health!.state).toBe('failing');
    expect(received()).toEqual([expect.stringMatching(/^🔴 .* is failing while the stream is live: The platform refused the stream/)]);

    // Still failing: no second alert.
    clock.advance(10_000);
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect(received()).toHaveLength(1);

    clock.advance(10_000);
    telemetry.figures = flowing;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health!.state).toBe('ok');
    expect(received()).toEqual([expect.stringMatching(/^🔴/), expect.stringMatching(/^🟢 .* recovered: Sending to the platform/)]);

    // Failing and back again within five minutes of the first alerts: recorded, not sent.
    clock.advance(60_000);
    telemetry.figures = refused;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    clock.advance(10_000);
    telemetry.figures = flowing;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect(received()).toHaveLength(2);
    expect(await kinds('d1')).toEqual([
      ['alert-sent', 'health-failing'],
      ['alert-sent', 'health-recovered'],
      ['health-failing'],
      ['health-recovered'],
    ]);
  });

  it('records but does not alert a failing health once the stream is offline', async () => {
    const url = receiver.url;
    const alerts = alertsTo(db, clock, quiet, [new WebhookAlertNotifier(async () => url)]);
    await liveAndActive('d1');
    telemetry.figures = flowing;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    sim.goOffline(A);
    clock.advance(10_000);
    telemetry.figures = refused;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health!.state).toBe('failing');
    expect(await kinds('d1')).toEqual([['health-failing']]);
    expect(received()).toEqual([]);
  });

  it('takes its next steps while an alert is still being delivered, and waits for it before it returns', async () => {
    const held = new HeldChannel();
    const alerts = alertsTo(db, clock, quiet, [held], { timeoutMs: 60_000 });
    await liveAndActive('d1');
    telemetry.figures = flowing;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    const d1Relay = (await repo.get('d1'))!.mediaLiveChannelId;
    telemetry.figures = (relayId) => (relayId === d1Relay ? refused() : flowing());
    await createDestination('d2', 'key-two-aaaa-bbbb');

    let returned = false;
    const run = reconciler(true, alerts)
      .reconcile({ kind: 'all' })
      .finally(() => {
        returned = true;
      });
    // d2's relay is created in a later pass than the one that saw d1 fail (a source first).
    await waitFor(async () => (await repo.get('d2'))?.mediaLiveChannelId !== undefined, {
      what: 'the second destination’s relay while the alert is held',
      timeoutMs: 20_000,
    });
    expect(held.alerts.map((a) => [a.destinationId, a.direction])).toEqual([['d1', 'failing']]);
    expect(returned).toBe(false);
    held.release();
    const result = await run;
    expect(result.passes).toBeGreaterThan(1);
    expect(await kinds('d1')).toEqual([['alert-sent', 'health-failing']]);
  });

  it('counts a channel that never answers as failed after its timeout, and the reconcile goes on', async () => {
    const failures: string[] = [];
    const silent: AlertNotifier = { channels: ['silent'], notify: () => new Promise<void>(() => undefined) };
    const alerts = alertsTo(db, clock, quiet, [silent], {
      timeoutMs: 200,
      metrics: { auxiliaryReadFailed: (what, code) => void failures.push(`${what}:${code}`) },
    });
    await liveAndActive('d1');
    telemetry.figures = refused;
    await reconciler(true, alerts).reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.health!.state).toBe('failing');
    expect(failures).toEqual(['alert:silent']);
    const page = await new DynamoDestinationEventLog(db.doc, db.tables.events, clock).list('d1', { limit: 100 });
    expect(page.events.find((e) => e.kind === 'alert-sent')?.message).toBe('Alert (failing) failed on silent.');
  });
});

it('an alert that throws anyway is logged and metered, and the destination is not affected', async () => {
  const throwing = {
    onRelayTransition: () => Promise.reject(new Error('bug in a notifier')),
    onHealthChange: () => Promise.reject(new Error('bug in a notifier')),
  } as unknown as HealthAlerts;
  await liveAndActive('d1');
  telemetry.figures = () => ({ observedAt: clock.now().toISOString(), failure: { kind: 'refused', at: clock.now().toISOString() } });
  warned = [];
  auxiliaryFailures.length = 0;
  const result = await reconciler(true, throwing).reconcile({ kind: 'all' });
  expect(result.destinations).toEqual([expect.objectContaining({ destinationId: 'd1', outcome: 'none' })]);
  expect((await repo.get('d1'))!).toMatchObject({ status: 'active', health: { state: 'failing' } });
  expect(auxiliaryFailures).toEqual(['alert']);
  expect(warned).toEqual([
    { message: 'Alert failed unexpectedly; the destination is not affected', destinationId: 'd1', errorCode: 'UNEXPECTED' },
  ]);
});
