/**
 * Builds the two Lambda zips: `lambdas/api/handler.ts` → `dist/lambda.zip` and
 * `lambdas/monitor/handler.ts` → `dist/monitor.zip`, for the `nodejs22.x` runtime on arm64.
 *
 * Each zip holds `handler.mjs` (ES module, minified; the Lambda handler string is
 * `handler.handler`) and `handler.mjs.map`, which Lambda uses with
 * `NODE_OPTIONS=--enable-source-maps`. Zips are byte-identical for identical sources (fixed
 * timestamps, sorted entries, fixed permissions and compression level), so a redeploy with no code
 * change leaves `source_code_hash` — and the functions — untouched.
 *
 * AWS SDK v3: bundled and minified, not taken from the runtime's copy. Measured with
 * `npm run bench:bundle` (bench/lambda-bundle.ts): a fresh `node` process per sample imports the
 * bundle and serves one request — API: GET /stream-destinations against dynalite; monitor: a
 * scheduled reconcile against dynalite and a local IVS/MediaLive stub. Median of 21 samples,
 * Node 20 on a shared x86 build machine (absolute times vary by machine; the ratio held over runs):
 *
 *   variant                     zip        import    import + first request
 *   api, SDK bundled            599 KiB    361 ms     490 ms
 *   api, SDK from runtime       243 KiB    923 ms    1051 ms
 *   monitor, SDK bundled        587 KiB    338 ms     527 ms
 *   monitor, SDK from runtime   232 KiB    942 ms    1150 ms
 *
 * The runtime variant's zip is smaller, but its cold start is about twice as long: Node resolves,
 * reads and compiles the SDK's many packages one by one and unminified, where the bundle is one
 * tree-shaken, minified module. Zip size matters far less (both are far below Lambda's limits).
 * Bundling also pins the SDK version we test against, instead of whatever the runtime ships.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { ZipArchive } from 'archiver';

/** One Lambda: the entry file and the zip it becomes (both relative to `rootDir`). */
export interface LambdaEntry {
  name: string;
  entry: string;
  zip: string;
}

export const LAMBDAS: readonly LambdaEntry[] = [
  { name: 'api', entry: 'lambdas/api/handler.ts', zip: 'dist/lambda.zip' },
  { name: 'monitor', entry: 'lambdas/monitor/handler.ts', zip: 'dist/monitor.zip' },
];

export interface BuildLambdasOptions {
  /** Repository root; entries and zips are relative to it. */
  rootDir: string;
  /** Defaults to `LAMBDAS`. */
  lambdas?: readonly LambdaEntry[];
  /** Packages left out of the bundle (the benchmark's "SDK from the runtime" variant). */
  external?: string[];
  /** Defaults to true. */
  minify?: boolean;
}

export interface LambdaArtifact {
  name: string;
  /** Absolute path of the zip. */
  zipPath: string;
  /** Zip size in bytes. */
  size: number;
  /** base64 SHA-256 of the zip, as Lambda's `CodeSha256` / Terraform's `source_code_hash`. */
  sha256: string;
}

/** Entry time of every file in the zip: the earliest a zip (DOS) timestamp can hold. */
export const ZIP_ENTRY_DATE = new Date('1980-01-01T00:00:00Z');
const ZIP_ENTRY_MODE = 0o644;

/** esbuild settings shared by the build and the benchmark. */
export function esbuildOptions(
  rootDir: string,
  lambda: LambdaEntry,
  options: Pick<BuildLambdasOptions, 'external' | 'minify'> = {},
): BuildOptions {
  return {
    absWorkingDir: rootDir,
    entryPoints: [join(rootDir, lambda.entry)],
    // The outfile only names the files and anchors the source map's relative paths; nothing is written.
    outfile: join(rootDir, 'dist', lambda.name, 'handler.mjs'),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // ES module builds of the SDK tree-shake far better than its CommonJS builds.
    mainFields: ['module', 'main'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    external: options.external ?? [],
    // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  };
}

/** A deterministic zip of `files` (name → content): sorted names, fixed date, mode and level. */
export async function deterministicZip(files: Record<string, Uint8Array>): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolveDone, reject) => {
    archive.on('end', () => resolveDone());
    archive.on('error', reject);
  });
  for (const [name, content] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    archive.append(Buffer.from(content), { name, date: ZIP_ENTRY_DATE, mode: ZIP_ENTRY_MODE });
  }
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function lambdaHash(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

/** Bundles one Lambda and returns the zip's files (`handler.mjs`, `handler.mjs.map`). */
export async function bundleLambda(
  rootDir: string,
  lambda: LambdaEntry,
  options: Pick<BuildLambdasOptions, 'external' | 'minify'> = {},
): Promise<Record<string, Uint8Array>> {
  const result = await build(esbuildOptions(rootDir, lambda, options));
  const files: Record<string, Uint8Array> = {};
  for (const file of result.outputFiles ?? []) {
    const name = relative(join(rootDir, 'dist', lambda.name), file.path);
    files[name] = file.contents;
  }
  return files;
}

/** Builds every Lambda zip into place and returns sizes and hashes. */
export async function buildLambdas(options: BuildLambdasOptions): Promise<LambdaArtifact[]> {
  const rootDir = resolve(options.rootDir);
  const lambdas = options.lambdas ?? LAMBDAS;
  return Promise.all(
    lambdas.map(async (lambda) => {
      const zip = await deterministicZip(await bundleLambda(rootDir, lambda, options));
      const zipPath = resolve(rootDir, lambda.zip);
      await mkdir(dirname(zipPath), { recursive: true });
      await writeFile(zipPath, zip);
      return { name: lambda.name, zipPath, size: zip.length, sha256: lambdaHash(zip) };
    }),
  );
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const artifacts = await buildLambdas({ rootDir });
  for (const a of artifacts) {
    console.log(`${relative(rootDir, a.zipPath).padEnd(18)} ${formatSize(a.size).padStart(10)}  sha256 ${a.sha256}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
