/**
 * The generated stream the local "Go live" switch pushes when no encoder is connected: a moving
 * test picture with the wall-clock time and the elapsed stream time burnt in, and a 1 kHz tone
 * that beeps once a second — enough to see at a glance on a platform that the stream is live and
 * not frozen. Small (640×360, 30 fps, 1-second GOP) so it costs little CPU.
 */
import { existsSync } from 'node:fs';
import type { Log, SourceIngest } from '../../../lambdas/core/ports';
import { FfmpegSupervisor } from './ffmpeg-process';

export interface TestPatternOptions {
  ffmpegPath: string;
  /** rtmp://host:port/app/key */
  publishUrl: string;
  secrets: readonly string[];
  log: Log;
  channelArn?: string;
  /** Picture size, default 640x360. */
  size?: string;
}

/** A font drawtext can use; Debian's fonts-dejavu-core is installed with ffmpeg's dependencies. */
const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'];

/** The test pattern's encoding: the arguments below and what IVS's GetStreamSession would report for it. */
const PATTERN = { framerate: 30, gop: 30, videoKbps: 800, audioKbps: 96, sampleRate: 48_000, channels: 2 } as const;

/** What the local IVS reports as the ingest of a test-pattern session (GetStreamSession's shape). */
export function testPatternIngest(size = '640x360'): Omit<SourceIngest, 'streamId'> {
  const [width, height] = size.split('x').map(Number);
  return {
    video: {
      codec: 'h264',
      profile: 'main',
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
      bitrateBps: PATTERN.videoKbps * 1000,
      framerate: PATTERN.framerate,
      keyframeIntervalSeconds: PATTERN.gop / PATTERN.framerate,
    },
    audio: { codec: 'aac', bitrateBps: PATTERN.audioKbps * 1000, sampleRate: PATTERN.sampleRate, channels: PATTERN.channels },
  };
}

export function testPatternArgs(publishUrl: string, size = '640x360', font?: string): string[] {
  const fontArg = font ? `fontfile=${font}:` : '';
  const text = (value: string, y: string): string =>
    `drawtext=${fontArg}text='${value}':x=(w-tw)/2:y=${y}:fontsize=h/12:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8`;
  return [
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${PATTERN.framerate}`,
    '-re',
    '-f',
    'lavfi',
    // A 1 kHz tone for the first 0.2 s of every second.
    '-i',
    `sine=frequency=1000:sample_rate=${PATTERN.sampleRate}:beep_factor=4,volume='if(lt(mod(t,1),0.2),1,0)':eval=frame`,
    '-vf',
    [text('IVS Restreaming local test', 'h/10'), text('%{localtime\\:%T}', 'h*0.72'), text('%{pts\\:hms}', 'h*0.84')].join(','),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(PATTERN.gop),
    '-b:v',
    `${PATTERN.videoKbps}k`,
    '-maxrate',
    `${PATTERN.videoKbps}k`,
    '-bufsize',
    `${PATTERN.videoKbps * 2}k`,
    '-c:a',
    'aac',
    '-b:a',
    `${PATTERN.audioKbps}k`,
    '-ac',
    String(PATTERN.channels),
    '-f',
    'flv',
    publishUrl,
  ];
}

export class TestPattern {
  readonly #supervisor: FfmpegSupervisor;

  constructor(options: TestPatternOptions) {
    let font: string | undefined;
    this.#supervisor = new FfmpegSupervisor({
      ffmpegPath: options.ffmpegPath,
      label: 'test pattern',
      log: options.log,
      logAttributes: options.channelArn ? { channelArn: options.channelArn } : {},
      secrets: options.secrets,
      restart: { initialMs: 1_000, maxMs: 5_000, healthyAfterMs: 10_000 },
      args: () => testPatternArgs(options.publishUrl, options.size, (font ??= findFont())),
    });
  }

  get active(): boolean {
    return this.#supervisor.active;
  }

  get pid(): number | undefined {
    return this.#supervisor.pid;
  }

  start(): void {
    this.#supervisor.start();
  }

  stop(): Promise<void> {
    return this.#supervisor.stop();
  }
}

function findFont(): string | undefined {
  // Without a font file, drawtext asks fontconfig for its default font.
  return FONT_CANDIDATES.find((path) => existsSync(path));
}
