/**
 * Alerts to the module's SNS topic (`{project}-restreaming-alarms`, the one CloudWatch alarms use),
 * so whoever subscribed to the alarms (e-mail by default) hears about failing destinations too.
 * The topic is encrypted with the module's key: a publisher needs kms:GenerateDataKey and
 * kms:Decrypt on it (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 *
 * The request is aborted after `timeoutMs` (default 5 s): the SDK takes an AbortSignal per
 * `send` (https://aws.amazon.com/blogs/developer/abortcontroller-in-modular-aws-sdk-for-javascript/),
 * and without one an SNS request that hangs holds the monitor until the Lambda times out.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../core/alerts';
import { AlertDeliveryError, alertSubject, alertText } from '../../core/alerts';
import type { AlertNotifier } from '../../core/ports';

export class SnsAlertNotifier implements AlertNotifier {
  readonly channels = ['sns'] as const;

  /** @param topicArn ALERT_TOPIC_ARN */
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async notify(alert: Alert): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: alertSubject(alert),
          Message: alertText(alert),
          MessageAttributes: {
            destinationId: { DataType: 'String', StringValue: alert.destinationId },
            direction: { DataType: 'String', StringValue: alert.direction },
          },
        }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) },
      );
    } catch (error) {
      throw new AlertDeliveryError(['sns'], { cause: error });
    }
  }
}
