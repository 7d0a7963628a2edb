/**
 * Admin UI bench: gzip size of the built JS and CSS, the bytes one poll of the destination list
 * costs (1000 destinations, through the API Lambda's own HTTP layer: 200 identity, 200 gzip, 304),
 * and the time to first render of the destinations table in Chromium, served with a fake API
 * from a loopback server.
 *
 *   npm run bench:frontend                 build, then measure
 *   npm run bench:frontend -- --no-build   measure the existing frontend/dist
 *   npm run bench:frontend -- --serve      serve the fake site and keep running (for a manual look)
 *
 * CHROMIUM_PATH overrides the browser (default /usr/bin/chromium); LOADS the number of page loads.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createApiHandler } from '../lambdas/api/http';
import type { ApiResult } from '../lambdas/api/http';
import type { ChannelStatusView, DestinationService, DestinationView } from '../lambdas/core/destination';
import { FAST_POLL_MS, SLOW_POLL_MS } from '../frontend/src/activity';
import { DEFAULT_PRICES, monthCost, monthStart, runningCost, type CostReport } from '../lambdas/core/costs';
import { httpApiEvent } from '../test/support/api-gateway-events';
import { launchChromium } from '../scripts/lib/chromium';
import { median } from './stats';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'frontend', 'dist');
const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:000000000000:channel/local';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

function fakeDestinations(count: number, now: number): DestinationView[] {
  const platforms = ['youtube', 'twitch', 'facebook', 'kick', 'custom'] as const;
  const statuses = ['active', 'starting', 'inactive', 'error', 'stopping'] as const;
  return Array.from({ length: count }, (_, i) => {
    const platform = platforms[i % platforms.length]!;
    const status = statuses[i % statuses.length]!;
    const at = new Date(now - (i + 1) * 47_000).toISOString();
    return {
      id: `dest-${String(i + 1).padStart(3, '0')}`,
      platform,
      name: `${platform} ${i + 1}`,
      enabled: i % 7 !== 6,
      status,
      statusSince: at,
      channelArn: CHANNEL_ARN,
      rtmpUrl: platform === 'custom' ? 'rtmp://203.0.113.10/live' : `rtmps://ingest.${platform}.example/app`,
      streamKeyMasked: '••••' + String(1000 + i).slice(-4),
      profile: platform === 'twitch' ? '720p30-4500' : '1080p30-6000',
      mode: i % 3 === 0 ? 'transcode' : 'passthrough',
      lastError: status === 'error' ? { code: 'INVALID_CONFIGURATION', message: 'MediaLive rejected the output URL.', at } : null,
      health:
        status === 'active'
          ? { state: 'ok' as const, bitrateKbps: 2400 + (i % 9) * 100, since: at, message: 'Sending to the platform.' }
          : status === 'error'
            ? { state: 'failing' as const, bitrateKbps: null, since: at, message: 'MediaLive rejected the output URL.' }
            : { state: 'unknown' as const, bitrateKbps: null, since: at, message: 'Not sending: nothing runs for this destination.' },
      mediaLiveChannelId: status === 'inactive' || i % 3 !== 0 ? null : String(1_000_000 + i),
      pausedStreamId: null,
      warnings: [],
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
  });
}

/** GET /costs as the API computes it, for the fake list (the month: nothing recorded). */
function benchCosts(destinations: DestinationView[]): CostReport {
  const now = new Date();
  return {
    currency: 'USD',
    prices: DEFAULT_PRICES,
    overridden: [],
    running: runningCost(destinations, DEFAULT_PRICES),
    month: monthCost([], DEFAULT_PRICES, monthStart(now), now),
  };
}

/** The policy modules/admin-site sends, so the bench fails loudly if the UI ever needs more. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': CONTENT_SECURITY_POLICY });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** The built site plus a fake API with `count` destinations, on 127.0.0.1 and a free port. */
export async function startFakeSite(count: number): Promise<{ url: string; server: Server }> {
  const destinations = fakeDestinations(count, Date.now());
  const channel: ChannelStatusView = {
    channelArn: CHANNEL_ARN,
    channelId: 'local',
    state: 'LIVE',
    streamId: 'st-bench',
    since: new Date(Date.now() - 754_000).toISOString(),
    stopsAt: null,
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      if (path === '/config.json') return send(res, 200, { apiUrl: '', auth: null, localMode: true });
      if (path === '/stream-destinations' && req.method === 'GET') return send(res, 200, { destinations });
      if (path === '/stream-destinations' && req.method === 'POST') {
        const body = (await readBody(req)) as Record<string, unknown>;
        const rtmpUrl = typeof body['rtmpUrl'] === 'string' ? body['rtmpUrl'] : '';
        if (rtmpUrl && !/^rtmps?:\/\/[^/]+/.test(rtmpUrl)) {
          return send(res, 400, {
            error: {
              code: 'VALIDATION_FAILED',
              message: 'Invalid request: rtmpUrl must start with rtmp:// or rtmps://.',
              details: { fields: [{ field: 'rtmpUrl', message: 'rtmpUrl must start with rtmp:// or rtmps:// and name a host.' }] },
            },
          });
        }
        return send(res, 400, { error: { code: 'READ_ONLY', message: 'The bench API is read-only.' } });
      }
      if (path === '/stream-status') return send(res, 200, { channels: [channel] });
      if (path === '/costs') return send(res, 200, benchCosts(destinations));
      if (path.startsWith('/_local/ivs/')) {
        channel.state = path.endsWith('/live') ? 'LIVE' : 'OFFLINE';
        channel.since = new Date().toISOString();
        return send(res, 202, {});
      }
      if (path === '/_local/medialive/channels') {
        const channels = destinations
          .filter((d) => d.mediaLiveChannelId)
          .map((d) => ({
            id: d.mediaLiveChannelId,
            name: `restream-${d.id}`,
            state: d.status === 'active' ? 'RUNNING' : 'IDLE',
            stateSince: d.statusSince,
          }));
        return send(res, 200, { channels });
      }
      if (path.startsWith('/stream-destinations') || path.startsWith('/_local/')) {
        return send(res, 404, { error: { code: 'ROUTE_NOT_FOUND', message: 'Not in the bench API.' } });
      }
      // Static files, with the SPA fallback to index.html.
      const file = normalize(join(DIST, decodeURIComponent(path)));
      const inside = file.startsWith(DIST + sep);
      try {
        const content = await readFile(inside && extname(file) ? file : join(DIST, 'index.html'));
        return send(res, 200, content, TYPES[extname(file)] ?? (extname(file) ? 'application/octet-stream' : TYPES['.html']));
      } catch {
        return send(res, 404, 'not found', 'text/plain');
      }
    })().catch((error: unknown) => send(res, 500, { error: { code: 'BENCH', message: String(error) } }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** Why a chunk is not in the first load. */
function lazyReason(file: string): string {
  if (file.startsWith('hls')) return 'only when a preview plays';
  if (file.startsWith('auth')) return 'only with login';
  return 'not in the first load';
}

async function gzipSizes(): Promise<Array<{ file: string; raw: number; gzip: number; initial: boolean }>> {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const assets = (await readdir(join(DIST, 'assets'))).filter((f) => f.endsWith('.js') || f.endsWith('.css')).sort();
  return Promise.all(
    assets.map(async (file) => {
      const content = await readFile(join(DIST, 'assets', file));
      return { file, raw: content.length, gzip: gzipSync(content, { level: 9 }).length, initial: html.includes(`assets/${file}`) };
    }),
  );
}

interface Timing {
  domContentLoaded: number;
  apiDone: number;
  rendered: number;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Bytes of an answer on the wire: status line, the Lambda's headers plus Content-Length, body. */
function wireBytes(result: ApiResult): number {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64').length : Buffer.byteLength(result.body);
  const headers = { ...result.headers, 'Content-Length': String(body) };
  const head = `HTTP/1.1 ${result.statusCode} X\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return Buffer.byteLength(head) + body;
}

/**
 * One poll of GET /stream-destinations with `count` destinations, through the real HTTP layer of
 * the API Lambda (lambdas/api/http.ts; the list comes from memory). Headers API Gateway adds
 * (Date, apigw-requestid) are the same for every answer and not counted.
 */
async function pollBytes(count: number): Promise<void> {
  const destinations = fakeDestinations(count, Date.now());
  const service = { list: async () => ({ destinations }) } as Partial<DestinationService> as DestinationService;
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const handler = createApiHandler({ service, corsAllowOrigins: [], log: silent });
  const poll = (headers: Record<string, string>) => handler(httpApiEvent({ method: 'GET', path: '/stream-destinations', headers }));
  const timed = async (headers: Record<string, string>): Promise<{ result: ApiResult; ms: number }> => {
    const times: number[] = [];
    let result: ApiResult | undefined;
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      result = await poll(headers);
      times.push(performance.now() - started);
    }
    return { result: result!, ms: median(times) };
  };
  const identity = await timed({});
  const gzip = await timed({ 'accept-encoding': 'gzip, deflate, br' });
  const etag = gzip.result.headers['ETag']!;
  const unchanged = await timed({ 'accept-encoding': 'gzip, deflate, br', 'if-none-match': etag });
  if (unchanged.result.statusCode !== 304) throw new Error(`expected 304 for an unchanged list, got ${unchanged.result.statusCode}`);

  const rows: Array<[string, ApiResult, number]> = [
    ['200, no gzip (before)', identity.result, identity.ms],
    ['200, gzip', gzip.result, gzip.ms],
    ['304, If-None-Match', unchanged.result, unchanged.ms],
  ];
  console.log(`Bytes per poll of GET /stream-destinations, ${count} destinations (Lambda answer on the wire):`);
  for (const [label, result, ms] of rows) {
    console.log(
      `  ${label.padEnd(24)} ${String(wireBytes(result)).padStart(9)} B  ${kb(wireBytes(result)).padStart(10)}   handler median ${ms.toFixed(1)} ms`,
    );
  }
  const perHour = (bytes: number, everyMs: number): string => {
    const total = (3_600_000 / everyMs) * bytes;
    return total >= 1024 * 1024 ? `${(total / 1024 / 1024).toFixed(1)} MiB/h` : `${(total / 1024).toFixed(1)} KiB/h`;
  };
  const before = wireBytes(identity.result);
  const after = wireBytes(unchanged.result);
  console.log(
    `  a quiet hour: before (200 every 3 s) ${perHour(before, 3000)}; now (304 every ${SLOW_POLL_MS / 1000} s) ${perHour(after, SLOW_POLL_MS)}` +
      `; a changing hour (gzip 200 every ${FAST_POLL_MS / 1000} s) ${perHour(wireBytes(gzip.result), FAST_POLL_MS)}`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!args.includes('--no-build')) {
    const { build } = await import('vite');
    await build({ root: join(ROOT, 'frontend'), logLevel: 'warn' });
  }

  if (args.includes('--serve')) {
    const { url } = await startFakeSite(12);
    console.log(`Fake admin site: ${url} (Ctrl-C to stop)`);
    return;
  }

  const sizes = await gzipSizes();
  console.log('Built assets (gzip -9):');
  for (const s of sizes) {
    console.log(
      `  ${s.file.padEnd(28)} ${kb(s.raw).padStart(10)} raw ${kb(s.gzip).padStart(10)} gzip${s.initial ? '' : `  (lazy: ${lazyReason(s.file)})`}`,
    );
  }
  const initial = sizes.filter((s) => s.initial);
  const sum = (ext: string): number => initial.filter((s) => s.file.endsWith(ext)).reduce((n, s) => n + s.gzip, 0);
  console.log(`  initial load: JS ${kb(sum('.js'))} + CSS ${kb(sum('.css'))} gzip`);

  await pollBytes(Number(process.env['POLL_DESTINATIONS'] ?? 1000));

  const loads = Number(process.env['LOADS'] ?? 9);
  const rows = 20;
  const { url, server } = await startFakeSite(rows);
  const browser = await launchChromium();
  try {
    const problems = new Set<string>();
    const cold: Timing[] = [];
    const warm: Timing[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.add(message.text());
      });
      page.on('pageerror', (error) => problems.add(String(error)));
      for (const target of [cold, warm]) {
        await page.goto(url);
        await page.locator('[data-testid="destination-row"]').first().waitFor();
        target.push(
          await page.evaluate((): Timing => {
            const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
            const api = performance
              .getEntriesByType('resource')
              .filter((r) => /\/(stream-destinations|stream-status)$/.test(r.name))
              .map((r) => (r as PerformanceResourceTiming).responseEnd);
            return {
              domContentLoaded: navigation?.domContentLoadedEventEnd ?? Number.NaN,
              apiDone: api.length ? Math.max(...api) : Number.NaN,
              rendered: performance.getEntriesByName('destinations-rendered')[0]?.startTime ?? Number.NaN,
            };
          }),
        );
      }
      await context.close();
    }
    const fmt = (values: number[]): string =>
      `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
    console.log(`Time to first render of the destinations table (${rows} rows, ${loads} loads, ms from navigation start):`);
    for (const [label, timings] of [
      ['cold cache', cold],
      ['warm cache', warm],
    ] as const) {
      console.log(`  ${label}: rendered ${fmt(timings.map((t) => t.rendered))}`);
      console.log(
        `    DOMContentLoaded median ${median(timings.map((t) => t.domContentLoaded)).toFixed(0)} ms, API answers in median ${median(timings.map((t) => t.apiDone)).toFixed(0)} ms`,
      );
    }
    if (problems.size > 0) {
      console.log(`Page errors (e.g. Content-Security-Policy violations):\n  ${[...problems].join('\n  ')}`);
      process.exitCode = 1;
    }
    console.log(`  machine load average (1 min): ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
