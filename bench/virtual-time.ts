/**
 * Simulated time for the benchmark: AWS latencies, MediaLive transitions, the reconciler's waits
 * and the one-minute schedule all pass on a ManualClock, so a figure about AWS latency measures
 * the algorithm, not this machine. Real work (dynalite on loopback, crypto) runs at its own pace
 * while the clock stands still.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MediaLiveGateway, StreamSource } from '../lambdas/core/ports';
import type { ManualClock } from '../lambdas/testing/manual-clock';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualTime {
  private timers: Timer[] = [];
  private seq = 0;
  /** Real I/O in flight (DynamoDB requests to dynalite): the clock waits for it. */
  private inflight = 0;

  constructor(readonly clock: ManualClock) {}

  now(): number {
    return this.clock.now().getTime();
  }

  /** Resolves once the simulated clock has moved `ms` on. */
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.now() + Math.max(0, ms), seq: this.seq++, resolve });
    });

  /**
   * Runs `work` to its end. Whenever nothing can progress without time passing (no real I/O in
   * flight, the event loop idle), the clock jumps to the next timer.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let finished = false;
    const promise = work().finally(() => {
      finished = true;
    });
    promise.catch(() => undefined);
    while (!finished) {
      for (let i = 0; i < 4; i++) await turn();
      if (finished) break;
      if (this.inflight > 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      if (this.timers.length === 0) {
        // Waiting on something real that is not counted (e.g. crypto): let it finish.
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0] as Timer;
      if (next.at > this.now()) this.clock.set(next.at);
      const due = this.timers.filter((t) => t.at <= this.now());
      this.timers = this.timers.filter((t) => t.at > this.now());
      for (const t of due) t.resolve();
    }
    return promise;
  }

  /** Every IVS and MediaLive call of these ports takes `latencyMs` of simulated time first. */
  delayPorts(ports: { ivs: StreamSource; medialive: MediaLiveGateway }, latencyMs: number): void {
    for (const port of [ports.ivs, ports.medialive] as unknown as Record<string, unknown>[]) {
      for (const [name, fn] of Object.entries(port)) {
        if (typeof fn !== 'function') continue;
        const call = fn as (...args: unknown[]) => Promise<unknown>;
        port[name] = async (...args: unknown[]) => {
          await this.sleep(latencyMs);
          return call(...args);
        };
      }
    }
  }

  /** Every DynamoDB call of this client takes `latencyMs` of simulated time after its real round trip. */
  delayDynamo(client: DynamoDBClient, latencyMs: number): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.inflight += 1;
        try {
          return await next(args);
        } finally {
          this.inflight -= 1;
          await this.sleep(latencyMs);
        }
      },
      { step: 'initialize', name: 'virtualLatency' },
    );
  }
}
