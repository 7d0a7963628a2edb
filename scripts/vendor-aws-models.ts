/**
 * Regenerates the AWS API models in test/fixtures/aws-models/ from botocore's data directory
 * (Debian's `python3-botocore` package; see test/fixtures/aws-models/README.md for the steps).
 * Not part of `npm test`: the models are committed, this only refreshes them.
 *
 *   npx tsx scripts/vendor-aws-models.ts <botocore data directory>
 *
 * Each `<service>/<version>/service-2.json` is copied without its `documentation` strings (prose
 * only; every shape, member, trait and constraint stays), one operation or shape per line so a
 * refresh reads as a diff per shape.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** botocore directory and API version of every model the tests validate requests against. */
export const VENDORED_MODELS = [
  ['medialive', '2017-10-14'],
  ['ecs', '2014-11-13'],
  ['ssm', '2014-11-06'],
  ['ivs', '2020-07-14'],
  ['sns', '2010-03-31'],
  ['cloudwatch', '2010-08-01'],
] as const;

const OUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/aws-models');

/** The value without any `documentation` key, at any depth. */
function stripDocumentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocumentation);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'documentation')
      .map(([key, v]) => [key, stripDocumentation(v)]),
  );
}

/** JSON with each entry of `operations` and `shapes` on a line of its own. */
function serialise(model: Record<string, unknown>): string {
  const parts = Object.entries(model).map(([key, value]) => {
    if ((key === 'operations' || key === 'shapes') && value && typeof value === 'object') {
      const lines = Object.entries(value).map(([name, v]) => `${JSON.stringify(name)}:${JSON.stringify(v)}`);
      return `${JSON.stringify(key)}:{\n${lines.join(',\n')}\n}`;
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${parts.join(',\n')}}\n`;
}

async function main(dataDir: string | undefined): Promise<void> {
  if (!dataDir) {
    console.error('usage: npx tsx scripts/vendor-aws-models.ts <botocore data directory>');
    process.exitCode = 2;
    return;
  }
  const version = /__version__\s*=\s*'([^']+)'/.exec(await readFile(join(dataDir, '..', '__init__.py'), 'utf8'))?.[1];
  for (const [service, apiVersion] of VENDORED_MODELS) {
    const source = join(dataDir, service, apiVersion, 'service-2.json');
    const model = stripDocumentation(JSON.parse(await readFile(source, 'utf8'))) as Record<string, unknown>;
    const target = join(OUT_DIR, `${service}-${apiVersion}.json`);
    const text = serialise(model);
    await writeFile(target, text);
    console.log(`${service}/${apiVersion}/service-2.json → ${target} (${Math.round(text.length / 1024)} KiB)`);
  }
  console.log(`botocore ${version ?? '(version not found)'}: update the version in ${join(OUT_DIR, 'README.md')} if it changed.`);
}

await main(process.argv[2]);
