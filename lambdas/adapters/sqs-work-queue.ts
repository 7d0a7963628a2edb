/**
 * The work queue over Amazon SQS (a standard queue): at-least-once delivery, delays up to
 * 900 s per message (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html,
 * DelaySeconds 0..900). A `notBefore` further away is reached by chaining: the message arrives
 * after 900 s and the consumer sends it on (see `workItemDue`).
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ServiceUnavailableError } from '../core/errors';
import type { Clock, WorkItem, WorkQueue } from '../core/ports';
import { toDomainError } from './medialive/errors';

/** The longest delay SQS accepts on one message. */
export const MAX_DELAY_SECONDS = 900;
/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

const iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'expected an ISO-8601 time');
export const workItemSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('destination'),
    destinationId: z.string().min(1).max(200),
    notBefore: iso,
    reason: z.string().max(200),
    attempt: z.number().int().min(0).optional(),
  }),
  z.object({
    kind: z.literal('channel'),
    channelArn: z.string().min(1).max(200),
    notBefore: iso,
    reason: z.string().max(200),
    attempt: z.number().int().min(0).optional(),
  }),
]);

/** The delay in whole seconds for a message due at `notBefore`, capped at the SQS maximum. */
export function delaySeconds(notBefore: string, now: Date): number {
  const seconds = Math.ceil((Date.parse(notBefore) - now.getTime()) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds));
}

/** Parses a message body; undefined for a message that is not a work item (logged and dropped). */
export function parseWorkItem(body: string): WorkItem | undefined {
  try {
    const parsed = workItemSchema.safeParse(JSON.parse(body));
    return parsed.success ? (parsed.data as WorkItem) : undefined;
  } catch {
    return undefined;
  }
}

export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
  ) {}

  async enqueue(items: readonly WorkItem[]): Promise<void> {
    const now = this.clock.now();
    for (let i = 0; i < items.length; i += BATCH) {
      const entries = items.slice(i, i + BATCH).map((item, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(item),
        DelaySeconds: delaySeconds(item.notBefore, now),
      }));
      let failed: number;
      try {
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        failed = out.Failed?.length ?? 0;
      } catch (error) {
        throw toDomainError(error, { service: 'SQS', operation: 'SendMessageBatch' });
      }
      if (failed > 0) throw new ServiceUnavailableError(`SQS SendMessageBatch refused ${failed} of ${entries.length} messages.`);
    }
  }
}
