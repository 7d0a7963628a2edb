/**
 * A local RTMP sink: what a platform's ingest is to a relay, on loopback. One ffmpeg listens
 * (`-listen 1`) for one publisher and writes what arrives, unchanged, to an FLV file that ffprobe
 * can read while it grows. A publisher with another stream key or application is refused the way
 * a platform's ingest refuses one (nginx-rtmp's on_publish, YouTube, Twitch): the connection is
 * closed right after its `publish`, before any media is taken, and the publisher's ffmpeg reports
 * a broken pipe (`lambdas/adapters/ffmpeg-failures.ts` reads that as a refusal).
 * The tests and `npm run bench:relay` use it; it is never part of a deployment.
 */
import type { Log } from '../../../lambdas/core/ports';
import { FfmpegSupervisor } from './ffmpeg-process';
import type { FfmpegProgress } from './progress';

export interface SinkOptions {
  ffmpegPath: string;
  port: number;
  /** RTMP application, default `live2`. */
  app?: string;
  streamKey: string;
  /** FLV file written per session: `${outputPrefix}-${session}.flv`. */
  outputPrefix: string;
  log: Log;
  /** Re-arm after a session ends (default true). */
  rearm?: boolean;
}

export interface SinkSession {
  file: string;
  /** ms since epoch of the first media written; undefined before. */
  firstMediaAt: number | undefined;
  endedAt: number | undefined;
  refused: boolean;
  last: FfmpegProgress | undefined;
  /** ms since epoch `last` arrived (a progress block trails the bytes it counts by up to a second). */
  lastAt: number | undefined;
}

export class RtmpSink {
  readonly #supervisor: FfmpegSupervisor;
  readonly sessions: SinkSession[] = [];

  constructor(private readonly options: SinkOptions) {
    this.#supervisor = new FfmpegSupervisor({
      ffmpegPath: options.ffmpegPath,
      label: 'sink',
      log: options.log,
      secrets: [options.streamKey],
      restart: options.rearm === false ? false : { initialMs: 100, maxMs: 1_000, healthyAfterMs: 0 },
      args: () => {
        const file = `${options.outputPrefix}-${this.sessions.length + 1}.flv`;
        this.sessions.push({ file, firstMediaAt: undefined, endedAt: undefined, refused: false, last: undefined, lastAt: undefined });
        return ['-listen', '1', '-i', this.url, '-c', 'copy', '-f', 'flv', '-y', file];
      },
      onProgress: (p) => {
        const s = this.current;
        if (!s) return;
        s.last = p;
        s.lastAt = Date.now();
        if (s.firstMediaAt === undefined && ((p.frame ?? 0) > 0 || (p.outTimeMs ?? 0) > 0)) s.firstMediaAt = Date.now();
      },
      onStderrLine: (line) => {
        // ffmpeg's listener logs a publish to another stream name, or a connect to another app.
        if (/Unexpected stream|App field don't match up/.test(line) && this.current && !this.current.refused) {
          this.current.refused = true;
          this.#supervisor.kill();
        }
      },
      onExit: () => {
        if (this.current) this.current.endedAt = Date.now();
      },
    });
  }

  /** What a destination puts in its RTMP URL field. */
  get rtmpUrl(): string {
    return `rtmp://127.0.0.1:${this.options.port}/${this.options.app ?? 'live2'}`;
  }

  get url(): string {
    return `${this.rtmpUrl}/${this.options.streamKey}`;
  }

  get current(): SinkSession | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  get pid(): number | undefined {
    return this.#supervisor.pid;
  }

  /** Whether a publisher is sending now. */
  get receiving(): boolean {
    const s = this.current;
    return s !== undefined && s.firstMediaAt !== undefined && s.endedAt === undefined;
  }

  start(): void {
    this.#supervisor.start();
  }

  stop(): Promise<void> {
    return this.#supervisor.stop();
  }
}
