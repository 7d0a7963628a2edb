/**
 * An in-process work queue with SQS's behaviour where the reconciler can tell: per-message delays
 * of at most 900 s, at-least-once delivery in batches of up to 10, and failed messages coming back
 * after a visibility timeout. Time is the injected clock, so tests step through delays with a
 * ManualClock; the local stack pumps it on a timer.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Clock, WorkItem, WorkQueue } from '../core/ports';
import { delaySeconds } from '../adapters/sqs-work-queue';

interface Message {
  messageId: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
  /** Sent without delay. */
  immediate: boolean;
}

export class MemoryWorkQueue implements WorkQueue {
  readonly #clock: Clock;
  readonly #visibilityTimeoutMs: number;
  #messages: Message[] = [];
  #next = 1;
  /** Every item ever enqueued, in order (for tests and the benchmark). */
  readonly sent: WorkItem[] = [];

  constructor(clock: Clock, options: { visibilityTimeoutMs?: number } = {}) {
    this.#clock = clock;
    this.#visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
  }

  async enqueue(items: readonly WorkItem[]): Promise<void> {
    const now = this.#clock.now();
    for (const item of items) {
      this.sent.push(item);
      const delay = delaySeconds(item.notBefore, now);
      this.#messages.push({
        messageId: `msg-${this.#next++}`,
        body: JSON.stringify(item),
        visibleAt: now.getTime() + delay * 1000,
        receiveCount: 0,
        immediate: delay === 0,
      });
    }
  }

  /** Messages waiting (visible or not). */
  get size(): number {
    return this.#messages.length;
  }

  /** When the next message becomes visible; undefined when the queue is empty. */
  nextVisibleAt(): Date | undefined {
    if (this.#messages.length === 0) return undefined;
    return new Date(Math.min(...this.#messages.map((m) => m.visibleAt)));
  }

  /** Receives up to `max` visible messages as the SQS event Lambda would get; they stay in flight. */
  receive(max = 10, visibleBy?: number): SQSEvent | undefined {
    const now = this.#clock.now().getTime();
    const by = visibleBy ?? now;
    const due = this.#messages.filter((m) => m.visibleAt <= by || (m.immediate && m.receiveCount === 0)).slice(0, max);
    if (due.length === 0) return undefined;
    for (const m of due) {
      m.receiveCount += 1;
      m.visibleAt = now + this.#visibilityTimeoutMs;
    }
    return {
      Records: due.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.messageId,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(now),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
        awsRegion: 'us-east-1',
      })),
    };
  }

  /** Deletes the messages the consumer processed; the failed ones come back after the visibility timeout. */
  settle(event: SQSEvent, response: SQSBatchResponse | undefined): void {
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = new Set(event.Records.map((r) => r.messageId).filter((id) => !failed.has(id)));
    this.#messages = this.#messages.filter((m) => !done.has(m.messageId));
  }

  /**
   * Delivers every message that is visible now to `consumer`, batch by batch, and the ones sent
   * without delay meanwhile; not those that only become visible because the consumer's waits
   * moved a manual clock on (the next call delivers them). Returns the number of batches.
   */
  async deliverDue(consumer: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>, maxBatches = 1_000): Promise<number> {
    const by = this.#clock.now().getTime();
    let batches = 0;
    for (let event = this.receive(10, by); event && batches < maxBatches; event = this.receive(10, by)) {
      batches += 1;
      this.settle(event, await consumer(event));
    }
    return batches;
  }
}
