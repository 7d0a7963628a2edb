/**
 * Health from the data plane, end to end with real media on loopback: the local stack's relay
 * (ffmpeg behind the simulated MediaLive channel) publishing to a local RTMP sink that refuses a
 * wrong stream key the way a platform does (it closes the connection on publish).
 *
 * - a wrong key turns the destination `failing` with "refused" within 60 s of going live;
 * - with the right key it turns `ok`, with a bit rate within 20% of what the sink receives;
 * - the sink going away turns it `failing` ("cannot reach"), its return `ok` again;
 * - those two transitions alert the stack's webhook (a chat webhook on loopback) exactly once each
 *   way, and the same again within five minutes is recorded in the history but not sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { DestinationView } from '../../../../lambdas/core/destination';
import type { LocalStack } from '../../../../scripts/local-stack';
import type { RtmpSink } from '../../../../scripts/local/media/sink';
import { freeLoopbackPort } from '../../../../scripts/local/media/tools';
import { startStackHarness, type StackHarness } from '../../../support/local-stack-harness';
import { waitFor } from '../../../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver';

const KEY = 'live_health_sink_key_5c11d2';
const WRONG_KEY = 'live_health_wrong_key_0e9f4a';
let harness: StackHarness;
let stack: LocalStack;
let sink: RtmpSink;
let sinkPort: number;
let webhook: WebhookReceiver;
const answers: string[] = [];
/** Destinations a test made; removed after it, so the next test's relays have the CPU. */
const made: string[] = [];

async function destination(id: string): Promise<DestinationView> {
  const text = await (await fetch(`${stack.url}/stream-destinations/${id}`)).text();
  answers.push(text);
  return JSON.parse(text) as DestinationView;
}

/** The destination once its health state is `wanted`, else false: a probe for waitFor. */
async function health(id: string, wanted: (state: string) => boolean): Promise<DestinationView | false> {
  const d = await destination(id);
  return wanted(d.health.state) && d;
}

/** A platform (back) on its port. */
function newSink(port = sinkPort): Promise<RtmpSink> {
  return harness.startSink({ streamKey: KEY, port });
}

/**
 * The destination once its health state is `wanted`; else throws naming the health it has, so a
 * wait that times out says what it saw last (waitFor keeps the last error).
 */
async function healthOrSay(id: string, wanted: (state: string) => boolean): Promise<DestinationView> {
  const d = await destination(id);
  if (wanted(d.health.state)) return d;
  throw new Error(`health ${JSON.stringify(d.health)}`);
}

/**
 * What the sink receives, kbit/s: bytes it wrote over the wall-clock time between two of its
 * progress blocks about `windowMs` apart — the block's own arrival times, not the test's timer,
 * since a block trails the bytes it counts by up to a second (more on a busy machine), which over
 * an 8 s window alone would be 12% off.
 */
async function sinkBitrateKbps(windowMs: number): Promise<number> {
  const session = sink.current!;
  const first = { bytes: session.last?.totalSizeBytes ?? 0, at: session.lastAt ?? Date.now() };
  await new Promise((r) => setTimeout(r, windowMs));
  await waitFor(() => (session.lastAt ?? 0) > first.at || undefined, {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: 'a new progress block at the sink',
  });
  const last = { bytes: session.last?.totalSizeBytes ?? 0, at: session.lastAt! };
  return ((last.bytes - first.bytes) * 8) / (last.at - first.at);
}

beforeAll(async () => {
  webhook = await startWebhookReceiver();
  harness = await startStackHarness('health-media', {
    alertWebhookUrl: webhook.url,
    realMedia: true,
    timescale: 1000,
    graceSeconds: 3,
    reconcileIntervalSeconds: 1,
  });
  stack = harness.stack;
  sinkPort = await freeLoopbackPort();
  sink = await newSink();
}, 60_000);

afterEach(async () => {
  for (const id of made.splice(0)) await fetch(`${stack.url}/stream-destinations/${id}`, { method: 'DELETE' });
});

afterAll(async () => {
  await harness?.stop();
  await webhook?.stop();
}, 30_000);

describe('health from the data plane on loopback', () => {
  it('turns failing for a refused key, ok with the sink’s bit rate for the right one, and failing then ok when the sink goes and comes back', async () => {
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Transcode: a constant 2000 kbit/s, so the bit rate compared with the sink's is steady (a
      // pass-through copy carries the test pattern's variable rate, and the 20% bound then
      // measures the pattern, not the health reading).
      body: JSON.stringify({
        platform: 'custom',
        name: 'Sink',
        rtmpUrl: sink.rtmpUrl,
        streamKey: WRONG_KEY,
        profile: '480p30-2000',
        mode: 'transcode',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as DestinationView;
    made.push(id);

    expect((await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' })).status).toBe(200);
    const minute = { timeoutMs: 60_000, intervalMs: 250 };
    const refused = await waitFor(() => health(id, (s) => s === 'failing'), { ...minute, what: 'failing for the refused key' });
    expect(refused.status).toBe('active');
    expect(refused.health.message).toMatch(/refused the stream.*Check the stream key/);
    expect(refused.health.bitrateKbps).toBeNull();
    expect(sink.sessions.some((s) => s.refused)).toBe(true);
    expect(sink.sessions.some((s) => s.firstMediaAt !== undefined)).toBe(false);

    // The right key: the relay is rebuilt and media flows.
    const put = await fetch(`${stack.url}/stream-destinations/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamKey: KEY }),
    });
    expect(put.status).toBe(200);
    // No bound of the on this one: the relay is rebuilt, and a transcode on a busy machine
    // may take a while to its first frames.
    const ok = await waitFor(
      async () => {
        const d = await healthOrSay(id, (s) => s === 'ok');
        return d.health.bitrateKbps !== null && d;
      },
      { timeoutMs: 150_000, intervalMs: 250, what: 'ok once media flows' },
    );
    expect(ok.health.message).toBe('Sending to the platform.');
    const measured = await sinkBitrateKbps(8_000);
    const reported = (await destination(id)).health.bitrateKbps as number;
    expect(measured).toBeGreaterThan(100);
    expect(Math.abs(reported - measured) / measured).toBeLessThan(0.2);

    // The platform goes away: nothing listens on its port any more.
    await sink.stop();
    const gone = await waitFor(() => health(id, (s) => s === 'failing'), { ...minute, what: 'failing once the sink is gone' });
    expect(gone.health.message).toMatch(/Cannot reach the RTMP host/);

    // It comes back: the relay reconnects by itself. `degraded` first (a connection failed within
    // the last minute, health.ts RECENT_FAILURE_MS), so `ok` comes a minute after the last failed
    // attempt at the earliest: the deadline leaves room for that, the backoff and a busy machine.
    sink = await newSink();
    await waitFor(() => healthOrSay(id, (s) => s === 'ok'), {
      timeoutMs: 150_000,
      intervalMs: 250,
      what: 'ok again once the sink is back',
    });

    expect(answers.join('\n')).not.toContain(KEY);
    expect(answers.join('\n')).not.toContain(WRONG_KEY);
    expect(JSON.stringify(harness.logs)).not.toContain(KEY);
    expect(JSON.stringify(harness.logs)).not.toContain(WRONG_KEY);
  }, 480_000);
});

describe('alerts from health on loopback', () => {
  /** The first lines of the alerts the webhook received about destination `id`. */
  const alertsAbout = (id: string): string[] =>
    webhook.received
      .map((r) => r.body.text ?? '')
      .filter((text) => text.includes(`Destination ${id} `))
      .map((text) => text.split('\n')[0]!);
  /** The monitor decided not to send an alert in `direction` (the gate was closed). */
  const heldBack = (id: string, direction: 'failing' | 'recovered') => (): boolean =>
    harness.logs.some(
      ({ message, attributes }) =>
        message.startsWith('Alert not sent') && attributes?.['destinationId'] === id && attributes['direction'] === direction,
    );
  const slow = { timeoutMs: 90_000, intervalMs: 250 };

  it('alerts the webhook once when a live destination fails (its sink dies) and once when it recovers, and not again within five minutes', async () => {
    const port = await freeLoopbackPort();
    let own = await newSink(port);
    try {
      const created = await fetch(`${stack.url}/stream-destinations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ platform: 'custom', name: 'Alerting sink', rtmpUrl: own.rtmpUrl, streamKey: KEY, mode: 'passthrough' }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as DestinationView;
      made.push(id);
      expect((await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' })).status).toBe(200);

      await waitFor(() => health(id, (s) => s === 'ok'), { ...slow, timeoutMs: 120_000, what: 'ok once media reaches the sink' });
      expect(alertsAbout(id)).toEqual([]);

      // The platform goes away: one alert.
      await own.stop();
      await waitFor(() => health(id, (s) => s === 'failing'), { ...slow, what: 'failing once the sink is gone' });
      await waitFor(() => alertsAbout(id).length >= 1 || undefined, { ...slow, what: 'the failing alert at the webhook' });
      expect(alertsAbout(id)).toEqual([expect.stringMatching(/^🔴 Alerting sink \(custom\) is failing while the stream is live: /)]);

      // It comes back: one alert.
      own = await newSink(port);
      await waitFor(() => health(id, (s) => s === 'ok' || s === 'degraded'), { ...slow, what: 'media flowing again' });
      await waitFor(() => alertsAbout(id).length >= 2 || undefined, { ...slow, what: 'the recovered alert at the webhook' });
      expect(alertsAbout(id)[1]).toMatch(/^🟢 Alerting sink \(custom\) recovered: /);

      // The same again within five minutes: recorded, held back by the gate, nothing sent.
      await own.stop();
      await waitFor(() => health(id, (s) => s === 'failing'), { ...slow, what: 'failing again' });
      await waitFor(heldBack(id, 'failing'), { ...slow, what: 'the second failing alert held back' });
      own = await newSink(port);
      await waitFor(() => health(id, (s) => s === 'ok' || s === 'degraded'), { ...slow, what: 'media flowing once more' });
      await waitFor(heldBack(id, 'recovered'), { ...slow, what: 'the second recovered alert held back' });
      expect(alertsAbout(id)).toHaveLength(2);

      const history = (await (await fetch(`${stack.url}/stream-destinations/${id}/events?limit=100`)).json()) as {
        events: { kind: string; message: string }[];
      };
      const count = (kind: string): number => history.events.filter((e) => e.kind === kind).length;
      expect([count('health-failing'), count('health-recovered'), count('alert-sent')]).toEqual([2, 2, 2]);
      expect(history.events.filter((e) => e.kind === 'alert-sent').map((e) => e.message)).toEqual([
        'Alert sent (recovered) to webhook.',
        'Alert sent (failing) to webhook.',
      ]);
      // The webhook URL is a secret like a stream key.
      expect(JSON.stringify(harness.logs)).not.toContain(webhook.url);
      expect(answers.join('\n')).not.toContain(webhook.url);
    } finally {
      await own.stop();
    }
  }, 420_000);
});
