/**
 * ffprobe over what a sink received: codecs, resolution, keyframe times, bit rates, and per-packet
 * hashes that tell a copy from a new encode. Used by the real-media tests and the relay bench.
 */
import { execa } from 'execa';

export interface ProbedStream {
  codecType: 'video' | 'audio' | string;
  codecName: string;
  profile: string | undefined;
  width: number | undefined;
  height: number | undefined;
  /** H.264 level × 10 (41 = 4.1). */
  level: number | undefined;
  sampleRate: number | undefined;
  channels: number | undefined;
}

export interface ProbedPacket {
  streamIndex: number;
  ptsTime: number;
  size: number;
  keyframe: boolean;
}

export async function probeStreams(ffprobe: string, file: string): Promise<ProbedStream[]> {
  const result = await execa(ffprobe, ['-v', 'error', '-show_entries', 'stream', '-of', 'json', file], { stdin: 'ignore' });
  const parsed = JSON.parse(String(result.stdout)) as { streams?: Record<string, unknown>[] };
  return (parsed.streams ?? []).map((s) => ({
    codecType: String(s.codec_type),
    codecName: String(s.codec_name),
    profile: typeof s.profile === 'string' ? s.profile : undefined,
    width: typeof s.width === 'number' ? s.width : undefined,
    height: typeof s.height === 'number' ? s.height : undefined,
    level: typeof s.level === 'number' ? s.level : undefined,
    sampleRate: s.sample_rate !== undefined ? Number(s.sample_rate) : undefined,
    channels: typeof s.channels === 'number' ? s.channels : undefined,
  }));
}

export async function probePackets(ffprobe: string, file: string): Promise<ProbedPacket[]> {
  const result = await execa(ffprobe, ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time,size,flags', '-of', 'csv=p=0', file], {
    stdin: 'ignore',
  });
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [streamIndex, ptsTime, size, flags] = line.split(',');
      return { streamIndex: Number(streamIndex), ptsTime: Number(ptsTime), size: Number(size), keyframe: (flags ?? '').includes('K') };
    })
    .filter((p) => Number.isFinite(p.ptsTime));
}

/**
 * MD5 of every decoded video frame, in order (ffmpeg's framemd5 muxer). A copy decodes to exactly
 * the source's pictures; any new encode (lossy) does not.
 */
export async function decodedFrameHashes(ffmpeg: string, input: string): Promise<string[]> {
  const result = await execa(
    ffmpeg,
    ['-hide_banner', '-v', 'error', '-i', input, '-map', '0:v:0', '-pix_fmt', 'yuv420p', '-f', 'framemd5', '-'],
    {
      stdin: 'ignore',
    },
  );
  return String(result.stdout)
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (line.split(',').pop() ?? '').trim());
}

/** Intervals between consecutive keyframes of one stream, in seconds. */
export function keyframeIntervals(packets: readonly ProbedPacket[], streamIndex: number): number[] {
  const times = packets
    .filter((p) => p.streamIndex === streamIndex && p.keyframe)
    .map((p) => p.ptsTime)
    .sort((a, b) => a - b);
  return times.slice(1).map((t, i) => Math.round((t - (times[i] ?? t)) * 1000) / 1000);
}

/** Bit rate of one stream over its packets' time span, kbit/s. */
export function streamBitrateKbps(packets: readonly ProbedPacket[], streamIndex: number): number | undefined {
  const own = packets.filter((p) => p.streamIndex === streamIndex);
  if (own.length < 2) return undefined;
  const times = own.map((p) => p.ptsTime);
  const span = Math.max(...times) - Math.min(...times);
  if (span <= 0) return undefined;
  // The last packet's bytes fall outside the span.
  const bytes = own.reduce((sum, p) => sum + p.size, 0) - (own.at(-1)?.size ?? 0);
  return (bytes * 8) / span / 1000;
}
