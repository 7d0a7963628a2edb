/**
 * Runs ffmpeg as a supervised child process: its `-progress` output parsed, its stderr cleared of
 * secrets before anyone sees a line of it, and (optionally) restarted with exponential backoff when
 * it exits, as a relay must when a platform drops the connection.
 *
 * Stream keys end up in ffmpeg's argument list (the publish URL): ffmpeg 5 has no way to read an
 * output URL from a file or a pipe. So a key is visible to anyone on this machine who may read the
 * process list (`ps`, /proc/<pid>/cmdline) while a relay runs — see README "Real media on this
 * machine". This module never logs the arguments, and removes every secret from what ffmpeg prints.
 */
import { execa, type ResultPromise } from 'execa';
import type { Log } from '../../../lambdas/core/ports';
import { ProgressReader, type FfmpegProgress } from './progress';

/** Arguments every supervised ffmpeg gets first: quiet, progress once per second on stdout. */
export const FFMPEG_COMMON_ARGS = [
  '-hide_banner',
  '-nostdin',
  '-nostats',
  '-loglevel',
  'warning',
  '-progress',
  'pipe:1',
  '-stats_period',
  '1',
];

/** What replaces a secret in text that leaves this module. */
export const REDACTED = '<stream key>';

/** `text` with every occurrence of every secret (also URL-encoded) replaced by {@link REDACTED}. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

export interface FfmpegExit {
  code: number | undefined;
  signal: string | undefined;
  /** The last warning or error ffmpeg printed, secrets removed. */
  lastError: string | undefined;
  /** True when this module stopped it (stop() or kill()). */
  stopped: boolean;
  /** How long the run lasted. */
  durationMs: number;
  /** Whether the run wrote any video frame or media time. */
  producedMedia: boolean;
}

export interface Backoff {
  /** Delay before the first restart. */
  initialMs: number;
  /** Longest delay between restarts. */
  maxMs: number;
  /** A run that produced media for this long resets the delay to `initialMs`. */
  healthyAfterMs: number;
}

/** Seconds, not minutes: a platform that dropped the connection is usually back at once. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 5_000, healthyAfterMs: 10_000 };

export interface SupervisorOptions {
  ffmpegPath: string;
  /** ffmpeg's arguments after {@link FFMPEG_COMMON_ARGS}; called before every (re)start. */
  args(): string[];
  /** Removed from every stderr line and error message (stream keys). */
  secrets?: readonly string[];
  /** Restart after an exit that stop() did not ask for; false runs once. */
  restart: Backoff | false;
  log: Log;
  /** Added to every log line (destination id, channel ARN). */
  logAttributes?: Record<string, unknown>;
  /** What this process is, for log lines ("relay", "ingest"). */
  label: string;
  onProgress?(progress: FfmpegProgress): void;
  /** Every stderr line, secrets removed. */
  onStderrLine?(line: string): void;
  onSpawn?(pid: number | undefined): void;
  onExit?(exit: FfmpegExit): void;
}

/** One ffmpeg, kept running until stop(). */
export class FfmpegSupervisor {
  #child: ResultPromise | undefined;
  #stopped = true;
  #killing = false;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #exited: Promise<void> = Promise.resolve();
  #starts = 0;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts ffmpeg; a no-op while it runs or waits to restart. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#failures = 0;
    this.#spawn();
  }

  /** Whether start() was called and stop() was not. */
  get active(): boolean {
    return !this.#stopped;
  }

  /** The running process id, if one runs now. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times ffmpeg was started (1 + restarts). */
  get starts(): number {
    return this.#starts;
  }

  /** Ends the current run; it restarts after the backoff like any other exit (for tests, "end session"). */
  kill(): void {
    this.#killing = true;
    this.#child?.kill('SIGTERM');
  }

  /** Stops ffmpeg (SIGTERM, SIGKILL after 3 s) and any pending restart. Resolves when it has exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#child?.kill('SIGTERM');
    await this.#exited;
  }

  #spawn(): void {
    const { options } = this;
    const secrets = options.secrets ?? [];
    const attrs = options.logAttributes ?? {};
    const started = Date.now();
    let producedMedia = false;
    let lastError: string | undefined;
    this.#starts += 1;
    this.#killing = false;

    const child = execa(options.ffmpegPath, [...FFMPEG_COMMON_ARGS, ...options.args()], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      forceKillAfterDelay: 3_000,
    });
    this.#child = child;
    options.onSpawn?.(child.pid);

    const reader = new ProgressReader((progress) => {
      if ((progress.frame ?? 0) > 0 || (progress.outTimeMs ?? 0) > 0) producedMedia = true;
      options.onProgress?.(progress);
    });
    child.stdout?.on('data', (chunk: Buffer) => reader.push(chunk));
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = redact(raw, secrets).trim();
        if (line === '') continue;
        lastError = line;
        options.onStderrLine?.(line);
      }
    });

    this.#exited = child.then((result) => {
      if (this.#child === child) this.#child = undefined;
      const stoppedByUs = this.#stopped || this.#killing;
      const exit: FfmpegExit = {
        code: result.exitCode,
        signal: result.signal,
        lastError:
          lastError ?? (result.exitCode === undefined ? redact(String(result.shortMessage ?? result.message ?? ''), secrets) : undefined),
        stopped: stoppedByUs,
        durationMs: Date.now() - started,
        producedMedia,
      };
      options.onExit?.(exit);
      if (this.#stopped || options.restart === false) return;
      const backoff = options.restart;
      if (producedMedia && exit.durationMs >= backoff.healthyAfterMs) this.#failures = 0;
      const delay = this.#killing ? 0 : Math.min(backoff.maxMs, backoff.initialMs * 2 ** this.#failures);
      this.#failures += 1;
      if (!stoppedByUs) {
        options.log.warn(`${options.label}: ffmpeg exited; restarting`, {
          ...attrs,
          exitCode: exit.code ?? null,
          signal: exit.signal ?? null,
          error: exit.lastError ?? null,
          restartInMs: delay,
        });
      }
      this.#restartTimer = setTimeout(() => {
        this.#restartTimer = undefined;
        if (!this.#stopped) this.#spawn();
      }, delay);
    });
  }
}
