/**
 * Finds ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH when set, else the ones on PATH. Real
 * media needs both; without them the local stack runs with simulated media and says how to get
 * them (on Debian/Ubuntu: `sudo apt-get install ffmpeg`; `npm test` installs it by itself).
 */
import { createServer, type AddressInfo } from 'node:net';
import { execa } from 'execa';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  /** `ffmpeg version 5.1.9-0+deb12u1` */
  version: string;
}

export const HOW_TO_GET_FFMPEG =
  'install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH, then restart';

/** The tools, or the reason they cannot be used. */
export async function findMediaTools(env: NodeJS.ProcessEnv = process.env): Promise<MediaTools | { missing: string }> {
  const ffmpeg = env.FFMPEG_PATH?.trim() || 'ffmpeg';
  const ffprobe = env.FFPROBE_PATH?.trim() || 'ffprobe';
  const check = async (file: string): Promise<string | undefined> => {
    const result = await execa(file, ['-hide_banner', '-version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
    return result.exitCode === 0 ? String(result.stdout).split('\n')[0] : undefined;
  };
  const [version, probeVersion] = await Promise.all([check(ffmpeg), check(ffprobe)]);
  if (version === undefined) return { missing: `${ffmpeg} could not be run` };
  if (probeVersion === undefined) return { missing: `${ffprobe} could not be run` };
  const encoders = await execa(ffmpeg, ['-hide_banner', '-encoders'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  if (!/libx264/.test(String(encoders.stdout))) return { missing: `${ffmpeg} has no libx264 encoder` };
  return { ffmpeg, ffprobe, version };
}

/** A loopback TCP port that was free a moment ago (for ffmpeg listeners, which cannot report the port they got). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere or when it is gone. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces, hence the last ')').
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    // USER_HZ is 100 on every Linux Node supports.
    return (utime + stime) / 100;
  } catch {
    return undefined;
  }
}
