/**
 * Alerts through the whole back end: the simulator's relays fail and recover while the stream is
 * live, the monitor alerts a chat webhook on loopback (a real node:http server) at most once per
 * destination and direction per five minutes, and records each alert in the history. Health
 * transitions reported directly (as the health code does) go the same way.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { WebhookAlertNotifier } from '../../lambdas/adapters/alerts/webhook-alert-notifier';
import type { RelayTelemetry } from '../../lambdas/core/health';
import type { RelayTelemetrySource, TelemetryTarget } from '../../lambdas/core/ports';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const KEY = 'alerts-key-aaaa-bbbb-9999';

let system: System;
let receiver: WebhookReceiver;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  const url = receiver.url;
  system = await startSystem({ graceSeconds: 60, alertChannels: [new WebhookAlertNotifier(async () => url)] });
});
afterEach(async () => {
  await system.stop();
  await receiver.stop();
});

async function tick(times = 1, advanceMs = 10_000): Promise<void> {
  for (let i = 0; i < times; i++) await system.tick(advanceMs);
}

async function liveDestination(): Promise<{ id: string; channelId: string }> {
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'Main show', streamKey: KEY });
  const id = res.json.id as string;
  system.sim.goLive(CHANNEL_A);
  await tick(8);
  expect((await system.api('GET', `/stream-destinations/${id}`)).json.status).toBe('active');
  return { id, channelId: system.sim.runningChannels()[0]!.id };
}

/** The relay breaks (MediaLive reports the channel failed), then the monitor looks. */
async function breakRelay(): Promise<void> {
  const [channel] = system.sim.runningChannels();
  system.sim.forceChannelState(channel!.id, 'UPDATE_FAILED');
  await tick(1);
}

/** Ticks until the destination runs again (the failed channel is replaced). */
async function untilActive(id: string): Promise<number> {
  for (let i = 1; i <= 30; i++) {
    await tick(1);
    const view = (await system.api('GET', `/stream-destinations/${id}`)).json;
    if (view.status === 'active' && view.lastError === null) return i;
  }
  throw new Error('the destination never recovered');
}

const texts = (): string[] => receiver.received.map((r) => r.body.text ?? '');

describe('alerts from relay failures while live', () => {
  it('failure → one alert, repeated failure within five minutes → none, recovery → one, and again after five minutes', async () => {
    const { id } = await liveDestination();
    const start = system.clock.now().getTime();

    await breakRelay();
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toMatch(/^🔴 Main show \(youtube\) is failing while the stream is live: /);
    expect(receiver.received[0]!.body.content).toBe(receiver.received[0]!.body.text);

    // More passes while it is still failing: no second alert.
    await tick(2);
    expect(texts()).toHaveLength(1);

    await untilActive(id);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toMatch(/^🟢 Main show \(youtube\) recovered: /);

    // It fails and recovers again inside the five minutes: neither direction alerts again.
    await breakRelay();
    await untilActive(id);
    expect(system.clock.now().getTime() - start).toBeLessThan(5 * 60_000);
    expect(texts()).toHaveLength(2);

    // Past five minutes since the first alerts: both directions alert again.
    while (system.clock.now().getTime() - start < 5 * 60_000 + 30_000) await tick(1);
    await breakRelay();
    await untilActive(id);
    expect(texts().map((t) => t.slice(0, 2))).toEqual(['🔴', '🟢', '🔴', '🟢']);

    // Every alert is in the history, and no alert carries the stream key or the webhook URL.
    const events = (await system.api('GET', `/stream-destinations/${id}/events?limit=100`)).json.events as {
      kind: string;
      details: Record<string, unknown>;
    }[];
    const sent = events.filter((e) => e.kind === 'alert-sent');
    expect(sent.map((e) => e.details.direction)).toEqual(['recovered', 'failing', 'recovered', 'failing']);
    expect(sent.every((e) => JSON.stringify(e.details.delivered) === '["webhook"]')).toBe(true);
    const everything = JSON.stringify({ received: receiver.received, logs: system.logs, events });
    expect(everything.includes(KEY)).toBe(false);
    const stored = JSON.stringify((await system.db.doc.send(new ScanCommand({ TableName: system.db.tables.events }))).Items);
    expect(stored.includes(receiver.url)).toBe(false);
    expect(JSON.stringify(system.logs).includes(receiver.url)).toBe(false);
  });

  it('does not alert while the stream is offline, but records the failure', async () => {
    const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'Offline', streamKey: KEY });
    const id = res.json.id as string;
    system.clock.advance(1000);
    const now = system.clock.now();
    const outcome = await system.alerts.onHealthChange(
      { id, name: 'Offline', platform: 'youtube', channelArn: CHANNEL_A },
      { state: 'ok' },
      { state: 'failing', message: 'The platform refused the stream key.' },
      now,
    );
    expect(outcome).toEqual({ direction: 'failing', alert: 'not-live' });
    expect(receiver.received).toHaveLength(0);
    const events = (await system.api('GET', `/stream-destinations/${id}/events`)).json.events;
    expect(events[0]).toMatchObject({ kind: 'health-failing', message: 'The platform refused the stream key.', source: 'monitor' });
  });
});

describe('alerts from health transitions (what the health code calls)', () => {
  it('alerts once per direction within five minutes, whoever reports the change, and records each change', async () => {
    const { id } = await liveDestination();
    const subject = { id, name: 'Main show', platform: 'youtube', channelArn: CHANNEL_A } as const;
    const at = (s: number) => new Date(system.clock.now().getTime() + s * 1000);
    const failing = { state: 'failing' as const, message: 'The platform refused the stream key.' };
    const ok = { state: 'ok' as const };

    // Two monitors report the same change at the same moment: one alert.
    const both = await Promise.all([
      system.alerts.onHealthChange(subject, ok, failing, at(0)),
      system.alerts.onHealthChange(subject, ok, failing, at(0)),
    ]);
    expect(both.map((o) => o.alert).sort()).toEqual(['rate-limited', 'sent']);
    expect(texts()).toEqual([expect.stringContaining('is failing while the stream is live: The platform refused the stream key.')]);

    expect((await system.alerts.onHealthChange(subject, failing, ok, at(30))).alert).toBe('sent');
    expect((await system.alerts.onHealthChange(subject, ok, failing, at(60))).alert).toBe('rate-limited');
    expect((await system.alerts.onHealthChange(subject, failing, { state: 'degraded' }, at(90))).alert).toBe('rate-limited');
    // Not a change into or out of failing: nothing at all.
    expect(await system.alerts.onHealthChange(subject, ok, { state: 'degraded' }, at(100))).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect((await system.alerts.onHealthChange(subject, { state: 'degraded' }, failing, at(301))).alert).toBe('sent');
    expect(texts()).toHaveLength(3);

    // Newest first; an alert and the change it reports share their time (their order is not fixed).
    const events = (await system.api('GET', `/stream-destinations/${id}/events?limit=100`)).json.events as { kind: string; at: string }[];
    const byTime = new Map<string, string[]>();
    for (const e of events.filter((x) => x.kind.startsWith('health-') || x.kind === 'alert-sent')) {
      byTime.set(e.at, [...(byTime.get(e.at) ?? []), e.kind].sort());
    }
    expect([...byTime.values()]).toEqual([
      ['alert-sent', 'health-failing'],
      ['health-recovered'],
      ['health-failing'],
      ['alert-sent', 'health-recovered'],
      ['alert-sent', 'health-failing', 'health-failing'],
    ]);
  });

  it('takes media flowing cleanly after a restart (no health in between) as a recovery only when the last alert sent said failing', async () => {
    const { id } = await liveDestination();
    const subject = { id, name: 'Main show', platform: 'youtube', channelArn: CHANNEL_A } as const;
    const at = (s: number) => new Date(system.clock.now().getTime() + s * 1000);
    const ok = { state: 'ok' as const, message: 'Sending to the platform.' };

    // Nothing alerted yet: a relay that starts sending is no recovery.
    expect(await system.alerts.onHealthChange(subject, undefined, ok, at(0))).toEqual({ direction: undefined, alert: 'no-change' });
    await system.alerts.onHealthChange(subject, ok, { state: 'failing', message: 'The platform refused the stream key.' }, at(10));
    // Offline: nothing is read or sent. Sending with a recent connection failure: no clean fix.
    expect(await system.alerts.onHealthChange(subject, { state: 'unknown' }, ok, at(20), { live: false })).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(await system.alerts.onHealthChange(subject, { state: 'unknown' }, { state: 'degraded' }, at(25))).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(await system.alerts.onHealthChange(subject, { state: 'unknown' }, ok, at(30))).toEqual({
      direction: 'recovered',
      alert: 'sent',
    });
    // The user's last alert is green now: the next start is no recovery.
    expect(await system.alerts.onHealthChange(subject, undefined, ok, at(40))).toEqual({
      direction: undefined,
      alert: 'no-change',
    });
    expect(texts().map((t) => t.slice(0, 2))).toEqual(['🔴', '🟢']);
    const events = (await system.api('GET', `/stream-destinations/${id}/events?limit=100`)).json.events as { kind: string }[];
    expect(events.filter((e) => e.kind.startsWith('health-')).map((e) => e.kind)).toEqual(['health-recovered', 'health-failing']);
  });

  it('a webhook that is down never breaks the monitor: the failure is logged, metered and recorded', async () => {
    const { id } = await liveDestination();
    receiver.status = 500;
    await breakRelay();
    await untilActive(id);
    expect(system.failures.filter((f) => f.destinationId === '(alert)').map((f) => f.code)).toEqual(['webhook', 'webhook']);
    const sent = (
      (await system.api('GET', `/stream-destinations/${id}/events?limit=100`)).json.events as { kind: string; message: string }[]
    ).filter((e) => e.kind === 'alert-sent');
    expect(sent.map((e) => e.message)).toEqual(['Alert (recovered) failed on webhook.', 'Alert (failing) failed on webhook.']);
  });
});

/** The data plane of the test below: relays named in `refusing` are refused, the others send. */
class PlatformTelemetry implements RelayTelemetrySource {
  refusing = (_relayId: string): boolean => true;
  constructor(private readonly now: () => Date) {}
  read(targets: readonly TelemetryTarget[]): Promise<Map<string, RelayTelemetry>> {
    const at = this.now().toISOString();
    return Promise.resolve(
      new Map(
        targets.map((t): [string, RelayTelemetry] => [
          t.relayId,
          this.refusing(t.relayId)
            ? { observedAt: at, failure: { kind: 'refused', at } }
            : { observedAt: at, bitrateKbps: 2000, lastMediaAt: at },
        ]),
      ),
    );
  }
}

describe('a failing destination fixed by an edit', () => {
  it('alerts the recovery once its restarted relay sends, as the failure was alerted', async () => {
    await system.stop();
    const url = receiver.url;
    const telemetry = new PlatformTelemetry(() => system.clock.now());
    system = await startSystem({ graceSeconds: 60, alertChannels: [new WebhookAlertNotifier(async () => url)], telemetry });
    const { id } = await liveDestination();
    await tick(1);
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.health).toMatchObject({ state: 'failing' });
    expect(texts()).toEqual([expect.stringMatching(/^🔴 Main show \(youtube\) is failing while the stream is live: The platform refused/)]);

    // The right key: the relay is rebuilt (a new one, which the platform accepts).
    const [refused] = system.sim.runningChannels();
    telemetry.refusing = (relayId) => relayId === refused!.id;
    expect((await system.api('PUT', `/stream-destinations/${id}`, { streamKey: 'alerts-key-right-cccc-0000' })).statusCode).toBe(200);
    for (let i = 0; i < 30; i++) {
      await tick(1);
      if ((await system.api('GET', `/stream-destinations/${id}`)).json.health.state === 'ok') break;
    }
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.health).toMatchObject({ state: 'ok' });
    expect(texts()).toEqual([
      expect.stringMatching(/^🔴/),
      expect.stringMatching(/^🟢 Main show \(youtube\) recovered: Sending to the platform/),
    ]);
    const events = (await system.api('GET', `/stream-destinations/${id}/events?limit=100`)).json.events as { kind: string }[];
    expect(events.filter((e) => e.kind === 'health-recovered' || e.kind === 'health-failing').map((e) => e.kind)).toEqual([
      'health-recovered',
      'health-failing',
    ]);

    // Going live again later (the relay starts without a stored health): no second green alert,
    // since the last one the user got was green.
    system.sim.goOffline(CHANNEL_A);
    await tick(12);
    system.sim.goLive(CHANNEL_A);
    for (let i = 0; i < 30; i++) {
      await tick(1);
      if ((await system.api('GET', `/stream-destinations/${id}`)).json.health.state === 'ok') break;
    }
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.health).toMatchObject({ state: 'ok' });
    expect(texts()).toHaveLength(2);
  });
});
