/**
 * A relay: one ffmpeg that pulls a channel's HLS playback URL (as MediaLive and the Fargate task
 * pull IVS's) and publishes it to one destination over RTMP(S), either copied (`passthrough`) or
 * encoded with the destination's profile (`transcode`). It reconnects by itself with backoff when
 * the destination or the source drops, and reports what ffmpeg's `-progress` says.
 */
import type { Platform, Profile } from '../../../lambdas/core/destination';
import type { RelayFailureKind } from '../../../lambdas/core/health';
import type { IvsChannelType, Log } from '../../../lambdas/core/ports';
import { classifyFfmpegLine, runFailure, type FfmpegLineKind } from '../../../lambdas/adapters/ffmpeg-failures';
import { codecArgs, publishUrl, type RelayMode } from './encode-settings';
import { DEFAULT_BACKOFF, FfmpegSupervisor, type Backoff } from './ffmpeg-process';
import type { FfmpegProgress } from './progress';

export interface RelayOptions {
  ffmpegPath: string;
  destinationId: string;
  channelArn?: string;
  mode: RelayMode;
  profile: Profile;
  platform: Platform;
  /** The IVS channel type (bounds the transcode as in MediaLive); default STANDARD. */
  sourceType?: IvsChannelType;
  /** The HLS playback URL (or any URL ffmpeg reads). */
  sourceUrl: string;
  /** The RTMP(S) endpoint without the key. */
  rtmpUrl: string;
  /** Plaintext; held in memory and in ffmpeg's arguments only. */
  streamKey: string;
  log: Log;
  backoff?: Backoff;
  /** x264 preset for `transcode` (default veryfast). */
  preset?: string;
}

/**
 * `starting`: ffmpeg runs but has not written a frame yet; `running`: media flows to the
 * destination; `reconnecting`: the last run ended and the next one waits for its backoff or has
 * not written a frame yet; `stopped`.
 */
export type RelayPhase = 'starting' | 'running' | 'reconnecting' | 'stopped';

/** What a relay reports: ffmpeg's progress, and how often it had to reconnect. Never the key. */
export interface RelayStats {
  phase: RelayPhase;
  /** ISO-8601 time `phase` began. */
  since: string;
  /** Video frames the current run has written. */
  frames: number;
  /**
   * Bit rate written to the destination over the last {@link BITRATE_WINDOW_MS} of wall-clock time
   * (or the run so far), kbit/s: bytes sent per second now, as the platform receives them.
   */
  bitrateKbps: number | undefined;
  /** Media time the current run has written, ms. */
  outTimeMs: number;
  /** Restarts after the destination or the source dropped. */
  reconnects: number;
  /** The last error ffmpeg printed (stream key removed). */
  lastError: string | undefined;
  /** ISO-8601 time of the last progress block. */
  lastProgressAt: string | undefined;
  /** ISO-8601 time of the last progress block that showed new media written to the destination. */
  lastMediaAt: string | undefined;
  /** Why the last run ended, from what ffmpeg printed (`lambdas/adapters/ffmpeg-failures.ts`). */
  failure: { kind: RelayFailureKind; at: string } | undefined;
}

/** ffmpeg's arguments after the common ones (input, codecs, output). The key is in the last one. */
export function relayArgs(
  options: Pick<RelayOptions, 'mode' | 'profile' | 'platform' | 'sourceType' | 'sourceUrl' | 'rtmpUrl' | 'streamKey' | 'preset'>,
): string[] {
  const isHls = /\.m3u8(\?|$)/.test(options.sourceUrl);
  return [
    // Read a live HLS playlist at its own pace; give up on a dead source after 10 s (the
    // supervisor then retries), instead of hanging on it.
    '-rw_timeout',
    '10000000',
    ...(isHls ? ['-live_start_index', '-2'] : []),
    '-i',
    options.sourceUrl,
    ...codecArgs(
      options.mode,
      { profile: options.profile, platform: options.platform, sourceType: options.sourceType ?? 'STANDARD' },
      options.preset,
    ),
    '-f',
    'flv',
    '-flvflags',
    'no_duration_filesize',
    publishUrl(options.rtmpUrl, options.streamKey),
  ];
}

/**
 * The bit rate is averaged over this much wall-clock time: over one second it swings with every
 * keyframe (one every 2 s), which is not what a platform sees.
 *
 * Wall-clock time, not media time: bytes over media time is the rate the stream was encoded at,
 * which stays the same when ffmpeg falls behind real time (a busy machine, a slow source), while
 * the platform then receives fewer bytes each second and buffers. The health reading is what is
 * sent now, so it drops with it — the same figure the platform's ingest (or the local sink) sees.
 * ffmpeg's own `bitrate=` field is no use here either: it is the average since the run began.
 */
export const BITRATE_WINDOW_MS = 8_000;

/**
 * Bytes written over wall-clock time, over the last {@link BITRATE_WINDOW_MS}: fed ffmpeg's
 * `total_size` with the time each progress block arrived.
 */
export class BitrateWindow {
  #samples: { totalSizeBytes: number; atMs: number }[] = [];

  constructor(private readonly windowMs = BITRATE_WINDOW_MS) {}

  /** Adds a sample; returns the bit rate in kbit/s, or undefined while it cannot be told yet. */
  add(totalSizeBytes: number, atMs: number): number | undefined {
    // A counter that went back began anew: what came before it is not comparable.
    const kept = this.#samples.filter((s) => s.atMs < atMs && atMs - s.atMs <= this.windowMs && s.totalSizeBytes <= totalSizeBytes);
    this.#samples = [...kept, { totalSizeBytes, atMs }];
    const [first] = kept;
    if (first === undefined) return undefined;
    // bytes * 8 / ms = kbit/s
    return Math.round(((totalSizeBytes - first.totalSizeBytes) * 8) / (atMs - first.atMs));
  }
}

export class FfmpegRelay {
  readonly #supervisor: FfmpegSupervisor;
  #stats: RelayStats;
  /** The bit rate of the current run. */
  #bitrate = new BitrateWindow();
  /** The last line of the current run that said why a connection failed. */
  #lastLineKind: FfmpegLineKind | undefined;
  readonly #listeners = new Set<(stats: RelayStats) => void>();

  constructor(readonly options: RelayOptions) {
    this.#stats = this.#fresh('stopped');
    this.#supervisor = new FfmpegSupervisor({
      ffmpegPath: options.ffmpegPath,
      args: () => relayArgs(options),
      secrets: [options.streamKey],
      restart: options.backoff ?? DEFAULT_BACKOFF,
      log: options.log,
      label: `relay (${options.mode})`,
      logAttributes: { destinationId: options.destinationId, ...(options.channelArn ? { channelArn: options.channelArn } : {}) },
      onSpawn: () => {
        this.#bitrate = new BitrateWindow();
        this.#lastLineKind = undefined;
        this.#update({ frames: 0, outTimeMs: 0, bitrateKbps: undefined });
      },
      onProgress: (p) => this.#onProgress(p),
      onStderrLine: (line) => {
        this.#lastLineKind = classifyFfmpegLine(line) ?? this.#lastLineKind;
      },
      onExit: (exit) => {
        if (!exit.stopped) {
          this.#update({
            phase: 'reconnecting',
            reconnects: this.#stats.reconnects + 1,
            lastError: exit.lastError ?? this.#stats.lastError,
            bitrateKbps: undefined,
            failure: { kind: runFailure(this.#lastLineKind, exit.producedMedia), at: new Date().toISOString() },
          });
        }
      },
    });
  }

  get stats(): RelayStats {
    return { ...this.#stats };
  }

  get pid(): number | undefined {
    return this.#supervisor.pid;
  }

  /** Called on every change of the stats (progress about once a second). Returns the unsubscribe. */
  onStats(listener: (stats: RelayStats) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#supervisor.active) return;
    this.#stats = this.#fresh('starting');
    this.#supervisor.start();
    this.options.log.info(`Relay started (${this.options.mode})`, this.#logAttributes());
  }

  async stop(): Promise<void> {
    if (!this.#supervisor.active) return;
    await this.#supervisor.stop();
    this.#update({ phase: 'stopped', bitrateKbps: undefined });
    this.options.log.info('Relay stopped', { ...this.#logAttributes(), reconnects: this.#stats.reconnects });
  }

  #logAttributes(): Record<string, unknown> {
    // The endpoint without the key; never the publish URL.
    return { destinationId: this.options.destinationId, channelArn: this.options.channelArn, rtmpUrl: this.options.rtmpUrl };
  }

  #fresh(phase: RelayPhase): RelayStats {
    return {
      phase,
      since: new Date().toISOString(),
      frames: 0,
      bitrateKbps: undefined,
      outTimeMs: 0,
      reconnects: 0,
      lastError: undefined,
      lastProgressAt: undefined,
      lastMediaAt: undefined,
      failure: undefined,
    };
  }

  #onProgress(p: FfmpegProgress): void {
    const frames = p.frame ?? 0;
    const outTimeMs = p.outTimeMs ?? 0;
    const nowMs = Date.now();
    const bitrateKbps =
      (p.totalSizeBytes !== undefined ? this.#bitrate.add(p.totalSizeBytes, nowMs) : undefined) ?? this.#stats.bitrateKbps;
    const flowing = frames > 0 || outTimeMs > 0;
    const phase: RelayPhase = flowing ? 'running' : this.#stats.phase;
    const at = new Date(nowMs).toISOString();
    // New media since the last block: ffmpeg wrote it to the destination's connection.
    const advanced = frames > this.#stats.frames || outTimeMs > this.#stats.outTimeMs;
    this.#update({ phase, frames, outTimeMs, bitrateKbps, lastProgressAt: at, ...(advanced ? { lastMediaAt: at } : {}) });
  }

  #update(change: Partial<RelayStats>): void {
    const phaseChanged = change.phase !== undefined && change.phase !== this.#stats.phase;
    this.#stats = { ...this.#stats, ...change, ...(phaseChanged ? { since: new Date().toISOString() } : {}) };
    if (phaseChanged && change.phase === 'running' && this.#stats.reconnects > 0) {
      this.options.log.info('Relay is sending again', { ...this.#logAttributes(), reconnects: this.#stats.reconnects });
    }
    for (const listener of [...this.#listeners]) listener(this.stats);
  }
}
