/**
 * Real media behind the simulated ECS: while a simulated pass-through task is RUNNING, an ffmpeg
 * process does what the task's container does in AWS — copy the IVS channel's HLS (`-c copy`) to
 * the destination's RTMP(S) URL and key, starting again with backoff when either side drops.
 *
 * Why a simulated task plus a local process, rather than a local engine of its own: the reconciler
 * then drives the very ECS engine it drives in AWS (`lambdas/adapters/ecs`: the task definition,
 * the SSM SecureString, RunTask's clientToken, the task lifecycle and a task that stops by
 * itself), and the media part is the same ffmpeg copy the container runs. Like the container, the
 * process takes everything from the task: `SOURCE_URL` and `RTMP_URL` from the task definition's
 * environment and the stream key from the SSM parameter named in its `secrets`, resolved by the
 * simulated ECS agent when the task starts. The key is never read from the destination item here.
 * Without ffmpeg the simulated tasks still run (simulated media), as the MediaLive channels do.
 */
import type { RelayTelemetry } from '../../../lambdas/core/health';
import type { Log, RelayTelemetrySource, TelemetryTarget } from '../../../lambdas/core/ports';
import { TAG_DESTINATION } from '../../../lambdas/core/ports';
import type { EcsSimulator } from '../../../lambdas/testing/ecs-simulator';
import { STREAM_KEY_VARIABLE, tagRecord } from '../../../lambdas/adapters/ecs/requests';
import { telemetryOf, type LocalRelayView } from './medialive-relays';
import { FfmpegRelay } from './relay';
import type { MediaTools } from './tools';

export interface EcsRelaysOptions {
  ecs: EcsSimulator;
  tools: MediaTools;
  log: Log;
  /** How often the simulated tasks are compared with the running processes. Default 500 ms. */
  intervalMs?: number;
}

/** The engine name the router qualifies pass-through relay ids with (`ecs:<task ARN>`). */
const ECS_PREFIX = 'ecs:';

/** The monitor's telemetry port locally: MediaLive relays' figures, and the pass-through copies'. */
export function telemetryOfBoth(mediaLive: RelayTelemetrySource, copies: EcsRelays): RelayTelemetrySource {
  return {
    async read(targets, now) {
      const [a, b] = await Promise.all([
        mediaLive.read(
          targets.filter((t) => t.engine !== 'ecs'),
          now,
        ),
        copies.read(
          targets.filter((t) => t.engine === 'ecs'),
          now,
        ),
      ]);
      return new Map([...a, ...b]);
    },
  };
}

export class EcsRelays implements RelayTelemetrySource {
  readonly #relays = new Map<string, { relay: FfmpegRelay; destinationId: string; rtmpUrl: string }>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #busy = false;

  constructor(private readonly options: EcsRelaysOptions) {}

  start(): void {
    this.#timer = setInterval(() => void this.sync(), this.options.intervalMs ?? 500);
  }

  views(): LocalRelayView[] {
    return [...this.#relays].map(([taskArn, { relay, destinationId, rtmpUrl }]) => ({
      channelId: taskArn,
      destinationId,
      mode: 'passthrough',
      profile: null,
      rtmpUrl,
      stats: relay.stats,
    }));
  }

  /** The figures of the copies standing in for these tasks (ids as the router records them). */
  read(targets: readonly TelemetryTarget[], now: Date): Promise<Map<string, RelayTelemetry>> {
    const figures = new Map<string, RelayTelemetry>();
    for (const target of targets) {
      const taskArn = target.relayId.startsWith(ECS_PREFIX) ? target.relayId.slice(ECS_PREFIX.length) : target.relayId;
      const entry = this.#relays.get(taskArn);
      if (entry) figures.set(target.relayId, telemetryOf(entry.relay.stats, now));
    }
    return Promise.resolve(figures);
  }

  /** The process standing in for a destination's running task, if one runs. */
  relayFor(destinationId: string): FfmpegRelay | undefined {
    return [...this.#relays.values()].find((r) => r.destinationId === destinationId)?.relay;
  }

  /** Starts a process for every RUNNING task that has none; stops those whose task is not RUNNING any more. */
  async sync(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const running = new Map(
        [...this.options.ecs.tasks.values()]
          .filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.resolvedEnvironment !== undefined)
          .map((t) => [t.taskArn as string, t]),
      );
      for (const [taskArn, entry] of [...this.#relays]) {
        if (running.has(taskArn)) continue;
        this.#relays.delete(taskArn);
        await entry.relay.stop();
      }
      for (const [taskArn, task] of running) {
        if (this.#relays.has(taskArn)) continue;
        const env = task.resolvedEnvironment as Record<string, string>;
        const destinationId = tagRecord(task.tags)[TAG_DESTINATION] ?? 'unknown';
        const streamKey = env[STREAM_KEY_VARIABLE];
        const sourceUrl = env.SOURCE_URL;
        const rtmpUrl = env.RTMP_URL;
        if (streamKey === undefined || sourceUrl === undefined || rtmpUrl === undefined) continue;
        const relay = new FfmpegRelay({
          ffmpegPath: this.options.tools.ffmpeg,
          destinationId,
          mode: 'passthrough',
          // Not used by a copy; FfmpegRelay takes them for transcoding.
          profile: '1080p30-6000',
          platform: 'custom',
          sourceUrl,
          rtmpUrl,
          streamKey,
          log: this.options.log,
        });
        this.#relays.set(taskArn, { relay, destinationId, rtmpUrl });
        relay.start();
      }
    } catch (error) {
      this.options.log.error('Local pass-through relays: sync failed; the next one retries', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#relays.values()].map((r) => r.relay.stop()));
    this.#relays.clear();
  }
}
