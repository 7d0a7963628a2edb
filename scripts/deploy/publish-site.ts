/**
 * Publishes the built admin UI to its S3 bucket and invalidates what changed in CloudFront.
 *
 * - Only changed files are uploaded: a file is unchanged when the object's ETag equals the file's
 *   MD5 (true for single-part `PutObject` without SSE-KMS) or, failing that, when the object's
 *   `sha256` metadata (written with every upload) equals the file's SHA-256.
 * - `Content-Type` from the file name; hashed files under `assets/` are cached for a year
 *   (`immutable`), everything else (index.html, config.json, …) is `no-cache`, i.e. revalidated.
 * - New and changed assets go up first and index.html, api-reference.html and config.json last, so a visitor never gets
 *   an index that names an asset not yet uploaded. Objects no longer in the build are deleted.
 * - CloudFront invalidation covers the paths that were overwritten or deleted — not new ones,
 *   which no cache holds — and nothing at all when nothing changed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DeleteObjectsCommand, HeadObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contentType } from 'mime-types';

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';
/** Files the browser loads first; uploaded last. */
const ENTRY_FILES = new Set(['index.html', 'api-reference.html', 'config.json']);
/** Above this many paths one `/*` invalidation is cheaper and as fast. */
export const MAX_INVALIDATION_PATHS = 15;

export interface LocalFile {
  key: string;
  path: string;
  md5: string;
  sha256: string;
  body: Buffer;
}

export function cacheControlFor(key: string): string {
  return key.startsWith('assets/') ? IMMUTABLE_CACHE_CONTROL : NO_CACHE;
}

export function contentTypeFor(key: string): string {
  return contentType(posix.basename(key)) || 'application/octet-stream';
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve(e.isFile() ? [join(dir, e.name)] : []))),
  );
  return files.flat();
}

export async function readSite(dir: string): Promise<LocalFile[]> {
  const paths = await walk(dir);
  const files = await Promise.all(
    paths.map(async (path) => {
      const body = await readFile(path);
      return {
        key: relative(dir, path).split(sep).join('/'),
        path,
        body,
        md5: createHash('md5').update(body).digest('hex'),
        sha256: createHash('sha256').update(body).digest('hex'),
      };
    }),
  );
  return files.sort((a, b) => a.key.localeCompare(b.key));
}

export interface SyncResult {
  /** Keys uploaded because they were new. */
  added: string[];
  /** Keys uploaded because their content changed. */
  changed: string[];
  /** Keys deleted because the build no longer has them. */
  deleted: string[];
  unchanged: number;
}

/** Makes the bucket hold exactly the files of `dir`, uploading and deleting as little as possible. */
export async function syncSite(input: {
  s3: S3Client;
  bucket: string;
  dir: string;
  onProgress?: (message: string) => void;
}): Promise<SyncResult> {
  const { s3, bucket } = input;
  const files = await readSite(input.dir);
  const remote = new Map<string, string>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) if (object.Key) remote.set(object.Key, (object.ETag ?? '').replace(/"/g, ''));
  }

  const result: SyncResult = { added: [], changed: [], deleted: [], unchanged: 0 };
  const uploads: LocalFile[] = [];
  for (const file of files) {
    const etag = remote.get(file.key);
    if (etag === undefined) {
      uploads.push(file);
      result.added.push(file.key);
    } else if (etag === file.md5 || (await storedSha256(s3, bucket, file.key)) === file.sha256) {
      result.unchanged += 1;
    } else {
      uploads.push(file);
      result.changed.push(file.key);
    }
  }

  const put = (file: LocalFile) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: file.key,
        Body: file.body,
        ContentType: contentTypeFor(file.key),
        CacheControl: cacheControlFor(file.key),
        ContentMD5: Buffer.from(file.md5, 'hex').toString('base64'),
        Metadata: { sha256: file.sha256 },
      }),
    );
  const assets = uploads.filter((f) => !ENTRY_FILES.has(f.key));
  const entries = uploads.filter((f) => ENTRY_FILES.has(f.key));
  for (let i = 0; i < assets.length; i += 8) {
    input.onProgress?.(`uploading ${Math.min(i + 8, assets.length)}/${uploads.length}`);
    await Promise.all(assets.slice(i, i + 8).map(put));
  }
  for (const file of entries) await put(file);

  const local = new Set(files.map((f) => f.key));
  const stale = [...remote.keys()].filter((key) => !local.has(key)).sort();
  for (let i = 0; i < stale.length; i += 1000) {
    const batch = stale.slice(i, i + 1000);
    const response = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = response.Errors ?? [];
    if (failed.length > 0) throw new Error(`S3 refused to delete ${failed.map((e) => `${e.Key} (${e.Code})`).join(', ')}`);
  }
  result.deleted = stale;
  return result;
}

async function storedSha256(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.Metadata?.sha256;
}

/** The CloudFront paths to invalidate after a sync: overwritten and deleted files only. */
export function invalidationPaths(sync: Pick<SyncResult, 'changed' | 'deleted'>): string[] {
  const keys = [...sync.changed, ...sync.deleted].sort();
  const paths = keys.map((key) => `/${key.split('/').map(encodeURIComponent).join('/')}`);
  // The default root object is cached under "/" as well.
  if (keys.includes('index.html')) paths.unshift('/');
  return paths.length > MAX_INVALIDATION_PATHS ? ['/*'] : paths;
}

/** Creates one invalidation for `paths`; does nothing (and returns undefined) for none. */
export async function invalidate(input: {
  cloudfront: CloudFrontClient;
  distributionId: string;
  paths: string[];
  now?: () => Date;
}): Promise<string | undefined> {
  if (input.paths.length === 0) return undefined;
  const callerReference = `deploy-${(input.now ?? (() => new Date()))().toISOString()}-${createHash('sha256').update(input.paths.join('\n')).digest('hex').slice(0, 12)}`;
  const response = await input.cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: input.distributionId,
      InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: input.paths.length, Items: input.paths } },
    }),
  );
  return response.Invalidation?.Id;
}
