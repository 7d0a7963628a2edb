/**
 * Real media behind the simulated MediaLive: while a simulated MediaLive channel is RUNNING, an
 * ffmpeg relay sends what that channel would send — the IVS channel's HLS, encoded with the
 * channel's spec (profile, platform, source type), to the destination's RTMP(S) URL and key. So
 * locally a destination on a real platform key really goes live on that platform, and a local RTMP
 * sink receives what MediaLive would deliver.
 *
 * This follows the engine the reconciler drives today (MediaLive, i.e. `transcode`); it looks at
 * the simulator's channels once a second and starts or stops relays to match. The stream key is
 * read from the destination item and decrypted in memory when a relay starts; the simulator never
 * holds it.
 */
import type { RelayTelemetry } from '../../../lambdas/core/health';
import type { DestinationRepository, Log, RelayTelemetrySource, StreamKeyDecrypter, TelemetryTarget } from '../../../lambdas/core/ports';
import { TAG_DESTINATION } from '../../../lambdas/core/ports';
import type { AwsSimulator, SimulatedChannel } from '../../../lambdas/testing/simulator';
import { FfmpegRelay, type RelayStats } from './relay';
import type { MediaTools } from './tools';

export interface MediaLiveRelaysOptions {
  simulator: AwsSimulator;
  destinations: Pick<DestinationRepository, 'get'>;
  cipher: StreamKeyDecrypter;
  tools: MediaTools;
  log: Log;
  /** How often the simulated channels are compared with the running relays. Default 1000 ms. */
  intervalMs?: number;
  /** x264 preset; default veryfast. */
  preset?: string;
}

/** One relay as `GET /_local/relays` shows it (never the key). */
export interface LocalRelayView {
  /** The simulated MediaLive channel (transcode) or ECS task (passthrough) it follows. */
  channelId: string;
  destinationId: string;
  mode: 'passthrough' | 'transcode';
  /** The encoding profile of a transcode; null for a copy. */
  profile: string | null;
  rtmpUrl: string;
  stats: RelayStats;
}

const RUNNING_STATES = new Set(['RUNNING', 'RECOVERING']);

/** What a relay's stats say to the health rule: read directly from ffmpeg's progress, locally. */
export function telemetryOf(stats: RelayStats, now: Date): RelayTelemetry {
  return {
    observedAt: now.toISOString(),
    ...(stats.phase === 'running' && stats.bitrateKbps !== undefined ? { bitrateKbps: stats.bitrateKbps } : {}),
    ...(stats.lastMediaAt !== undefined ? { lastMediaAt: stats.lastMediaAt } : {}),
    ...(stats.failure !== undefined ? { failure: stats.failure } : {}),
  };
}

export class MediaLiveRelays implements RelayTelemetrySource {
  readonly #relays = new Map<string, { relay: FfmpegRelay; channel: SimulatedChannel; destinationId: string }>();
  readonly #starting = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(private readonly options: MediaLiveRelaysOptions) {}

  start(): void {
    this.#timer = setInterval(() => void this.sync(), this.options.intervalMs ?? 1_000);
  }

  views(): LocalRelayView[] {
    return [...this.#relays].map(([channelId, { relay, channel, destinationId }]) => ({
      channelId,
      destinationId,
      mode: 'transcode' as const,
      profile: channel.spec.profile,
      rtmpUrl: channel.spec.rtmpUrl,
      stats: relay.stats,
    }));
  }

  /** The figures of the relays following these channels (the monitor's telemetry port, locally). */
  read(targets: readonly TelemetryTarget[], now: Date): Promise<Map<string, RelayTelemetry>> {
    const figures = new Map<string, RelayTelemetry>();
    for (const target of targets) {
      const entry = this.#relays.get(target.relayId);
      if (entry) figures.set(target.relayId, telemetryOf(entry.relay.stats, now));
    }
    return Promise.resolve(figures);
  }

  /** The relay following a destination's channel, if one runs. */
  relayFor(destinationId: string): FfmpegRelay | undefined {
    return [...this.#relays.values()].find((r) => r.destinationId === destinationId)?.relay;
  }

  /** Starts relays for RUNNING channels that have none, stops those whose channel is not RUNNING any more. */
  async sync(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const running = new Map(
        this.options.simulator
          .channels()
          .filter((c) => RUNNING_STATES.has(c.state) && c.tags[TAG_DESTINATION] !== undefined)
          .map((c) => [c.id, c]),
      );
      for (const [channelId, entry] of [...this.#relays]) {
        if (running.has(channelId)) continue;
        this.#relays.delete(channelId);
        await entry.relay.stop();
      }
      for (const [channelId, channel] of running) {
        if (this.#relays.has(channelId) || this.#starting.has(channelId)) continue;
        await this.#startRelay(channelId, channel);
      }
    } catch (error) {
      this.options.log.error('Local relays: sync failed; the next one retries', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.#busy = false;
    }
  }

  async #startRelay(channelId: string, channel: SimulatedChannel): Promise<void> {
    const destinationId = channel.tags[TAG_DESTINATION] as string;
    this.#starting.add(channelId);
    try {
      const destination = await this.options.destinations.get(destinationId);
      if (!destination) return;
      const streamKey = await this.options.cipher.decrypt(destinationId, destination.streamKeyCiphertext);
      const relay = new FfmpegRelay({
        ffmpegPath: this.options.tools.ffmpeg,
        destinationId,
        channelArn: destination.channelArn,
        mode: 'transcode',
        profile: channel.spec.profile,
        platform: channel.spec.platform,
        sourceType: channel.spec.sourceType,
        sourceUrl: channel.spec.sourceUrl,
        rtmpUrl: channel.spec.rtmpUrl,
        streamKey,
        log: this.options.log,
        preset: this.options.preset,
      });
      if (this.#stopped) return;
      this.#relays.set(channelId, { relay, channel, destinationId });
      relay.start();
    } finally {
      this.#starting.delete(channelId);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#relays.values()].map((r) => r.relay.stop()));
    this.#relays.clear();
  }
}
