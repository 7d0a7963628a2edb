/**
 * ffmpeg's `-progress` output: blocks of `key=value` lines, each ending with `progress=continue`
 * (or `progress=end` when ffmpeg finishes). One block per `-stats_period` (default 0.5 s).
 *
 *   frame=221
 *   fps=36.70
 *   bitrate=1843.2kbits/s
 *   total_size=1700000
 *   out_time_us=7423833
 *   drop_frames=0
 *   speed=1.23x
 *   progress=continue
 *
 * Fields ffmpeg cannot compute yet are `N/A`; they become `undefined` here.
 */

/** One `-progress` block, numbers parsed. */
export interface FfmpegProgress {
  /** Video frames written so far (0 for an audio-only output). */
  frame: number | undefined;
  fps: number | undefined;
  /** Average output bit rate since the start, kbit/s. */
  bitrateKbps: number | undefined;
  /** Bytes written so far. */
  totalSizeBytes: number | undefined;
  /** Media time written so far, in milliseconds. */
  outTimeMs: number | undefined;
  dropFrames: number | undefined;
  dupFrames: number | undefined;
  /** Processing speed relative to real time (1 = real time). */
  speed: number | undefined;
  /** `end` on the last block of a run. */
  progress: 'continue' | 'end';
}

function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses one complete block (its lines as `key=value`). */
export function parseProgressBlock(fields: ReadonlyMap<string, string>): FfmpegProgress {
  const bitrate = fields.get('bitrate');
  const speed = fields.get('speed');
  // out_time_us and out_time_ms both hold microseconds (a long-standing ffmpeg quirk).
  const outTimeUs = num(fields.get('out_time_us') ?? fields.get('out_time_ms'));
  return {
    frame: num(fields.get('frame')),
    fps: num(fields.get('fps')),
    bitrateKbps: bitrate !== undefined && /kbits\/s$/.test(bitrate) ? num(bitrate) : undefined,
    totalSizeBytes: num(fields.get('total_size')),
    outTimeMs: outTimeUs === undefined || outTimeUs < 0 ? undefined : Math.round(outTimeUs / 1000),
    dropFrames: num(fields.get('drop_frames')),
    dupFrames: num(fields.get('dup_frames')),
    speed: speed !== undefined && /x$/.test(speed) ? num(speed) : undefined,
    progress: fields.get('progress') === 'end' ? 'end' : 'continue',
  };
}

/**
 * Turns a stream of `-progress` text (chunks cut anywhere) into blocks. Feed it what the pipe
 * delivers; it calls `onBlock` once per complete block.
 */
export class ProgressReader {
  #pending = '';
  #fields = new Map<string, string>();

  constructor(private readonly onBlock: (progress: FfmpegProgress) => void) {}

  push(chunk: string | Buffer): void {
    this.#pending += chunk.toString();
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.#pending.slice(0, newline).trim();
      this.#pending = this.#pending.slice(newline + 1);
      this.#line(line);
      newline = this.#pending.indexOf('\n');
    }
  }

  #line(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq).trim();
    this.#fields.set(key, line.slice(eq + 1).trim());
    if (key === 'progress') {
      const block = parseProgressBlock(this.#fields);
      this.#fields = new Map();
      this.onBlock(block);
    }
  }
}
