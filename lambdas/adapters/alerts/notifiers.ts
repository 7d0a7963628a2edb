/**
 * The configured alert channels as one notifier: every channel is tried, and the ones that failed
 * are named together (AlertDeliveryError), so one broken channel never silences the others.
 *
 * Every channel gets at most `timeoutMs` (default 5 s): one that has not answered by then counts
 * as failed, so an alert never holds up the monitor longer than that, whatever a channel does (an
 * SNS request has no timeout of its own unless given one; a webhook host can accept a connection
 * and never answer).
 */
import type { Alert } from '../../core/alerts';
import { AlertDeliveryError } from '../../core/alerts';
import type { AlertNotifier } from '../../core/ports';

export const ALERT_CHANNEL_TIMEOUT_MS = 5_000;

export class AlertChannels implements AlertNotifier {
  readonly channels: readonly string[];
  private readonly timeoutMs: number;

  constructor(
    private readonly notifiers: readonly AlertNotifier[],
    options: { timeoutMs?: number } = {},
  ) {
    this.channels = notifiers.flatMap((n) => n.channels);
    this.timeoutMs = options.timeoutMs ?? ALERT_CHANNEL_TIMEOUT_MS;
  }

  async notify(alert: Alert): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => this.bounded(n, alert)));
    const failed = results.flatMap((r, i) => {
      if (r.status === 'fulfilled') return [];
      return r.reason instanceof AlertDeliveryError ? [...r.reason.failed] : [...(this.notifiers[i]?.channels ?? [])];
    });
    if (failed.length > 0) throw new AlertDeliveryError(failed);
  }

  /** One channel's delivery, or its failure once `timeoutMs` has passed without an answer. */
  private async bounded(notifier: AlertNotifier, alert: Alert): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new AlertDeliveryError(notifier.channels, { cause: new Error(`no answer within ${this.timeoutMs} ms`) })),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([notifier.notify(alert), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
