/**
 * The local IVS channel's ingest: an RTMP server on loopback that OBS or ffmpeg pushes to, and the
 * HLS it serves like IVS's playback URL.
 *
 * Mechanism: one ffmpeg per channel listens (`-listen 1`) on the channel's port, accepts one
 * publisher, copies what it receives into an HLS playlist (1-second segments), and exits when the
 * publisher disconnects; the supervisor then arms a new listener at once. Only ffmpeg, no RTMP
 * server in Node: the stack already needs ffmpeg for the relays, ffmpeg's RTMP implementation is
 * the one the relays and the test sinks use, and one process per channel costs next to nothing
 * while it waits. ffmpeg's listener accepts any stream name and only warns ("Unexpected stream"),
 * so this module refuses a wrong key itself by ending that session.
 *
 * Live follows the ingest: the channel is live from the first media the listener writes until the
 * publisher disconnects.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log, SourceIngest } from '../../../lambdas/core/ports';
import { codecFamily } from '../../../lambdas/adapters/ivs-stream-source';
import { FfmpegSupervisor } from './ffmpeg-process';
import { probeStreams } from './probe';
import { TestPattern, testPatternIngest } from './test-pattern';

export interface IngestOptions {
  ffmpegPath: string;
  /** ffprobe, to describe what an outside encoder sends; without it only the test pattern is described. */
  ffprobePath?: string;
  channelArn: string;
  /** Loopback port of the RTMP listener. */
  port: number;
  /** The channel's stream key (what OBS calls "Stream Key"). */
  streamKey: string;
  /** Where the HLS playlist and segments are written (emptied at every new session). */
  hlsDir: string;
  log: Log;
  /** Size of the generated test pattern, default 640x360. */
  testPatternSize?: string;
  /** Called when a publisher starts sending (true) and when it is gone (false). */
  onLiveChange(live: boolean): void;
}

/** The RTMP application name, as IVS's `rtmps://<endpoint>:443/app/`. */
export const INGEST_APP = 'app';
export const HLS_PLAYLIST = 'index.m3u8';
/** Segment length; with 1-second segments a relay sees new media about a second after the encoder sent it. */
const HLS_SEGMENT_SECONDS = 1;

export class LocalIngest {
  readonly #listener: FfmpegSupervisor;
  readonly #pattern: TestPattern;
  #live = false;
  #refused = false;

  constructor(private readonly options: IngestOptions) {
    this.#listener = new FfmpegSupervisor({
      ffmpegPath: options.ffmpegPath,
      label: 'ingest',
      log: options.log,
      logAttributes: { channelArn: options.channelArn },
      secrets: [options.streamKey],
      // Re-arm at once after a session; after a failure to listen (port taken) retry slowly.
      restart: { initialMs: 250, maxMs: 5_000, healthyAfterMs: 1_000 },
      args: () => [
        '-listen',
        '1',
        '-i',
        `rtmp://127.0.0.1:${options.port}/${INGEST_APP}/${options.streamKey}`,
        '-c',
        'copy',
        '-f',
        'hls',
        '-hls_time',
        String(HLS_SEGMENT_SECONDS),
        '-hls_list_size',
        '6',
        '-hls_flags',
        'delete_segments+independent_segments',
        join(options.hlsDir, HLS_PLAYLIST),
      ],
      onSpawn: () => {
        this.#refused = false;
      },
      onProgress: (p) => {
        if (!this.#live && !this.#refused && ((p.frame ?? 0) > 0 || (p.outTimeMs ?? 0) > 0)) this.#setLive(true);
      },
      onStderrLine: (line) => {
        // "[rtmp @ 0x…] Unexpected stream <name>, expecting <key>": a publisher with a wrong key.
        if (/Unexpected stream/.test(line) && !this.#refused) {
          this.#refused = true;
          options.log.warn('Ingest refused a publisher with a wrong stream key', { channelArn: options.channelArn });
          this.#listener.kill();
        }
      },
      onExit: () => {
        if (this.#live) this.#setLive(false);
        void this.#clearHls();
      },
    });
    this.#pattern = new TestPattern({
      ffmpegPath: options.ffmpegPath,
      publishUrl: this.publishUrl,
      secrets: [options.streamKey],
      log: options.log,
      channelArn: options.channelArn,
      size: options.testPatternSize,
    });
  }

  /** The server URL to put in OBS ("Server"). */
  get serverUrl(): string {
    return `rtmp://127.0.0.1:${this.options.port}/${INGEST_APP}`;
  }

  /** Server URL and key in one, for ffmpeg. */
  get publishUrl(): string {
    return `${this.serverUrl}/${this.options.streamKey}`;
  }

  get live(): boolean {
    return this.#live;
  }

  /** Whether the generated test pattern (not an outside encoder) is what is live. */
  get testPatternRunning(): boolean {
    return this.#pattern.active;
  }

  /**
   * What this session sends, as IVS's GetStreamSession would report it: the test pattern's own
   * settings, or for an outside encoder what ffprobe reads from the HLS it is written to (codec,
   * profile, size; one ffprobe run). Undefined when nothing is live or the probe fails.
   */
  async describeIngest(): Promise<Omit<SourceIngest, 'streamId'> | undefined> {
    if (this.#pattern.active) return testPatternIngest(this.options.testPatternSize);
    if (!this.#live || this.options.ffprobePath === undefined) return undefined;
    const playlist = join(this.options.hlsDir, HLS_PLAYLIST);
    // The playlist appears with the first segment, about a second after the publisher starts.
    for (let waited = 0; !existsSync(playlist) && waited < 5_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
    try {
      const streams = await probeStreams(this.options.ffprobePath, playlist);
      const v = streams.find((s) => s.codecType === 'video');
      const a = streams.find((s) => s.codecType === 'audio');
      const ingest: Omit<SourceIngest, 'streamId'> = {};
      if (v) {
        ingest.video = { codec: codecFamily(v.codecName) };
        if (v.profile) ingest.video.profile = v.profile.toLowerCase();
        if (v.width) ingest.video.width = v.width;
        if (v.height) ingest.video.height = v.height;
      }
      if (a) {
        ingest.audio = { codec: codecFamily(a.codecName) };
        if (a.sampleRate) ingest.audio.sampleRate = a.sampleRate;
        if (a.channels) ingest.audio.channels = a.channels;
      }
      return ingest;
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    await mkdir(this.options.hlsDir, { recursive: true });
    await this.#clearHls();
    this.#listener.start();
  }

  /**
   * Pushes the test pattern unless something is live already; resolves once the channel is live
   * (or after `timeoutMs`, false).
   */
  async goLive(timeoutMs = 20_000): Promise<boolean> {
    if (!this.#live) this.#pattern.start();
    return this.#waitFor(true, timeoutMs);
  }

  /**
   * Ends the stream: stops the test pattern, or disconnects an outside encoder (which may connect
   * again by itself). Resolves once the channel is offline.
   */
  async goOffline(timeoutMs = 10_000): Promise<boolean> {
    if (this.#pattern.active) await this.#pattern.stop();
    if (this.#live) this.#listener.kill();
    return this.#waitFor(false, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.#pattern.stop();
    await this.#listener.stop();
  }

  readonly #waiters = new Set<() => void>();

  #waitFor(live: boolean, timeoutMs: number): Promise<boolean> {
    if (this.#live === live) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(false);
      }, timeoutMs);
      const check = (): void => {
        if (this.#live !== live) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(true);
      };
      this.#waiters.add(check);
    });
  }

  #setLive(live: boolean): void {
    this.#live = live;
    this.options.log.info(live ? 'Ingest: a publisher is live' : 'Ingest: the publisher is gone', { channelArn: this.options.channelArn });
    this.options.onLiveChange(live);
    for (const wake of [...this.#waiters]) wake();
  }

  async #clearHls(): Promise<void> {
    const names = await readdir(this.options.hlsDir).catch(() => [] as string[]);
    await Promise.all(names.map((name) => rm(join(this.options.hlsDir, name), { force: true })));
  }
}
