/**
 * Refresh loop: runs a task, waits an interval after it finishes, runs it again. Never overlaps
 * runs, pauses while the page is hidden and catches up at once when it becomes visible again.
 * The interval may be a function, asked after every run: the console polls fast while something
 * is changing and slowly when nothing is (activity.ts).
 */

export interface PollerEnvironment {
  isHidden(): boolean;
  /** Subscribes to visibility changes; returns the unsubscribe function. */
  onVisibilityChange(listener: () => void): () => void;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Poller {
  start(): void;
  stop(): void;
  /** Runs the task now (after the run in flight, if any); resolves when that run has finished. */
  refreshNow(): Promise<void>;
}

export function browserPollerEnvironment(): PollerEnvironment {
  return {
    isHidden: () => document.visibilityState === 'hidden',
    onVisibilityChange: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

export function createPoller(task: () => Promise<void>, interval: number | (() => number), env: PollerEnvironment): Poller {
  const intervalMs = typeof interval === 'number' ? () => interval : interval;
  let timer: unknown;
  let inFlight: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let running = false;
  let unsubscribe: () => void = () => undefined;

  const cancelTimer = (): void => {
    if (timer !== undefined) env.clearTimeout(timer);
    timer = undefined;
  };

  const schedule = (): void => {
    cancelTimer();
    if (running && !env.isHidden()) timer = env.setTimeout(() => void run(), intervalMs());
  };

  const run = (): Promise<void> => {
    cancelTimer();
    if (inFlight) {
      // One more run after the current one, so data changed by an action is fetched fresh.
      queued ??= inFlight.then(() => {
        queued = null;
        return run();
      });
      return queued;
    }
    const current = (async () => {
      try {
        await task();
      } catch {
        // The task reports its own errors; the loop keeps going.
      }
    })();
    inFlight = current.finally(() => {
      inFlight = null;
      if (queued === null) schedule();
    });
    return inFlight;
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = env.onVisibilityChange(() => {
        if (env.isHidden()) cancelTimer();
        else void run();
      });
      void run();
    },
    stop() {
      running = false;
      cancelTimer();
      unsubscribe();
    },
    refreshNow: run,
  };
}
