/**
 * Should the Lambdas bundle the AWS SDK v3, or leave it to the copy in the nodejs22.x runtime?
 * Builds each Lambda both ways and reports zip size and cold-start init time: the median of N
 * fresh `node` processes that each import the bundle and serve one request (API:
 * GET /stream-destinations against dynalite; monitor: a scheduled reconcile against dynalite and
 * a local IVS/MediaLive stub). For the "runtime SDK" variant the bundle resolves `@aws-sdk/*` and
 * `@smithy/*` from node_modules, standing in for the runtime's copy in /var/runtime.
 *
 *   npm run bench:bundle [-- --samples 15]
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLambda, deterministicZip, formatSize, LAMBDAS } from '../scripts/build-lambdas';
import { startAwsStubServer } from '../test/support/aws-stub-server';
import { startDynalite } from '../test/support/dynalite';
import { httpApiGet, invokeBundle, loopbackLambdaEnvironment, SCHEDULED_EVENT } from '../test/support/lambda-bundle';
import { median } from './stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const samplesArg = process.argv.indexOf('--samples');
const SAMPLES = samplesArg > 0 ? Number(process.argv[samplesArg + 1]) : 15;

const VARIANTS = [
  { name: 'SDK bundled', external: [] as string[] },
  { name: 'SDK from runtime', external: ['@aws-sdk/*', '@smithy/*'] },
] as const;

const EVENTS: Record<string, unknown> = { api: httpApiGet('/stream-destinations'), monitor: SCHEDULED_EVENT };

interface Case {
  label: string;
  lambda: string;
  bundle: string;
  zipBytes: number;
  importMs: number[];
  initMs: number[];
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'lambda-bundle-bench-'));
  // Bare imports from the "runtime" variant resolve through this link, as /var/runtime/node_modules would.
  await symlink(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const dynalite = await startDynalite();
  const stub = await startAwsStubServer();
  try {
    const env = loopbackLambdaEnvironment({ dynamodbEndpoint: dynalite.endpoint, stubEndpoint: stub.endpoint, tables: dynalite.tables });
    const cases: Case[] = [];
    for (const lambda of LAMBDAS) {
      for (const variant of VARIANTS) {
        const files = await bundleLambda(ROOT, lambda, { external: [...variant.external] });
        const dir = join(work, lambda.name, variant.external.length ? 'runtime' : 'bundled');
        await mkdir(dir, { recursive: true });
        for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
        const zip = await deterministicZip(files);
        cases.push({
          label: `${lambda.name}, ${variant.name}`,
          lambda: lambda.name,
          bundle: join(dir, 'handler.mjs'),
          zipBytes: zip.length,
          importMs: [],
          initMs: [],
        });
      }
    }
    // Warm the file-system cache once per case, then interleave the cases sample by sample so
    // that machine noise spreads evenly over them.
    for (const c of cases) await invokeBundle(c.bundle, EVENTS[c.lambda], env);
    for (let i = 0; i < SAMPLES; i += 1) {
      for (const c of cases) {
        const outcome = await invokeBundle(c.bundle, EVENTS[c.lambda], env);
        if (!outcome.ok || !outcome.timings) throw new Error(`${c.label}: ${outcome.error?.message ?? 'no result'}`);
        c.importMs.push(outcome.timings.importMs);
        c.initMs.push(outcome.timings.initMs);
      }
    }
    console.log(`Lambda bundles, node ${process.version}, median of ${SAMPLES} cold starts\n`);
    console.log(`${'variant'.padEnd(28)}${'zip'.padStart(11)}${'import'.padStart(11)}${'import + 1st request'.padStart(23)}`);
    for (const c of cases) {
      console.log(
        `${c.label.padEnd(28)}${formatSize(c.zipBytes).padStart(11)}${`${median(c.importMs).toFixed(0)} ms`.padStart(11)}${`${median(c.initMs).toFixed(0)} ms`.padStart(23)}`,
      );
    }
  } finally {
    await dynalite.stop();
    await stub.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
