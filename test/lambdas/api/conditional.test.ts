import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { acceptsGzip, bodyEtag, ifNoneMatchHits, MIN_GZIP_BYTES } from '../../../lambdas/api/conditional';
import { createApiHandler } from '../../../lambdas/api/http';
import type { ApiResult } from '../../../lambdas/api/http';
import type { DestinationService, DestinationView } from '../../../lambdas/core/destination';
import { httpApiEvent, restApiEvent } from '../../support/api-gateway-events';
import { makeDestinationView } from '../../support/fixtures';

const ORIGIN = 'https://admin.example.com';

const view = (i: number, overrides: Partial<DestinationView> = {}): DestinationView =>
  makeDestinationView({ id: `dest-${i}`, name: `Destination ${i}`, ...overrides });

let destinations: DestinationView[];
let handler: ReturnType<typeof createApiHandler>;

beforeEach(() => {
  destinations = Array.from({ length: 10 }, (_, i) => view(i));
  const service = {
    list: jest.fn<DestinationService['list']>(async () => ({ destinations })),
    streamStatus: jest.fn<DestinationService['streamStatus']>(async () => ({ channels: [] })),
  } as Partial<DestinationService> as DestinationService;
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  handler = createApiHandler({ service, corsAllowOrigins: [ORIGIN], log: silent });
});

const list = (headers: Record<string, string> = {}) => handler(httpApiEvent({ method: 'GET', path: '/stream-destinations', headers }));
const decoded = (result: ApiResult): string =>
  result.isBase64Encoded ? gunzipSync(Buffer.from(result.body, 'base64')).toString('utf8') : result.body;

describe('GET /stream-destinations as a polled resource', () => {
  it('answers 304 with no body when If-None-Match names the ETag of an unchanged list', async () => {
    const first = await list();
    expect(first.statusCode).toBe(200);
    const etag = first.headers['ETag'];
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);

    const second = await list({ 'if-none-match': etag! });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    expect(second.headers['ETag']).toBe(etag);
    expect(second.headers['Content-Type']).toBeUndefined();
  });

  it('answers 200 with a new ETag once the list changed', async () => {
    const etag = (await list()).headers['ETag']!;
    destinations[3] = view(3, { status: 'starting', version: 2 });

    const changed = await list({ 'if-none-match': etag });

    expect(changed.statusCode).toBe(200);
    expect(changed.headers['ETag']).not.toBe(etag);
    expect(JSON.parse(decoded(changed)).destinations[3].status).toBe('starting');
  });

  it('also matches the strong form of the tag and a tag among several', async () => {
    const etag = (await list()).headers['ETag']!;
    const strong = etag.replace(/^W\//, '');
    expect((await list({ 'if-none-match': strong })).statusCode).toBe(304);
    expect((await list({ 'if-none-match': `"other", ${etag}` })).statusCode).toBe(304);
    expect((await list({ 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it('gzips the list for a client that accepts gzip, as base64 with isBase64Encoded', async () => {
    const plain = await list();
    const gzipped = await list({ 'accept-encoding': 'gzip, deflate, br' });

    expect(gzipped.statusCode).toBe(200);
    expect(gzipped.isBase64Encoded).toBe(true);
    expect(gzipped.headers['Content-Encoding']).toBe('gzip');
    expect(gzipped.headers['Vary']).toBe('Origin, Accept-Encoding');
    expect(decoded(gzipped)).toBe(plain.body);
    expect(Buffer.from(gzipped.body, 'base64').length).toBeLessThan(plain.body.length / 3);
    // The same weak ETag for both forms: a 304 needs no knowledge of the encoding.
    expect(gzipped.headers['ETag']).toBe(plain.headers['ETag']);
  });

  it('sends small bodies, refused gzip and REST API (1.0) answers uncompressed', async () => {
    destinations = [view(1)];
    const small = await list({ 'accept-encoding': 'gzip' });
    expect(Buffer.byteLength(small.body)).toBeLessThan(MIN_GZIP_BYTES);
    expect(small.isBase64Encoded).toBe(false);
    expect(small.headers['Content-Encoding']).toBeUndefined();

    destinations = Array.from({ length: 10 }, (_, i) => view(i));
    const refused = await list({ 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.isBase64Encoded).toBe(false);
    expect(JSON.parse(refused.body).destinations).toHaveLength(10);

    const rest = await handler(restApiEvent({ method: 'GET', path: '/stream-destinations', headers: { 'Accept-Encoding': 'gzip' } }));
    expect(rest.isBase64Encoded).toBe(false);
    expect(rest.headers['Content-Encoding']).toBeUndefined();
    expect(JSON.parse(rest.body).destinations).toHaveLength(10);
  });

  it('lets a browser on the admin origin read the ETag and send If-None-Match', async () => {
    const answer = await list({ origin: ORIGIN });
    expect(answer.headers['Access-Control-Expose-Headers']).toContain('ETag');

    const preflight = await handler(
      httpApiEvent({
        method: 'OPTIONS',
        path: '/stream-destinations',
        headers: { origin: ORIGIN, 'access-control-request-headers': 'if-none-match' },
      }),
    );
    expect(preflight.headers['Access-Control-Allow-Headers']?.split(',')).toContain('If-None-Match');
  });

  it('gives GET /stream-status the same ETag and 304', async () => {
    const first = await handler(httpApiEvent({ method: 'GET', path: '/stream-status' }));
    const again = await handler(
      httpApiEvent({ method: 'GET', path: '/stream-status', headers: { 'if-none-match': first.headers['ETag']! } }),
    );
    expect(again.statusCode).toBe(304);
  });
});

const tag = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);

describe('ifNoneMatchHits', () => {
  it('hits exactly when some listed tag has the same opaque part, weak or strong', () => {
    fc.assert(
      fc.property(tag, fc.array(fc.tuple(tag, fc.boolean())), fc.boolean(), (own, others, ownWeak) => {
        const etag = `W/"${own}"`;
        const header = others.map(([t, weak]) => `${weak ? 'W/' : ''}"${t}"`).join(', ');
        const expected = others.some(([t]) => t === own);
        expect(ifNoneMatchHits(header, etag)).toBe(expected);
        expect(ifNoneMatchHits([header, `${ownWeak ? 'W/' : ''}"${own}"`].filter(Boolean).join(', '), etag)).toBe(true);
      }),
    );
  });

  it('treats * as any tag and a missing header as none', () => {
    expect(ifNoneMatchHits('*', bodyEtag('{}'))).toBe(true);
    expect(ifNoneMatchHits(undefined, bodyEtag('{}'))).toBe(false);
    expect(ifNoneMatchHits('', bodyEtag('{}'))).toBe(false);
  });
});

describe('bodyEtag', () => {
  it('differs for different bodies and is stable for the same one', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(bodyEtag(a)).toBe(bodyEtag(a));
        if (a !== b) expect(bodyEtag(a)).not.toBe(bodyEtag(b));
      }),
    );
  });
});

describe('acceptsGzip', () => {
  const coding = fc.constantFrom('gzip', 'x-gzip', 'br', 'deflate', 'identity', '*', 'zstd');
  const q = fc.constantFrom(undefined, '0', '0.0', '0.5', '1', '1.0');
  const entry = fc.tuple(coding, q);

  it('accepts gzip when gzip (or else *) has a q-value above 0', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.boolean(), (entries, upper) => {
        const header = entries.map(([c, v]) => `${upper ? c.toUpperCase() : c}${v === undefined ? '' : `;q=${v}`}`).join(', ');
        const weight = (v: string | undefined): number => (v === undefined ? 1 : Number(v));
        const last = (names: string[]) => entries.filter(([c]) => names.includes(c)).at(-1);
        const gzip = last(['gzip', 'x-gzip']);
        const any = last(['*']);
        const expected = gzip ? weight(gzip[1]) > 0 : any ? weight(any[1]) > 0 : false;
        expect(acceptsGzip(header)).toBe(expected);
      }),
    );
  });

  it('refuses without the header', () => {
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
