/**
 * scripts/test-prerequisites.sh, the first step of `npm test`, with fake `id`, `apt-get` and
 * `sudo` on PATH: nothing is installed for real.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SCRIPT = resolve(fileURLToPath(new URL('../../scripts/test-prerequisites.sh', import.meta.url)));
let bin: string;

const fake = async (name: string, body: string) => {
  await writeFile(join(bin, name), `#!/bin/bash\n${body}\n`);
  await chmod(join(bin, name), 0o755);
};
const run = (env: Record<string, string> = {}) =>
  execa('/bin/bash', [SCRIPT], { env: { PATH: bin, ...env }, extendEnv: false, reject: false });

beforeEach(async () => {
  bin = await mkdtemp(join(tmpdir(), 'prereq-bin-'));
  await fake('apt-get', `echo "apt-get $*" >> "${bin}/apt.log"`);
  // \`env VAR=value apt-get ...\`: the fake drops the assignment and runs the command.
  await fake('env', 'shift; "$@"');
});
afterEach(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('test-prerequisites.sh', () => {
  it('installs ffmpeg with apt-get when it is missing and the script runs as root', async () => {
    await fake('id', 'echo 0');
    const chromium = join(bin, 'chromium');
    await fake('chromium', 'exit 0');

    const result = await run({ CHROMIUM_PATH: chromium });

    expect(result.exitCode).toBe(0);
    expect(await readFile(join(bin, 'apt.log'), 'utf8')).toBe('apt-get update -qq\napt-get install -y -qq ffmpeg\n');
    expect(result.stdout).toContain('test-prerequisites: installing ffmpeg (Debian packages, apt-get)');
  });

  it('installs nothing when everything is there', async () => {
    await fake('id', 'echo 0');
    await fake('chromium', 'exit 0');
    await fake('ffmpeg', 'exit 0');
    await fake('ffprobe', 'exit 0');

    const result = await run({ CHROMIUM_PATH: join(bin, 'chromium') });

    expect(result.exitCode).toBe(0);
    expect(existsSync(join(bin, 'apt.log'))).toBe(false);
  });

  it('says in one line what to install when it is not root and has no sudo', async () => {
    await fake('id', 'echo 1000');
    await fake('chromium', 'exit 0');

    const result = await run({ CHROMIUM_PATH: join(bin, 'chromium') });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'test-prerequisites: ffmpeg missing: run `sudo apt-get install -y ffmpeg` (or set CHROMIUM_PATH to a Chromium binary), then npm test again.',
    );
    expect(existsSync(join(bin, 'apt.log'))).toBe(false);
  });

  it('uses password-less sudo when it is not root', async () => {
    await fake('id', 'echo 1000');
    await fake('sudo', '[ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; "$@"');
    await fake('chromium', 'exit 0');

    const result = await run({ CHROMIUM_PATH: join(bin, 'chromium') });

    expect(result.exitCode).toBe(0);
    expect(await readFile(join(bin, 'apt.log'), 'utf8')).toContain('apt-get install -y -qq ffmpeg');
  });

  it('refuses a CHROMIUM_PATH that is not an executable, naming it', async () => {
    const result = await run({ CHROMIUM_PATH: join(bin, 'no-such-chromium') });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^test-prerequisites: CHROMIUM_PATH=.*no-such-chromium is not an executable file/);
  });
});
