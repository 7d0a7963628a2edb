/**
 * The one place the deploy starts child processes (Terraform, `npm run build`). Tests replace
 * the runner, or wrap it to fake some commands and pass others through.
 */
import { execa } from 'execa';

export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child (nothing else is inherited). */
  env?: NodeJS.ProcessEnv;
  /** Called with each line of stdout and stderr as it arrives (for progress display). */
  onLine?: (line: string) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a terminal would show them. */
  output: string;
}

export interface ProcessRunner {
  /** Runs `file` with `args`; resolves with a non-zero `exitCode` instead of throwing. */
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** The command could not be started at all: not installed, or not on PATH. */
export class CommandNotFoundError extends Error {
  override name = 'CommandNotFoundError';
  constructor(readonly command: string) {
    super(`${command}: command not found`);
  }
}

export function createProcessRunner(): ProcessRunner {
  return {
    async run(file, args, options = {}) {
      const child = execa(file, args, {
        cwd: options.cwd,
        env: options.env,
        extendEnv: options.env === undefined,
        stdin: 'ignore',
        all: true,
        reject: false,
        stripFinalNewline: false,
      });
      if (options.onLine) {
        const onLine = options.onLine;
        let pending = '';
        child.all?.on('data', (chunk: Buffer | string) => {
          const lines = (pending + String(chunk)).split(/\r?\n/);
          pending = lines.pop() ?? '';
          lines.forEach(onLine);
        });
        child.all?.on('end', () => {
          if (pending) onLine(pending);
        });
      }
      const result = await child;
      if (result.exitCode === undefined) {
        if ((result as { code?: string }).code === 'ENOENT') throw new CommandNotFoundError(file);
        throw new Error(`${file} could not be run: ${result.shortMessage ?? result.message}`);
      }
      return {
        exitCode: result.exitCode,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        output: String(result.all ?? ''),
      };
    },
  };
}
