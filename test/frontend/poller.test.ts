import { describe, expect, it } from '@jest/globals';
import { createPoller, type PollerEnvironment } from '../../frontend/src/poller';

/** A hand-driven page: timers fire when the test says so, visibility flips on demand. */
function fakePage() {
  let hidden = false;
  let nextHandle = 1;
  const timers = new Map<number, { callback: () => void; ms: number }>();
  const listeners = new Set<() => void>();
  const env: PollerEnvironment = {
    isHidden: () => hidden,
    onVisibilityChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setTimeout: (callback, ms) => {
      const handle = nextHandle++;
      timers.set(handle, { callback, ms });
      return handle;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  return {
    env,
    pendingTimers: () => [...timers.values()].map((t) => t.ms),
    fireTimers: () => {
      const due = [...timers.entries()];
      timers.clear();
      for (const [, timer] of due) timer.callback();
    },
    setHidden: (value: boolean) => {
      hidden = value;
      listeners.forEach((listener) => listener());
    },
    listenerCount: () => listeners.size,
  };
}

/** A task whose runs the test finishes one by one. */
function controllableTask() {
  const finishers: Array<() => void> = [];
  let runs = 0;
  return {
    task: () =>
      new Promise<void>((resolve) => {
        runs++;
        finishers.push(resolve);
      }),
    runs: () => runs,
    finishNext: async () => {
      finishers.shift()?.();
      // Let the poller's promise chain settle.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe('createPoller', () => {
  it('runs at once on start and again one interval after each run finishes', async () => {
    const page = fakePage();
    const work = controllableTask();
    createPoller(work.task, 3000, page.env).start();
    expect(work.runs()).toBe(1);
    expect(page.pendingTimers()).toEqual([]);

    await work.finishNext();
    expect(page.pendingTimers()).toEqual([3000]);
    page.fireTimers();
    expect(work.runs()).toBe(2);
  });

  it('never overlaps runs: a refresh during a run queues exactly one more run after it', async () => {
    const page = fakePage();
    const work = controllableTask();
    const poller = createPoller(work.task, 3000, page.env);
    poller.start();
    const first = poller.refreshNow();
    const second = poller.refreshNow();
    expect(first).toBe(second);
    expect(work.runs()).toBe(1);

    await work.finishNext();
    expect(work.runs()).toBe(2);
    await work.finishNext();
    await expect(first).resolves.toBeUndefined();
    expect(work.runs()).toBe(2);
    expect(page.pendingTimers()).toEqual([3000]);
  });

  it('pauses while the page is hidden and refreshes at once when it is shown again', async () => {
    const page = fakePage();
    const work = controllableTask();
    createPoller(work.task, 3000, page.env).start();
    await work.finishNext();
    page.setHidden(true);
    expect(page.pendingTimers()).toEqual([]);

    page.setHidden(false);
    expect(work.runs()).toBe(2);
  });

  it('schedules nothing after a run that finishes while the page is hidden', async () => {
    const page = fakePage();
    const work = controllableTask();
    createPoller(work.task, 3000, page.env).start();
    page.setHidden(true);
    await work.finishNext();
    expect(page.pendingTimers()).toEqual([]);
  });

  it('keeps polling after a failed run', async () => {
    const page = fakePage();
    let runs = 0;
    createPoller(
      async () => {
        runs++;
        throw new Error('API down');
      },
      3000,
      page.env,
    ).start();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(page.pendingTimers()).toEqual([3000]);
    page.fireTimers();
    expect(runs).toBe(2);
  });

  it('stops its timer and visibility listener on stop', async () => {
    const page = fakePage();
    const work = controllableTask();
    const poller = createPoller(work.task, 3000, page.env);
    poller.start();
    await work.finishNext();
    poller.stop();
    expect(page.pendingTimers()).toEqual([]);
    expect(page.listenerCount()).toBe(0);
  });

  it('asks for the interval after every run, so it follows what is changing', async () => {
    const page = fakePage();
    const work = controllableTask();
    let interval = 15_000;
    createPoller(work.task, () => interval, page.env).start();
    await work.finishNext();
    expect(page.pendingTimers()).toEqual([15_000]);

    interval = 2000;
    page.fireTimers();
    await work.finishNext();
    expect(page.pendingTimers()).toEqual([2000]);
  });
});
