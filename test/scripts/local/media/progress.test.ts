import { describe, expect, it } from '@jest/globals';
import { ProgressReader, type FfmpegProgress } from '../../../../scripts/local/media/progress';

const BLOCK = [
  'frame=221',
  'fps=36.70',
  'stream_0_0_q=-1.0',
  'bitrate=1843.2kbits/s',
  'total_size=1700000',
  'out_time_us=7423833',
  'out_time_ms=7423833',
  'out_time=00:00:07.423833',
  'dup_frames=0',
  'drop_frames=2',
  'speed=1.23x',
  'progress=continue',
  '',
].join('\n');

describe('ProgressReader', () => {
  it("parses a block of ffmpeg's -progress output into numbers", () => {
    const blocks: FfmpegProgress[] = [];
    new ProgressReader((b) => blocks.push(b)).push(BLOCK);
    expect(blocks).toEqual([
      {
        frame: 221,
        fps: 36.7,
        bitrateKbps: 1843.2,
        totalSizeBytes: 1_700_000,
        outTimeMs: 7424,
        dropFrames: 2,
        dupFrames: 0,
        speed: 1.23,
        progress: 'continue',
      },
    ]);
  });

  it('joins blocks cut anywhere across chunks and reports each once', () => {
    const blocks: FfmpegProgress[] = [];
    const reader = new ProgressReader((b) => blocks.push(b));
    const text = BLOCK + BLOCK.replace('frame=221', 'frame=251').replace('progress=continue', 'progress=end');
    for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
    expect(blocks.map((b) => [b.frame, b.progress])).toEqual([
      [221, 'continue'],
      [251, 'end'],
    ]);
  });

  it('takes N/A fields as unknown, not as zero', () => {
    const blocks: FfmpegProgress[] = [];
    new ProgressReader((b) => blocks.push(b)).push('frame=0\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nspeed=N/A\nprogress=continue\n');
    expect(blocks[0]).toMatchObject({
      frame: 0,
      bitrateKbps: undefined,
      totalSizeBytes: undefined,
      outTimeMs: undefined,
      speed: undefined,
    });
  });
});
