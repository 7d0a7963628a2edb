/**
 * Alerts: a destination that turns failing while its stream is live, and recovers, notifies the
 * deployment's channels (the module's SNS topic, a Slack/Discord-compatible webhook), at most once
 * per destination per direction per five minutes, however many monitors see the change at once.
 *
 * Pure rules here (when a change is an alert, the rate limit, the text); the ports (AlertNotifier,
 * AlertGate) are implemented in adapters/. The reconciler calls both, after the write that made
 * the change: `onHealthChange` when the stored health enters or leaves `failing`, and
 * `onRelayTransition` when a relay step fails or recovers (its `lastError` is set or cleared);
 * it does not wait for them before its next step. Neither ever throws: an alert is off the
 * essential path, a failure is logged and counted (AuxiliaryReadFailures, `alert`).
 */
import type { Destination } from './destination';
import type { DestinationEvent } from './events';
import type { HealthState } from './health';
import { recordEvents } from './events';
import { ServiceUnavailableError } from './errors';
import type { AlertGate, AlertNotifier, DestinationEventLog, Log, Metrics, StreamStateRepository } from './ports';

/** Alerts per destination and direction are at least this far apart. */
export const ALERT_WINDOW_MS = 5 * 60_000;

export type AlertDirection = 'failing' | 'recovered';

/** What a channel sends: who, which way, why. Never a stream key (messages come from the domain errors). */
export interface Alert {
  destinationId: string;
  destinationName: string;
  platform: string;
  channelArn: string;
  direction: AlertDirection;
  /** ISO-8601 time of the change. */
  at: string;
  /** What happened, e.g. the failure's message or "the platform receives the stream again". */
  message: string;
}

/** Some channels failed to deliver; `failed` names them (never a URL). */
export class AlertDeliveryError extends ServiceUnavailableError {
  constructor(
    readonly failed: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Alert delivery failed on ${failed.join(', ')}.`, options);
  }
}

/**
 * The rate limit: an alert may go out when none went out in this direction before, or the last
 * one is at least `windowMs` old.
 */
export function mayAlert(lastSentAt: string | undefined, now: Date, windowMs: number = ALERT_WINDOW_MS): boolean {
  return lastSentAt === undefined || now.getTime() - Date.parse(lastSentAt) >= windowMs;
}

/** The newest `lastSentAt` that still lets an alert out now (what a conditional write compares with). */
export function alertCutoff(now: Date, windowMs: number = ALERT_WINDOW_MS): string {
  return new Date(now.getTime() - windowMs).toISOString();
}

export type { HealthState };

export interface HealthSnapshot {
  state: HealthState;
  message?: string | null;
}

/**
 * Which way a health change goes: into `failing`, or out of it to a state where media flows
 * (`ok`, `degraded`). Leaving `failing` for `unknown` (the relay stopped) is neither.
 */
export function directionOf(previous: HealthSnapshot | undefined, next: HealthSnapshot): AlertDirection | undefined {
  const was = previous?.state ?? 'unknown';
  if (next.state === 'failing' && was !== 'failing') return 'failing';
  if (was === 'failing' && (next.state === 'ok' || next.state === 'degraded')) return 'recovered';
  return undefined;
}

/**
 * Media flows again, cleanly, where nothing was known: the health was `unknown` or not stored (a
 * relay that was restarted — an edit, a manual restart — starts without one) and is `ok`. Not a
 * recovery by itself; it is one when the last alert the user got about the destination said
 * `failing` ({@link HealthAlerts}). `degraded` is not enough here: a relay whose key is still
 * refused may count frames before each refusal, and passes through `unknown` to `degraded`
 * (a connection failed within the last minute) — that is no fix to announce.
 */
export function resumesFlowing(previous: HealthSnapshot | undefined, next: HealthSnapshot): boolean {
  return (previous?.state ?? 'unknown') === 'unknown' && next.state === 'ok';
}

/** Plain text for chat (Slack `text`, Discord `content`) and e-mail bodies; at most 2000 characters (Discord's limit). */
export function alertText(alert: Alert): string {
  const head =
    alert.direction === 'failing'
      ? `🔴 ${alert.destinationName} (${alert.platform}) is failing while the stream is live: ${alert.message}`
      : `🟢 ${alert.destinationName} (${alert.platform}) recovered: ${alert.message}`;
  const text = `${head}\nDestination ${alert.destinationId} on ${alert.channelArn}, at ${alert.at}.`;
  return text.length > 2000 ? `${text.slice(0, 1999)}…` : text;
}

/**
 * An e-mail subject as SNS accepts it: ASCII, no control characters, under 100 characters
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, `Subject`).
 */
export function alertSubject(alert: Alert): string {
  const name = alert.destinationName.replace(/[^\x20-\x7e]/g, '?');
  const subject = `Restreaming: ${name} ${alert.direction === 'failing' ? 'is failing' : 'recovered'}`;
  return subject.length > 99 ? `${subject.slice(0, 96)}...` : subject;
}

export interface HealthAlertsDeps {
  events: DestinationEventLog;
  notifier: AlertNotifier;
  gate: AlertGate;
  /** Whether the stream is live, when the caller does not say (the monitor's last view of IVS). */
  streamStates: Pick<StreamStateRepository, 'get'>;
  log: Log;
  metrics: Pick<Metrics, 'auxiliaryReadFailed'>;
  windowMs?: number;
}

/** The destination fields an alert names. */
export type AlertSubject = Pick<Destination, 'id' | 'name' | 'platform' | 'channelArn'>;

export interface AlertOutcome {
  /** The direction of the change, if it was one. */
  direction: AlertDirection | undefined;
  /** `sent`, or why not. */
  alert: 'sent' | 'not-live' | 'rate-limited' | 'failed' | 'no-change' | 'no-channel';
}

export class HealthAlerts {
  constructor(private readonly deps: HealthAlertsDeps) {}

  /**
   * A destination's health changed from `previous` to `next`. Records `health-failing` or
   * `health-recovered` in its history and, while its stream is live, alerts (rate-limited).
   * `options.live` says whether the stream is live; without it the stream-state table is read.
   *
   * A relay restarted by an edit starts without a stored health, so the change that fixed a
   * failing destination arrives as `unknown` → `ok` ({@link resumesFlowing}). That is a recovery
   * when the last alert sent about it said `failing`: a user who got the red alert gets the green
   * one. The gate remembers what was sent last; it is read only for such a change while live.
   */
  async onHealthChange(
    destination: AlertSubject,
    previous: HealthSnapshot | undefined,
    next: HealthSnapshot,
    now: Date,
    options: { live?: boolean } = {},
  ): Promise<AlertOutcome> {
    let direction = directionOf(previous, next);
    let live = options.live;
    if (direction === undefined && resumesFlowing(previous, next)) {
      const last = await this.lastAlertWhileLive(destination, live);
      live = last.live;
      if (last.direction === 'failing') direction = 'recovered';
    }
    if (direction === undefined) return { direction, alert: 'no-change' };
    const message =
      direction === 'failing' ? (next.message ?? 'The destination is failing.') : (next.message ?? 'Media reaches the platform again.');
    await recordEvents(this.deps, [
      {
        destinationId: destination.id,
        at: now.toISOString(),
        kind: direction === 'failing' ? 'health-failing' : 'health-recovered',
        source: 'monitor',
        message,
        details: { previousState: previous?.state ?? 'unknown', state: next.state },
      },
    ]);
    return this.alert(destination, direction, message, now, live);
  }

  /**
   * The direction of the last alert sent about a destination whose stream is live (undefined
   * when none, when no channel is configured, or when the stream is not live); `live` as found.
   * Never throws: a read that fails is logged and counted, and no recovery is assumed.
   */
  private async lastAlertWhileLive(
    destination: AlertSubject,
    live: boolean | undefined,
  ): Promise<{ direction: AlertDirection | undefined; live: boolean | undefined }> {
    if (this.deps.notifier.channels.length === 0) return { direction: undefined, live };
    try {
      const isLive = live ?? (await this.deps.streamStates.get(destination.channelArn))?.state === 'LIVE';
      if (!isLive) return { direction: undefined, live: isLive };
      return { direction: await this.deps.gate.lastSent(destination.id), live: isLive };
    } catch (error) {
      const errorCode = codeOf(error);
      this.deps.log.warn('Alert skipped: the last alert sent could not be read', {
        destinationId: destination.id,
        channelArn: destination.channelArn,
        direction: 'recovered',
        errorCode,
      });
      this.deps.metrics.auxiliaryReadFailed('alert', errorCode);
      return { direction: undefined, live };
    }
  }

  /**
   * A relay step failed (its `lastError` was set) or recovered (cleared); the reconciler has
   * recorded the event itself. Alerts while the stream is live.
   */
  async onRelayTransition(destination: AlertSubject, direction: AlertDirection, message: string, now: Date): Promise<AlertOutcome> {
    return this.alert(destination, direction, message, now, undefined);
  }

  private async alert(
    destination: AlertSubject,
    direction: AlertDirection,
    message: string,
    now: Date,
    live: boolean | undefined,
  ): Promise<AlertOutcome> {
    const { log, notifier, gate } = this.deps;
    const keys = { destinationId: destination.id, channelArn: destination.channelArn, direction };
    if (notifier.channels.length === 0) return { direction, alert: 'no-channel' };
    try {
      const isLive = live ?? (await this.deps.streamStates.get(destination.channelArn))?.state === 'LIVE';
      if (!isLive) return { direction, alert: 'not-live' };
      if (!(await gate.claim(destination.id, direction, now, this.deps.windowMs ?? ALERT_WINDOW_MS))) {
        log.info('Alert not sent: one went out in this direction less than five minutes ago', keys);
        return { direction, alert: 'rate-limited' };
      }
      const alert: Alert = {
        destinationId: destination.id,
        destinationName: destination.name,
        platform: destination.platform,
        channelArn: destination.channelArn,
        direction,
        at: now.toISOString(),
        message,
      };
      let failed: readonly string[] = [];
      try {
        await notifier.notify(alert);
      } catch (error) {
        failed = error instanceof AlertDeliveryError ? error.failed : notifier.channels;
      }
      const delivered = notifier.channels.filter((c) => !failed.includes(c));
      const event: DestinationEvent = {
        destinationId: destination.id,
        at: now.toISOString(),
        kind: 'alert-sent',
        source: 'monitor',
        message:
          failed.length === 0
            ? `Alert sent (${direction}) to ${delivered.join(', ')}.`
            : `Alert (${direction}) failed on ${failed.join(', ')}${delivered.length > 0 ? `; sent to ${delivered.join(', ')}` : ''}.`,
        details: { direction, delivered: [...delivered], failed: [...failed] },
      };
      await recordEvents(this.deps, [event]);
      if (failed.length > 0) {
        log.warn('Alert delivery failed', { ...keys, failedChannels: [...failed] });
        for (const channel of failed) this.deps.metrics.auxiliaryReadFailed('alert', channel);
        return { direction, alert: delivered.length > 0 ? 'sent' : 'failed' };
      }
      log.info('Alert sent', { ...keys, channels: [...delivered] });
      return { direction, alert: 'sent' };
    } catch (error) {
      const errorCode = codeOf(error);
      log.warn('Alert skipped: its rate limit or the stream state could not be read', { ...keys, errorCode });
      this.deps.metrics.auxiliaryReadFailed('alert', errorCode);
      return { direction, alert: 'failed' };
    }
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNEXPECTED';
}
