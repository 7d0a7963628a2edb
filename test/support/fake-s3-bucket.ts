/**
 * An in-memory S3 bucket behind `aws-sdk-client-mock`: PutObject stores (ETag = MD5 of the body,
 * as S3 does for single-part uploads without SSE-KMS), ListObjectsV2 / HeadObject / DeleteObjects
 * read and change the same objects, so repeated publishes see what the previous one left.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

export interface StoredObject {
  body: Buffer;
  etag: string;
  contentType?: string;
  cacheControl?: string;
  metadata: Record<string, string>;
}

type S3Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

export function fakeS3Bucket(s3: S3Mock, options: { etagOf?: (body: Buffer) => string } = {}): Map<string, StoredObject> {
  const objects = new Map<string, StoredObject>();
  const etagOf = options.etagOf ?? ((body: Buffer) => createHash('md5').update(body).digest('hex'));
  s3.on(ListObjectsV2Command).callsFake(() => ({
    Contents: [...objects.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Key, o]) => ({ Key, ETag: `"${o.etag}"`, Size: o.body.length })),
    IsTruncated: false,
  }));
  s3.on(PutObjectCommand).callsFake(
    (input: { Key: string; Body: Buffer; ContentType?: string; CacheControl?: string; Metadata?: Record<string, string> }) => {
      const body = Buffer.from(input.Body);
      const etag = etagOf(body);
      objects.set(input.Key, {
        body,
        etag,
        contentType: input.ContentType,
        cacheControl: input.CacheControl,
        metadata: input.Metadata ?? {},
      });
      return { ETag: `"${etag}"` };
    },
  );
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const o = objects.get(input.Key);
    if (!o) throw Object.assign(new Error('Not Found'), { name: 'NotFound' });
    return { ETag: `"${o.etag}"`, ContentType: o.contentType, CacheControl: o.cacheControl, Metadata: o.metadata };
  });
  s3.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: { Key: string }[] } }) => {
    for (const { Key } of input.Delete.Objects) objects.delete(Key);
    return { Deleted: input.Delete.Objects };
  });
  return objects;
}
