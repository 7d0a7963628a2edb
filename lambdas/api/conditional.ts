/**
 * Cheap polling: a body-derived ETag with `If-None-Match` → 304, and gzip for clients that ask.
 *
 * - The ETag of a polled answer (the destination list, the stream status, the costs) is a hash
 *   of its JSON, sent as a *weak* tag (`W/"…"`, RFC 9110 §8.8.1): the same tag stands for the
 *   identity and the gzip form of the same JSON, which a strong tag must not (§8.8.3), and
 *   `If-None-Match` compares weakly anyway (§13.1.2). A match answers 304 with no body.
 * - gzip: API Gateway HTTP APIs do not compress responses; the function must ("Currently HTTP API
 *   doesn't support a response compression. You should compress the response on your Lambda.",
 *   https://repost.aws/questions/QUmDYjRutzQA-KXE1mA3Zv6g/http-api-and-response-compression).
 *   With payload format 2.0 a Lambda returns binary as base64 with `isBase64Encoded: true`
 *   ("Lambda function response for format 2.0",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response).
 *   A REST API (payload 1.0) decodes base64 only for its configured binary media types, so 1.0
 *   answers stay uncompressed.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Bodies smaller than this are sent as they are: gzip's header would eat the saving. */
export const MIN_GZIP_BYTES = 1024;

/** `W/"<22 base64url characters of SHA-256>"` of the JSON text. */
export function bodyEtag(json: string): string {
  return `W/"${createHash('sha256').update(json, 'utf8').digest('base64url').slice(0, 22)}"`;
}

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/**
 * Whether `If-None-Match` names this ETag, by the weak comparison (RFC 9110 §13.1.2): `*`, or
 * any listed tag with the same opaque part, `W/` or not.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.trim() === '') return false;
  if (header.trim() === '*') return true;
  const wanted = opaque(etag);
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === wanted);
}

/**
 * Whether `Accept-Encoding` accepts gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip` or `*` with a
 * q-value above 0. An explicit `gzip;q=0` refuses it even when `*` is accepted.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const qParam = params.find((p) => /^q\s*=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/i, ''));
    const weight = Number.isFinite(q) ? q : 0;
    const coding = name.toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') gzip = weight;
    else if (coding === '*') any = weight;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** The gzip bytes of a JSON text when it is worth it, else undefined. */
export function gzipIfWorthIt(json: string): Buffer | undefined {
  if (Buffer.byteLength(json, 'utf8') < MIN_GZIP_BYTES) return undefined;
  return gzipSync(json);
}
