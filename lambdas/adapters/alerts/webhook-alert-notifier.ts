/**
 * Alerts to a chat webhook. The body carries the text twice, as `text` (Slack incoming webhooks)
 * and `content` (Discord webhooks), so one URL of either kind works; each service ignores the
 * other's field.
 *
 * The URL is a secret like a stream key (whoever has it can post to the channel): it is read at
 * run time (`WebhookUrlSource`), and never logged, never put in an error message, never recorded.
 */
import type { Alert } from '../../core/alerts';
import { AlertDeliveryError, alertText } from '../../core/alerts';
import type { AlertNotifier } from '../../core/ports';

/** Where the URL comes from: an SSM SecureString in AWS, an environment variable locally. */
export type WebhookUrlSource = () => Promise<string | undefined>;

/** Only https, except plain http to this machine (a local receiver). */
export function isAcceptableWebhookUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export interface WebhookOptions {
  fetch?: typeof fetch;
  /** Per request; default 5 s. */
  timeoutMs?: number;
}

export class WebhookAlertNotifier implements AlertNotifier {
  readonly channels = ['webhook'] as const;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly url: WebhookUrlSource,
    options: WebhookOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async notify(alert: Alert): Promise<void> {
    let status: number | undefined;
    try {
      const url = await this.url();
      if (url === undefined || !isAcceptableWebhookUrl(url)) throw new Error('no usable webhook URL');
      const text = alertText(alert);
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, content: text }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch {
      // The cause is dropped on purpose: a fetch error's message can quote the URL.
      throw new AlertDeliveryError(['webhook']);
    }
    if (status < 200 || status >= 300) throw new AlertDeliveryError(['webhook']);
  }
}
