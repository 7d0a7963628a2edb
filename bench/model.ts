/**
 * `npm run bench:model` — what one history of the model test (test/system/model.test.ts) costs:
 * the histories fast-check generates for `npm test` (seed 20261130), each run on a fresh system
 * (test/support/model.ts) and checked, timed as this process's CPU time (the figure to compare:
 * other work on the machine stretches wall time, not CPU time) and as wall time.
 *
 * Side by side, each history twice in turn (so both see the same load): as the model test runs
 * it (one dynalite server shared by the histories, recycled tables, DynamoDB calls handed to
 * dynalite in process) and as it ran before (a dynalite server per history, fresh tables, loopback
 * HTTP).
 *
 * Environment: BENCH_RUNS (100), BENCH_SEED (20261130, the seed of `npm test`).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { Action } from '../test/support/model';
import { closeModelServer, historyArbitrary, runHistory } from '../test/support/model';
import { median } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const SEED = Number(process.env.BENCH_SEED ?? 20261130);

interface Figures {
  cpu: number[];
  wall: number[];
  violations: number;
}

async function timed(history: readonly Action[], ownServer: boolean, into: Figures): Promise<void> {
  const wallAt = performance.now();
  const cpuAt = process.cpuUsage();
  const outcome = await runHistory(history, { ownServer });
  const used = process.cpuUsage(cpuAt);
  into.cpu.push((used.user + used.system) / 1000);
  into.wall.push(performance.now() - wallAt);
  if (outcome.violations.length > 0) into.violations += 1;
}

const histories = fc.sample(historyArbitrary(), { numRuns: RUNS, seed: SEED });
const now: Figures = { cpu: [], wall: [], violations: 0 };
const before: Figures = { cpu: [], wall: [], violations: 0 };
// One of each first, untimed: module loading and JIT warm-up.
await runHistory(histories[0] ?? [], {});
await runHistory(histories[0] ?? [], { ownServer: true });
for (const [i, history] of histories.entries()) {
  if (i % 2 === 0) {
    await timed(history, false, now);
    await timed(history, true, before);
  } else {
    await timed(history, true, before);
    await timed(history, false, now);
  }
}
await closeModelServer();

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const steps = histories.reduce((sum, h) => sum + h.length, 0) / RUNS;
const row = (name: string, f: Figures) =>
  `  ${name.padEnd(44)} ${mean(f.cpu).toFixed(0).padStart(5)} ms ${median(f.cpu).toFixed(0).padStart(6)} ms ${mean(f.wall).toFixed(0).padStart(6)} ms ${((mean(f.cpu) * 5000) / 60_000).toFixed(1).padStart(8)} min ${String(f.violations).padStart(6)}`;

console.log(`model test: ${RUNS} histories of seed ${SEED} (${steps.toFixed(1)} steps each on average)`);
console.log(`  ${'per history'.padEnd(44)} CPU mean  median   wall    5000 CPU   fails`);
console.log(row('shared server, recycled tables, in process', now));
console.log(row('baseline: own server, fresh tables, HTTP', before));
console.log(`  CPU per history: ${((1 - mean(now.cpu) / mean(before.cpu)) * 100).toFixed(0)} % less than the baseline`);
console.log(`  machine load average (1 min): ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`);
