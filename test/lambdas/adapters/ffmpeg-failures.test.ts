/**
 * The classification of ffmpeg's last words, on the lines ffmpeg 5 printed on loopback (see the
 * module's comment): the same patterns run in the Fargate relay's awk.
 */
import { describe, expect, it } from '@jest/globals';
import { classifyFfmpegLine, runFailure } from '../../../lambdas/adapters/ffmpeg-failures';

describe('classifyFfmpegLine', () => {
  it.each([
    ['rtmp://127.0.0.1:19352/live2/<stream key>: Broken pipe', 'closed'],
    ['av_interleaved_write_frame(): Connection reset by peer', 'closed'],
    ['[rtmp @ 0x55d0] Server error: Stream key is not valid', 'refused'],
    ['[tcp @ 0x5562fe4280c0] Connection to tcp://127.0.0.1:19351?tcp_nodelay=0 failed: Connection refused', 'unreachable'],
    ['rtmp://127.0.0.1:19351/live2/<stream key>: Connection refused', 'unreachable'],
    ['rtmps://live.example.com:443/app/<stream key>: Connection timed out', 'unreachable'],
    ['[tcp @ 0x1] Failed to resolve hostname live.example.invalid: Name or service not known', 'unreachable'],
    ['http://127.0.0.1:8787/_local/hls/local/index.m3u8: Server returned 404 Not Found', 'source'],
    ['[hls @ 0x2] Failed to open segment 12 of playlist 0', 'source'],
    ['[flv @ 0x55dae0effbc0] Failed to update header with correct duration.', undefined],
  ])('%s → %s', (line, kind) => {
    expect(classifyFfmpegLine(line)).toBe(kind);
  });
});

describe('runFailure', () => {
  it('reads a connection closed before any media as a refusal, and after media as a drop', () => {
    expect(runFailure('closed', false)).toBe('refused');
    expect(runFailure('closed', true)).toBe('dropped');
    expect(runFailure('unreachable', true)).toBe('unreachable');
    expect(runFailure(undefined, false)).toBe('other');
  });
});
