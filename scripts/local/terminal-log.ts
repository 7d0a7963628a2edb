/**
 * A quiet, readable Log for the local stack's terminal: one line per event, `12:00:01 INFO message
 * key=value …`. The routine lines a polling browser and a 5-second schedule produce (successful
 * GETs, reconciles that changed nothing) are left out unless LOG_LEVEL=debug. The core never puts
 * a stream key into a log line; this logger prints only what it is given.
 */
import type { Log } from '../../lambdas/core/ports';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface TerminalLogOptions {
  /** Lowest level printed; default 'info'. At 'debug' routine lines are printed too. */
  level?: LogLevel;
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
  /** Clock for the time stamp; default now. */
  now?: () => Date;
}

/** True for the lines that repeat every few seconds and say nothing new. */
export function isRoutine(message: string, attributes: Record<string, unknown> | undefined): boolean {
  if (message === 'API request') return attributes?.['method'] === 'GET' && Number(attributes['status']) < 400;
  if (message === 'Reconcile finished') {
    return Number(attributes?.['actions'] ?? 0) === 0 && Number(attributes?.['failures'] ?? 0) === 0;
  }
  return false;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** `key=value` pairs; nested values as JSON. */
export function formatAttributes(attributes: Record<string, unknown> | undefined): string {
  if (!attributes) return '';
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
}

export function createTerminalLog(options: TerminalLogOptions = {}): Log {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const at =
    (level: LogLevel) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      if (ORDER[level] < threshold) return;
      if (threshold > ORDER.debug && isRoutine(message, attributes)) return;
      const time = now().toTimeString().slice(0, 8);
      const rest = formatAttributes(attributes);
      write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${rest ? `  ${rest}` : ''}`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
