/**
 * Why an ffmpeg relay run ended, from what ffmpeg printed: the one classification both the local
 * relay (scripts/local/media/relay.ts, in TypeScript) and the Fargate relay container (the awk in
 * `ecs/requests.ts`, which publishes it as a metric) apply, so a refused key reads the same
 * everywhere. The patterns are POSIX extended regular expressions in lower case, matched against
 * the lower-cased line, so awk can use them unchanged.
 *
 * What ffmpeg 5 prints, tried on loopback (an ffmpeg `-listen 1` sink that closes the session on
 * a publish with another stream key, as nginx-rtmp, YouTube and Twitch do):
 *
 *   refused key      rtmp://127.0.0.1:19352/live2/<key>: Broken pipe          (no media written)
 *   server _error    [rtmp @ 0x…] Server error: <description>
 *   port closed      [tcp @ 0x…] Connection to tcp://127.0.0.1:19351?tcp_nodelay=0 failed: Connection refused
 *                    rtmp://127.0.0.1:19351/live2/<key>: Connection refused
 *   source missing   http://127.0.0.1:8787/_local/hls/…/index.m3u8: Server returned 404 Not Found
 *
 * The last classified line of a run wins: a failed HLS read prints a `[tcp @` line first and the
 * `http://…:` line after it.
 */
import type { RelayFailureKind } from '../core/health';

/** What a line says, before the run's media decides between `refused` and `dropped` for `closed`. */
export type FfmpegLineKind = 'source' | 'unreachable' | 'closed' | 'refused';

/** Ordered: the first pattern that matches names the line. ERE, lower case. */
export const FFMPEG_LINE_PATTERNS: readonly { kind: FfmpegLineKind; pattern: string }[] = [
  // The RTMP server answered the publish with an error (_error / onStatus level error).
  { kind: 'refused', pattern: '\\[rtmps? @ 0x[0-9a-f]*\\] server error' },
  // Reading the IVS playback: the HLS demuxer, HTTP, or a line naming an http(s) URL.
  { kind: 'source', pattern: '^https?://|\\[(hls|http|https) @|error opening input' },
  {
    kind: 'unreachable',
    pattern:
      'connection refused|timed out|failed to resolve hostname|name or service not known|no route to host|network is unreachable|cannot open connection|certificate|handshake',
  },
  {
    kind: 'closed',
    pattern: 'broken pipe|connection reset by peer|end of file|error in the push function|error writing trailer|input/output error',
  },
];

/** The kind of one ffmpeg line (secrets already removed), or undefined for a line that says nothing about it. */
export function classifyFfmpegLine(line: string): FfmpegLineKind | undefined {
  const lower = line.toLowerCase();
  return FFMPEG_LINE_PATTERNS.find((p) => new RegExp(p.pattern).test(lower))?.kind;
}

/**
 * The failure of a run from its last classified line: a connection closed before any media was
 * written is a refusal (the platform took the connection and dropped it on publish); after media
 * it is a drop. A run that ended for no reason it printed is `other`.
 */
export function runFailure(lastKind: FfmpegLineKind | undefined, producedMedia: boolean): RelayFailureKind {
  if (lastKind === undefined) return 'other';
  if (lastKind === 'closed') return producedMedia ? 'dropped' : 'refused';
  return lastKind;
}
