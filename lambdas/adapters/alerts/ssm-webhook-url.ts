/**
 * The webhook URL from an SSM SecureString parameter (ALERT_WEBHOOK_PARAMETER names it; the value
 * never passes through Terraform or the environment). Read with decryption on first use and kept
 * for five minutes, so a changed URL is picked up without a deploy.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../../core/ports';
import type { WebhookUrlSource } from './webhook-alert-notifier';

const CACHE_MS = 5 * 60_000;

export function ssmWebhookUrl(client: SSMClient, parameterName: string, clock: Clock): WebhookUrlSource {
  let cached: { value: string | undefined; until: number } | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (cached && cached.until > now) return cached.value;
    const out = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    cached = { value: out.Parameter?.Value, until: now + CACHE_MS };
    return cached.value;
  };
}
