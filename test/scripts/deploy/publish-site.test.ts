import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { IMMUTABLE_CACHE_CONTROL, invalidate, invalidationPaths, NO_CACHE, syncSite } from '../../../scripts/deploy/publish-site';
import { fakeS3Bucket } from '../../support/fake-s3-bucket';

const s3Mock = mockClient(S3Client);
const cloudFrontMock = mockClient(CloudFrontClient);
const s3 = new S3Client({ region: 'eu-central-1' });
const cloudfront = new CloudFrontClient({ region: 'eu-central-1' });

let site: string;

async function writeSite(files: Record<string, string>): Promise<void> {
  await rm(site, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(site, name)), { recursive: true });
    await writeFile(join(site, name), content);
  }
}

const BUILD = {
  'index.html': '<!doctype html><script type="module" src="./assets/index-abc123.js"></script>',
  'config.json': '{"apiUrl":"https://api.example.com","auth":null,"localMode":false}\n',
  'assets/index-abc123.js': 'console.log("app")',
  'assets/index-def456.css': 'body{margin:0}',
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
};

async function publish() {
  const sync = await syncSite({ s3, bucket: 'site', dir: site });
  const paths = invalidationPaths(sync);
  await invalidate({ cloudfront, distributionId: 'E2QWRUHEXAMPLE', paths });
  return { sync, paths };
}

beforeEach(async () => {
  s3Mock.reset();
  cloudFrontMock.reset();
  cloudFrontMock
    .on(CreateInvalidationCommand)
    .resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
  site = await mkdtemp(join(tmpdir(), 'site-'));
});

afterEach(async () => {
  await rm(site, { recursive: true, force: true });
});

describe('syncSite', () => {
  it('uploads every file of a first publish with its content type and cache policy, entry files last', async () => {
    const bucket = fakeS3Bucket(s3Mock);
    await writeSite(BUILD);

    const { sync, paths } = await publish();

    expect(sync.added).toHaveLength(5);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key).slice(-2)).toEqual(['config.json', 'index.html']);
    expect(Object.fromEntries(puts.map((p) => [p.Key, [p.ContentType, p.CacheControl]]))).toEqual({
      'index.html': ['text/html; charset=utf-8', NO_CACHE],
      'config.json': ['application/json; charset=utf-8', NO_CACHE],
      'assets/index-abc123.js': ['text/javascript; charset=utf-8', IMMUTABLE_CACHE_CONTROL],
      'assets/index-def456.css': ['text/css; charset=utf-8', IMMUTABLE_CACHE_CONTROL],
      'favicon.svg': ['image/svg+xml', NO_CACHE],
    });
    expect(bucket.get('index.html')?.body.toString()).toBe(BUILD['index.html']);
    // Nothing was cached before, so nothing is invalidated.
    expect(paths).toEqual([]);
    expect(cloudFrontMock).not.toHaveReceivedCommand(CreateInvalidationCommand);
  });

  it('uploads nothing and invalidates nothing when the site has not changed', async () => {
    fakeS3Bucket(s3Mock);
    await writeSite(BUILD);
    await publish();
    s3Mock.resetHistory();

    const { sync } = await publish();

    expect(sync).toEqual({ added: [], changed: [], deleted: [], unchanged: 5 });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectsCommand);
    expect(cloudFrontMock).not.toHaveReceivedCommand(CreateInvalidationCommand);
  });

  it('uploads one changed file and invalidates only its path', async () => {
    fakeS3Bucket(s3Mock);
    await writeSite(BUILD);
    await publish();
    s3Mock.resetHistory();
    await writeSite({ ...BUILD, 'config.json': '{"apiUrl":"https://api2.example.com","auth":null,"localMode":false}\n' });

    await publish();

    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'config.json', CacheControl: NO_CACHE });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(CreateInvalidationCommand, 1);
    expect(cloudFrontMock).toHaveReceivedCommandWith(CreateInvalidationCommand, {
      DistributionId: 'E2QWRUHEXAMPLE',
      InvalidationBatch: expect.objectContaining({ Paths: { Quantity: 1, Items: ['/config.json'] } }) as never,
    });
  });

  it('deletes files the new build no longer has and invalidates them, with "/" for a changed index.html', async () => {
    const bucket = fakeS3Bucket(s3Mock);
    await writeSite(BUILD);
    await publish();
    const { 'assets/index-abc123.js': _old, ...rest } = BUILD;
    await writeSite({
      ...rest,
      'assets/index-new789.js': 'console.log("v2")',
      'index.html': BUILD['index.html'].replace('abc123', 'new789'),
    });

    const { sync, paths } = await publish();

    expect(sync.added).toEqual(['assets/index-new789.js']);
    expect(sync.changed).toEqual(['index.html']);
    expect(sync.deleted).toEqual(['assets/index-abc123.js']);
    expect([...bucket.keys()].sort()).toEqual([
      'assets/index-def456.css',
      'assets/index-new789.js',
      'config.json',
      'favicon.svg',
      'index.html',
    ]);
    expect(paths).toEqual(['/', '/assets/index-abc123.js', '/index.html']);
  });

  it('recognises an unchanged file by its sha256 metadata when the ETag is not an MD5 (SSE-KMS)', async () => {
    fakeS3Bucket(s3Mock, { etagOf: (body) => `kms-${body.length}` });
    await writeSite(BUILD);
    await publish();
    s3Mock.resetHistory();

    const { sync } = await publish();

    expect(sync.unchanged).toBe(5);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('invalidationPaths', () => {
  it('collapses many paths into one wildcard', () => {
    const changed = Array.from({ length: 20 }, (_, i) => `page-${i}.html`);
    expect(invalidationPaths({ changed, deleted: [] })).toEqual(['/*']);
  });
});
