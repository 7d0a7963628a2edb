/**
 * The configured alert channels as one notifier: every channel is tried, and the ones that failed
 * are named together (AlertDeliveryError), so one broken channel never silences the others.
 */
import type { Alert } from '../../core/alerts';
import { AlertDeliveryError } from '../../core/alerts';
import type { AlertNotifier } from '../../core/ports';

export class AlertChannels implements AlertNotifier {
  readonly channels: readonly string[];

  constructor(private readonly notifiers: readonly AlertNotifier[]) {
    this.channels = notifiers.flatMap((n) => n.channels);
  }

  async notify(alert: Alert): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.notify(alert)));
    const failed = results.flatMap((r, i) => {
      if (r.status === 'fulfilled') return [];
      return r.reason instanceof AlertDeliveryError ? [...r.reason.failed] : [...(this.notifiers[i]?.channels ?? [])];
    });
    if (failed.length > 0) throw new AlertDeliveryError(failed);
  }
}
