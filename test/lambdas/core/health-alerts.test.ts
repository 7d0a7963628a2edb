/**
 * HealthAlerts, the use case behind every alert: what it records in the destination's history,
 * what it sends, what it logs and meters, and why it holds an alert back. Over the real DynamoDB
 * adapters (dynalite: the alert gate, the history, the stream-state table); the alert channels are
 * recording ones (a channel is an outside service: SNS, a webhook).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlertChannels } from '../../../lambdas/adapters/alerts/notifiers';
import { DynamoAlertGate } from '../../../lambdas/adapters/dynamodb/alert-gate';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import type { Alert, AlertSubject, HealthAlertsDeps } from '../../../lambdas/core/alerts';
import { ALERT_WINDOW_MS, AlertDeliveryError, HealthAlerts } from '../../../lambdas/core/alerts';
import type { StoredDestinationEvent } from '../../../lambdas/core/events';
import type { AlertNotifier, StreamStateRepository } from '../../../lambdas/core/ports';
import { startDynalite, type Dynalite } from '../../support/dynalite';

const T0 = Date.parse('2030-01-01T12:00:00.000Z');
const at = (ms = 0): Date => new Date(T0 + ms);
const LIVE_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/LiveLiveLive';
const OFFLINE_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/OffOffOffOff';
/** A channel the stream-state table has no item for: never seen live. */
const NEVER_SEEN_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/NeverNeverNe';

let db: Dynalite;
let seq = 0;

beforeAll(async () => {
  db = await startDynalite({ transport: 'in-process' });
  const states = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
  await states.put({ id: LIVE_ARN, state: 'LIVE', streamId: 'st-1', timestamp: at(-60_000).toISOString() });
  await states.put({ id: OFFLINE_ARN, state: 'OFFLINE', timestamp: at(-60_000).toISOString() });
});
afterAll(async () => db.stop());

/** A channel that records what it was sent, or fails when told to. */
class RecordingChannel implements AlertNotifier {
  readonly sent: Alert[] = [];
  fail: 'no' | 'named' | 'plain' = 'no';
  constructor(readonly name: string) {}
  get channels(): readonly string[] {
    return [this.name];
  }
  notify(alert: Alert): Promise<void> {
    if (this.fail === 'named') return Promise.reject(new AlertDeliveryError([this.name]));
    if (this.fail === 'plain') return Promise.reject(new Error('socket hang up'));
    this.sent.push(alert);
    return Promise.resolve();
  }
}

interface LogLine {
  level: string;
  message: string;
  attributes: Record<string, unknown> | undefined;
}

function setup(
  options: {
    channels?: string[];
    live?: 'LIVE' | 'OFFLINE' | 'never seen';
    gateTable?: string;
    streamStates?: Pick<StreamStateRepository, 'get'>;
  } = {},
) {
  seq += 1;
  const destination: AlertSubject = {
    id: `dest-alerts-${seq}`,
    name: 'Main show',
    platform: 'youtube',
    channelArn: options.live === 'OFFLINE' ? OFFLINE_ARN : options.live === 'never seen' ? NEVER_SEEN_ARN : LIVE_ARN,
  };
  const channels = (options.channels ?? ['chat']).map((n) => new RecordingChannel(n));
  const events = new DynamoDestinationEventLog(db.doc, db.tables.events, { now: () => at() });
  const lines: LogLine[] = [];
  const record =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      lines.push({ level, message, attributes });
    };
  const metered: [string, string][] = [];
  const deps: HealthAlertsDeps = {
    events,
    notifier: channels.length === 1 ? channels[0]! : new AlertChannels(channels),
    gate: new DynamoAlertGate(db.doc, options.gateTable ?? db.tables.events),
    streamStates: options.streamStates ?? new DynamoStreamStateRepository(db.doc, db.tables.streamState),
    log: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    metrics: { auxiliaryReadFailed: (what, code) => metered.push([what, code]) },
  };
  // Oldest first; events of the same instant have random ids, so a change comes before its alert.
  const history = async (): Promise<StoredDestinationEvent[]> =>
    (await events.list(destination.id, { limit: 50 })).events.sort(
      (a, b) => a.at.localeCompare(b.at) || Number(a.kind === 'alert-sent') - Number(b.kind === 'alert-sent'),
    );
  const sent = (): Alert[] => channels.flatMap((c) => c.sent);
  return { destination, channels, deps, alerts: new HealthAlerts(deps), lines, metered, history, sent };
}

describe('a health change into failing and back', () => {
  it('records the change, sends the alert with who, which way and why, records and logs where it went', async () => {
    const s = setup();
    const outcome = await s.alerts.onHealthChange(
      s.destination,
      { state: 'ok' },
      { state: 'failing', message: 'The platform refused the stream.' },
      at(),
    );
    expect(outcome).toEqual({ direction: 'failing', alert: 'sent' });
    expect(s.sent()).toEqual([
      {
        destinationId: s.destination.id,
        destinationName: 'Main show',
        platform: 'youtube',
        channelArn: LIVE_ARN,
        direction: 'failing',
        at: at().toISOString(),
        message: 'The platform refused the stream.',
      },
    ]);
    expect(await s.history()).toEqual([
      expect.objectContaining({
        kind: 'health-failing',
        source: 'monitor',
        at: at().toISOString(),
        message: 'The platform refused the stream.',
        details: { previousState: 'ok', state: 'failing' },
      }),
      expect.objectContaining({
        kind: 'alert-sent',
        source: 'monitor',
        message: 'Alert sent (failing) to chat.',
        details: { direction: 'failing', delivered: ['chat'], failed: [] },
      }),
    ]);
    expect(s.lines).toEqual([
      {
        level: 'info',
        message: 'Alert sent',
        attributes: { destinationId: s.destination.id, channelArn: LIVE_ARN, direction: 'failing', channels: ['chat'] },
      },
    ]);
    expect(s.metered).toEqual([]);
  });

  it('says what happened when the health has no message of its own, both ways', async () => {
    const s = setup();
    await s.alerts.onHealthChange(s.destination, undefined, { state: 'failing', message: null }, at());
    await s.alerts.onHealthChange(s.destination, { state: 'failing' }, { state: 'ok' }, at(1_000));
    expect(s.sent().map((a) => [a.direction, a.message])).toEqual([
      ['failing', 'The destination is failing.'],
      ['recovered', 'Media reaches the platform again.'],
    ]);
    const changes = (await s.history()).filter((e) => e.kind !== 'alert-sent');
    expect(changes.map((e) => [e.kind, e.details])).toEqual([
      ['health-failing', { previousState: 'unknown', state: 'failing' }],
      ['health-recovered', { previousState: 'failing', state: 'ok' }],
    ]);
  });

  it('a change that is neither way records and sends nothing', async () => {
    const s = setup();
    expect(await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'degraded' }, at())).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(await s.history()).toEqual([]);
    expect(s.sent()).toEqual([]);
  });

  it('records but does not send while the stream is offline, as the stream-state table or the caller says', async () => {
    const offline = setup({ live: 'OFFLINE' });
    expect(await offline.alerts.onHealthChange(offline.destination, { state: 'ok' }, { state: 'failing' }, at())).toEqual({
      direction: 'failing',
      alert: 'not-live',
    });
    expect((await offline.history()).map((e) => e.kind)).toEqual(['health-failing']);
    expect(offline.sent()).toEqual([]);

    const toldOffline = setup();
    expect(
      await toldOffline.alerts.onHealthChange(toldOffline.destination, { state: 'ok' }, { state: 'failing' }, at(), { live: false }),
    ).toEqual({
      direction: 'failing',
      alert: 'not-live',
    });
    const toldLive = setup({ live: 'OFFLINE' });
    expect(await toldLive.alerts.onHealthChange(toldLive.destination, { state: 'ok' }, { state: 'failing' }, at(), { live: true })).toEqual(
      {
        direction: 'failing',
        alert: 'sent',
      },
    );
  });

  it('takes a channel the stream-state table has never seen for offline, quietly', async () => {
    const s = setup({ live: 'never seen' });
    expect(await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at())).toEqual({
      direction: 'failing',
      alert: 'not-live',
    });
    await s.deps.gate.claim(s.destination.id, 'failing', at(), ALERT_WINDOW_MS);
    expect((await s.alerts.onHealthChange(s.destination, undefined, { state: 'ok' }, at(1_000))).alert).toBe('no-change');
    expect(s.sent()).toEqual([]);
    expect(s.lines).toEqual([]);
    expect(s.metered).toEqual([]);
  });

  it('holds back a second alert in the same direction within the window, and logs why', async () => {
    const s = setup();
    await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at());
    expect(await s.alerts.onRelayTransition(s.destination, 'failing', 'The relay failed.', at(ALERT_WINDOW_MS - 1))).toEqual({
      direction: 'failing',
      alert: 'rate-limited',
    });
    expect(s.sent()).toHaveLength(1);
    expect(s.lines.at(-1)).toEqual({
      level: 'info',
      message: 'Alert not sent: one went out in this direction less than five minutes ago',
      attributes: { destinationId: s.destination.id, channelArn: LIVE_ARN, direction: 'failing' },
    });
    expect(await s.alerts.onRelayTransition(s.destination, 'failing', 'The relay failed.', at(ALERT_WINDOW_MS))).toEqual({
      direction: 'failing',
      alert: 'sent',
    });
  });

  it('a second change into failing is still a failure (held back in the window), whatever was sent before', async () => {
    const s = setup();
    await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at());
    expect(await s.alerts.onHealthChange(s.destination, { state: 'degraded' }, { state: 'failing' }, at(1_000))).toEqual({
      direction: 'failing',
      alert: 'rate-limited',
    });
    expect((await s.history()).map((e) => e.kind)).toEqual(['health-failing', 'alert-sent', 'health-failing']);
  });

  it('a failing relay that stops (failing → unknown) gets no green alert: nothing was fixed', async () => {
    const s = setup();
    await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at());
    expect(await s.alerts.onHealthChange(s.destination, { state: 'failing' }, { state: 'unknown' }, at(1_000))).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(s.sent().map((a) => a.direction)).toEqual(['failing']);
  });

  it('uses the window it is given', async () => {
    const s = setup();
    const alerts = new HealthAlerts({ ...s.deps, windowMs: 1_000 });
    await alerts.onRelayTransition(s.destination, 'failing', 'x', at());
    expect((await alerts.onRelayTransition(s.destination, 'failing', 'x', at(1_000))).alert).toBe('sent');
  });

  it('without any channel records the change and says so, claiming nothing', async () => {
    const s = setup({ channels: [] });
    expect(await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at())).toEqual({
      direction: 'failing',
      alert: 'no-channel',
    });
    expect((await s.history()).map((e) => e.kind)).toEqual(['health-failing']);
    expect(await s.deps.gate.lastSent(s.destination.id)).toBeUndefined();
  });
});

describe('a relay restarted by an edit (unknown → ok)', () => {
  it('is a recovery when the last alert sent said failing, and the user gets the green one', async () => {
    const s = setup();
    await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at());
    expect(
      await s.alerts.onHealthChange(s.destination, undefined, { state: 'ok', message: 'Sending to the platform.' }, at(1_000)),
    ).toEqual({
      direction: 'recovered',
      alert: 'sent',
    });
    expect(s.sent().map((a) => a.direction)).toEqual(['failing', 'recovered']);
    expect((await s.history()).filter((e) => e.kind === 'health-recovered').map((e) => e.details)).toEqual([
      { previousState: 'unknown', state: 'ok' },
    ]);
  });

  it.each([
    ['no alert was ever sent', async () => undefined],
    [
      'the last alert sent was the green one',
      async (s: ReturnType<typeof setup>) => {
        await s.alerts.onHealthChange(s.destination, { state: 'ok' }, { state: 'failing' }, at());
        await s.alerts.onHealthChange(s.destination, { state: 'failing' }, { state: 'ok' }, at(1_000));
      },
    ],
  ])('is nothing when %s', async (_why, before) => {
    const s = setup();
    await before(s);
    const n = (await s.history()).length;
    expect(await s.alerts.onHealthChange(s.destination, { state: 'unknown' }, { state: 'ok' }, at(2_000))).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(await s.history()).toHaveLength(n);
  });

  it('is nothing while the stream is offline, or without any channel', async () => {
    for (const s of [setup({ live: 'OFFLINE' }), setup({ channels: [] })]) {
      await s.deps.gate.claim(s.destination.id, 'failing', at(), ALERT_WINDOW_MS);
      expect((await s.alerts.onHealthChange(s.destination, undefined, { state: 'ok' }, at(1_000))).alert).toBe('no-change');
      expect(await s.history()).toEqual([]);
    }
    const told = setup();
    await told.deps.gate.claim(told.destination.id, 'failing', at(), ALERT_WINDOW_MS);
    expect((await told.alerts.onHealthChange(told.destination, undefined, { state: 'ok' }, at(1_000), { live: false })).alert).toBe(
      'no-change',
    );
  });

  it('reads the stream state once for the whole change', async () => {
    let reads = 0;
    const real = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
    const s = setup({ streamStates: { get: (arn) => ((reads += 1), real.get(arn)) } });
    await s.deps.gate.claim(s.destination.id, 'failing', at(), ALERT_WINDOW_MS);
    expect((await s.alerts.onHealthChange(s.destination, undefined, { state: 'ok' }, at(1_000))).alert).toBe('sent');
    expect(reads).toBe(1);
  });

  it('assumes no recovery when the last alert cannot be read, and logs and meters why', async () => {
    const s = setup({ gateTable: 'no-such-table' });
    expect(await s.alerts.onHealthChange(s.destination, undefined, { state: 'ok' }, at())).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(s.lines).toEqual([
      {
        level: 'warn',
        message: 'Alert skipped: the last alert sent could not be read',
        attributes: { destinationId: s.destination.id, channelArn: LIVE_ARN, direction: 'recovered', errorCode: 'SERVICE_UNAVAILABLE' },
      },
    ]);
    expect(s.metered).toEqual([['alert', 'SERVICE_UNAVAILABLE']]);
  });
});

describe('when something on the way fails', () => {
  it('one channel failing: the others still get it; the failure is recorded, logged and metered per channel', async () => {
    const s = setup({ channels: ['sns', 'webhook'] });
    s.channels[1]!.fail = 'named';
    expect(await s.alerts.onRelayTransition(s.destination, 'failing', 'The relay failed.', at())).toEqual({
      direction: 'failing',
      alert: 'sent',
    });
    expect(s.sent()).toHaveLength(1);
    expect((await s.history()).at(-1)).toMatchObject({
      kind: 'alert-sent',
      message: 'Alert (failing) failed on webhook; sent to sns.',
      details: { direction: 'failing', delivered: ['sns'], failed: ['webhook'] },
    });
    expect(s.lines).toEqual([
      {
        level: 'warn',
        message: 'Alert delivery failed',
        attributes: { destinationId: s.destination.id, channelArn: LIVE_ARN, direction: 'failing', failedChannels: ['webhook'] },
      },
    ]);
    expect(s.metered).toEqual([['alert', 'webhook']]);
  });

  it('names every channel it went to, and every one it failed on', async () => {
    const all = setup({ channels: ['sns', 'webhook'] });
    await all.alerts.onRelayTransition(all.destination, 'failing', 'x', at());
    expect((await all.history()).at(-1)?.message).toBe('Alert sent (failing) to sns, webhook.');
    const partial = setup({ channels: ['sns', 'webhook', 'chat'] });
    partial.channels[2]!.fail = 'named';
    await partial.alerts.onRelayTransition(partial.destination, 'failing', 'x', at());
    expect((await partial.history()).at(-1)?.message).toBe('Alert (failing) failed on chat; sent to sns, webhook.');
  });

  it('every channel failing: the alert failed, and the history says where', async () => {
    const s = setup({ channels: ['sns', 'webhook'] });
    s.channels[0]!.fail = 'named';
    s.channels[1]!.fail = 'plain';
    expect(await s.alerts.onRelayTransition(s.destination, 'recovered', 'Runs again.', at())).toEqual({
      direction: 'recovered',
      alert: 'failed',
    });
    expect((await s.history()).at(-1)).toMatchObject({
      message: 'Alert (recovered) failed on sns, webhook.',
      details: { direction: 'recovered', delivered: [], failed: ['sns', 'webhook'] },
    });
    expect(s.metered).toEqual([
      ['alert', 'sns'],
      ['alert', 'webhook'],
    ]);
  });

  it('a notifier that fails without naming channels counts all of its channels as failed', async () => {
    const s = setup({ channels: ['chat'] });
    s.channels[0]!.fail = 'plain';
    expect((await s.alerts.onRelayTransition(s.destination, 'failing', 'x', at())).alert).toBe('failed');
    expect((await s.history()).at(-1)?.details).toEqual({ direction: 'failing', delivered: [], failed: ['chat'] });
  });

  it.each([
    ['the rate limit', { gateTable: 'no-such-table' }, 'SERVICE_UNAVAILABLE'],
    [
      'the stream state',
      { streamStates: { get: () => Promise.reject(Object.assign(new Error('x'), { code: 'THROTTLED' })) } },
      'THROTTLED',
    ],
    ['the stream state (an error without a code)', { streamStates: { get: () => Promise.reject(new TypeError('x')) } }, 'TypeError'],
    ['the stream state (not even an Error)', { streamStates: { get: () => Promise.reject({ reason: 'x' }) } }, 'UNEXPECTED'],
  ])('cannot read %s: nothing is sent, and it is logged and metered with its code', async (_what, options, code) => {
    const s = setup(options);
    expect(await s.alerts.onRelayTransition(s.destination, 'failing', 'x', at())).toEqual({ direction: 'failing', alert: 'failed' });
    expect(s.sent()).toEqual([]);
    expect(s.lines).toEqual([
      {
        level: 'warn',
        message: 'Alert skipped: its rate limit or the stream state could not be read',
        attributes: { destinationId: s.destination.id, channelArn: LIVE_ARN, direction: 'failing', errorCode: code },
      },
    ]);
    expect(s.metered).toEqual([['alert', code]]);
  });
});

describe('AlertDeliveryError', () => {
  it('names the channels that failed, never their URLs', () => {
    const error = new AlertDeliveryError(['sns', 'webhook']);
    expect(error.message).toBe('Alert delivery failed on sns, webhook.');
    expect(error.failed).toEqual(['sns', 'webhook']);
  });
});
