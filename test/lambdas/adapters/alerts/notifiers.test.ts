import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AlertChannels } from '../../../../lambdas/adapters/alerts/notifiers';
import { SnsAlertNotifier } from '../../../../lambdas/adapters/alerts/sns-alert-notifier';
import { ssmWebhookUrl } from '../../../../lambdas/adapters/alerts/ssm-webhook-url';
import { isAcceptableWebhookUrl, WebhookAlertNotifier } from '../../../../lambdas/adapters/alerts/webhook-alert-notifier';
import type { Alert } from '../../../../lambdas/core/alerts';
import { AlertDeliveryError } from '../../../../lambdas/core/alerts';
import { ManualClock } from '../../../../lambdas/testing/manual-clock';
import { SNS_MODEL, SSM_MODEL } from '../../../support/aws-api-model';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:acme-live-restreaming-alarms';

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    destinationId: '3f0b8c5e-8d7a-4c1e-9f2b-6a5d4c3b2a10',
    destinationName: 'YouTube',
    platform: 'youtube',
    channelArn: 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456',
    direction: 'failing',
    at: '2030-01-01T12:00:00.000Z',
    message: 'MediaLive could not create the channel (MEDIALIVE_CREATE_FAILED).',
    ...overrides,
  };
}

describe('SnsAlertNotifier', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).callsFake((input) => {
      SNS_MODEL.validate('Publish', input);
      return { MessageId: 'm-1' };
    });
  });

  it("publishes to the module's topic a request that fits SNS's model, with an e-mail subject SNS accepts", async () => {
    await new SnsAlertNotifier(new SNSClient({}), TOPIC).notify(alert());
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('Restreaming: YouTube is failing');
    expect(input.Message).toContain('is failing while the stream is live: MediaLive could not create the channel');
    expect(input.MessageAttributes).toEqual({
      destinationId: { DataType: 'String', StringValue: alert().destinationId },
      direction: { DataType: 'String', StringValue: 'failing' },
    });
  });

  it('keeps the subject ASCII and under 100 characters whatever the destination is called', async () => {
    const name = `Kanal „Ünterhaltung“ ✨ ${'x'.repeat(200)}\n`;
    await new SnsAlertNotifier(new SNSClient({}), TOPIC).notify(alert({ destinationName: name, direction: 'recovered' }));
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject!.length).toBeLessThan(100);
    expect(input.Subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('reports a failed publish as a delivery failure of the sns channel', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    const error = await new SnsAlertNotifier(new SNSClient({}), TOPIC).notify(alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).failed).toEqual(['sns']);
  });
});

describe('WebhookAlertNotifier', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver.stop());
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.status = 204;
    receiver.delayMs = 0;
  });

  it('posts JSON that Slack (text) and Discord (content) both read', async () => {
    await new WebhookAlertNotifier(async () => receiver.url).notify(alert());
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.contentType).toBe('application/json');
    expect(Object.keys(got!.body).sort()).toEqual(['content', 'text']);
    expect(got!.body.text).toBe(got!.body.content);
    expect(got!.body.text).toMatch(/^🔴 YouTube \(youtube\) is failing while the stream is live: /);
    expect(got!.body.text!.length).toBeLessThanOrEqual(2000);
  });

  it('clips a long message to the 2000 characters Discord accepts', async () => {
    await new WebhookAlertNotifier(async () => receiver.url).notify(alert({ message: 'y'.repeat(5000) }));
    expect(receiver.received[0]!.body.content!.length).toBe(2000);
  });

  it.each([
    ['an error status', 500, 0],
    ['an answer that takes too long', 204, 500],
  ])('reports %s as a failure of the webhook channel, never quoting the URL', async (_what, status, delayMs) => {
    receiver.status = status;
    receiver.delayMs = delayMs;
    const error = await new WebhookAlertNotifier(async () => receiver.url, { timeoutMs: 100 }).notify(alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).failed).toEqual(['webhook']);
    expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).not.toContain('secret');
  });

  it('fails without sending when no usable URL is configured', async () => {
    for (const url of [undefined, 'http://hooks.example.com/x', 'ftp://127.0.0.1/x', 'not a url']) {
      await expect(new WebhookAlertNotifier(async () => url).notify(alert())).rejects.toBeInstanceOf(AlertDeliveryError);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('accepts https anywhere and plain http only on this machine', () => {
    expect(isAcceptableWebhookUrl('https://hooks.slack.com/services/T/B/X')).toBe(true);
    expect(isAcceptableWebhookUrl('https://discord.com/api/webhooks/1/abc')).toBe(true);
    expect(isAcceptableWebhookUrl('http://127.0.0.1:9999/x')).toBe(true);
    expect(isAcceptableWebhookUrl('http://hooks.slack.com/services/T/B/X')).toBe(false);
    expect(isAcceptableWebhookUrl('http://169.254.169.254/latest')).toBe(false);
  });
});

describe('AlertChannels', () => {
  const sns = mockClient(SNSClient);
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver.stop());

  it('tries every channel and names the ones that failed, so one broken channel never silences another', async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(new Error('down'));
    const channels = new AlertChannels([
      new SnsAlertNotifier(new SNSClient({}), TOPIC),
      new WebhookAlertNotifier(async () => receiver.url),
    ]);
    expect(channels.channels).toEqual(['sns', 'webhook']);
    const error = await channels.notify(alert()).catch((e: unknown) => e);
    expect((error as AlertDeliveryError).failed).toEqual(['sns']);
    expect(receiver.received).toHaveLength(1);
  });

  it('counts a channel that has not answered within its timeout as failed, and delivers on the others', async () => {
    receiver.received.length = 0;
    const silent = { channels: ['silent'], notify: () => new Promise<void>(() => undefined) };
    const channels = new AlertChannels([silent, new WebhookAlertNotifier(async () => receiver.url)], { timeoutMs: 300 });
    const error = await channels.notify(alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).failed).toEqual(['silent']);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('ssmWebhookUrl', () => {
  const ssm = mockClient(SSMClient);
  it('reads the SecureString with decryption, keeps it five minutes, then reads it again', async () => {
    ssm.reset();
    let value = 'https://hooks.slack.com/services/T/B/one';
    ssm.on(GetParameterCommand).callsFake((input) => {
      SSM_MODEL.validate('GetParameter', input);
      return { Parameter: { Name: input.Name, Type: 'SecureString', Value: value } };
    });
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');
    const url = ssmWebhookUrl(new SSMClient({}), '/acme-live/alert-webhook-url', clock);
    expect(await url()).toBe('https://hooks.slack.com/services/T/B/one');
    value = 'https://hooks.slack.com/services/T/B/two';
    clock.advance(60_000);
    expect(await url()).toBe('https://hooks.slack.com/services/T/B/one');
    clock.advance(5 * 60_000);
    expect(await url()).toBe('https://hooks.slack.com/services/T/B/two');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/acme-live/alert-webhook-url', WithDecryption: true });
  });
});
