import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildLambdas, LAMBDAS, lambdaHash, type LambdaArtifact, type LambdaEntry } from '../../scripts/build-lambdas';
import { startAwsStubServer, type AwsStubServer } from '../support/aws-stub-server';
import { startDynalite, type Dynalite } from '../support/dynalite';
import { httpApiGet, invokeBundle, loopbackLambdaEnvironment, SCHEDULED_EVENT } from '../support/lambda-bundle';
import { readZip } from '../support/zip';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// 1980-01-01 00:00 as DOS date and time fields.
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

let work: string;

/** The real Lambdas, with their zips written to a scratch directory instead of dist/. */
function lambdasInto(dir: string): LambdaEntry[] {
  return LAMBDAS.map((l) => ({ ...l, zip: join(dir, basename(l.zip)) }));
}

async function extract(zipPath: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  for (const entry of readZip(await readFile(zipPath))) await writeFile(join(into, entry.name), entry.content);
  return join(into, 'handler.mjs');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'build-lambdas-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('buildLambdas with the real handlers', () => {
  let first: LambdaArtifact[];
  let dynalite: Dynalite;
  let stub: AwsStubServer;

  beforeAll(async () => {
    first = await buildLambdas({ rootDir: ROOT, lambdas: lambdasInto(join(work, 'first')) });
    dynalite = await startDynalite();
    stub = await startAwsStubServer();
  }, 120_000);

  afterAll(async () => {
    await dynalite?.stop();
    await stub?.stop();
  });

  it('writes lambda.zip and monitor.zip and reports the base64 sha256 of each', async () => {
    expect(first.map((a) => basename(a.zipPath))).toEqual(['lambda.zip', 'monitor.zip']);
    for (const artifact of first) {
      const zip = await readFile(artifact.zipPath);
      expect(artifact.size).toBe(zip.length);
      expect(artifact.sha256).toBe(lambdaHash(zip));
      expect(artifact.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  it('gives byte-identical zips when the sources are identical', async () => {
    const second = await buildLambdas({ rootDir: ROOT, lambdas: lambdasInto(join(work, 'second')) });
    expect(second.map((a) => a.sha256)).toEqual(first.map((a) => a.sha256));
  }, 120_000);

  it('puts handler.mjs and its source map at the zip root with a fixed date and mode', async () => {
    for (const artifact of first) {
      const entries = readZip(await readFile(artifact.zipPath));
      expect(entries.map((e) => e.name)).toEqual(['handler.mjs', 'handler.mjs.map']);
      expect(entries.map((e) => [e.mode, e.dosDate, e.dosTime])).toEqual([
        [0o644, DOS_DATE_1980_01_01, 0],
        [0o644, DOS_DATE_1980_01_01, 0],
      ]);
      const code = entries[0]!.content.toString('utf8');
      expect(code.trimEnd().endsWith('//# sourceMappingURL=handler.mjs.map')).toBe(true);
      const map = JSON.parse(entries[1]!.content.toString('utf8')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith('handler.ts') && !s.startsWith('/'))).toBe(true);
    }
  });

  it('ships no simulator, fake or other lambdas/testing code in either zip', async () => {
    for (const artifact of first) {
      const entries = readZip(await readFile(artifact.zipPath));
      const map = JSON.parse(entries.find((e) => e.name === 'handler.mjs.map')?.content.toString('utf8') ?? '{}') as { sources?: string[] };
      const sources = map.sources ?? [];
      // Guard: the map lists the shipped sources, so an empty list would prove nothing.
      expect(sources.some((s) => s.includes('lambdas/core/'))).toBe(true);
      expect(sources.filter((s) => /(^|\/)lambdas\/testing\//.test(s) || /simulat|manual-clock|aws-sdk-client-mock/i.test(s))).toEqual([]);
    }
  });

  it('bundles an API handler that serves GET /stream-destinations from DynamoDB', async () => {
    const bundle = await extract(first[0]!.zipPath, join(work, 'run-api'));
    await dynalite.doc.send(
      // One stored destination, so the answer proves the bundle read the table.
      new PutCommand({
        TableName: dynalite.tables.destinations,
        Item: {
          id: 'd-1',
          platform: 'youtube',
          name: 'Main channel',
          enabled: true,
          status: 'inactive',
          statusSince: '2025-01-01T00:00:00.000Z',
          channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
          rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2',
          streamKeyCiphertext: 'c2VjcmV0',
          streamKeyHint: 'wxyz',
          profile: '1080p30-6000',
          configRevision: 1,
          generation: 0,
          version: 1,
          createdAt: '2025-01-01T00:00:00.000Z',
          updatedAt: '2025-01-01T00:00:00.000Z',
        },
      }),
    );
    const env = loopbackLambdaEnvironment({ dynamodbEndpoint: dynalite.endpoint, stubEndpoint: stub.endpoint, tables: dynalite.tables });

    const outcome = await invokeBundle(bundle, httpApiGet('/stream-destinations'), env);

    expect(outcome.error).toBeUndefined();
    const response = outcome.result as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body) as { destinations: { id: string; streamKeyMasked: string }[] };
    expect(body.destinations.map((d) => d.id)).toEqual(['d-1']);
  }, 60_000);

  it('bundles a monitor handler that reconciles on the schedule by asking IVS and MediaLive', async () => {
    const bundle = await extract(first[1]!.zipPath, join(work, 'run-monitor'));
    const env = loopbackLambdaEnvironment({ dynamodbEndpoint: dynalite.endpoint, stubEndpoint: stub.endpoint, tables: dynalite.tables });
    stub.requests.length = 0;

    const outcome = await invokeBundle(bundle, SCHEDULED_EVENT, env);

    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ scope: 'all', failures: 0, channels: [{ channelArn: env.IVS_CHANNEL_ARNS, state: 'OFFLINE' }] });
    expect(stub.requests).toContainEqual({ method: 'POST', path: '/ListStreams' });
  }, 60_000);
});

describe('buildLambdas with a small fixture', () => {
  it('changes the hash when a source changes', async () => {
    const root = join(work, 'fixture');
    await mkdir(join(root, 'src'), { recursive: true });
    const lambda: LambdaEntry = { name: 'fixture', entry: 'src/handler.ts', zip: 'out/fixture.zip' };
    await writeFile(join(root, 'src/handler.ts'), 'export const handler = async () => ({ statusCode: 200, body: "one" });\n');
    const [before] = await buildLambdas({ rootDir: root, lambdas: [lambda] });
    await writeFile(join(root, 'src/handler.ts'), 'export const handler = async () => ({ statusCode: 200, body: "two" });\n');
    const [after] = await buildLambdas({ rootDir: root, lambdas: [lambda] });

    expect(after!.zipPath).toBe(join(root, 'out/fixture.zip'));
    expect(after!.sha256).not.toBe(before!.sha256);
  });
});
