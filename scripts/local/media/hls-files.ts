/**
 * Serves a channel's HLS playlist and segments from the ingest's directory, as IVS's playback URL
 * does: `GET /_local/hls/<channel id>/index.m3u8` and its `.ts` segments. Only names the ingest
 * writes are served (no path traversal); the playlist is never cached, a segment may be.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

const NAME = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts)$/;

const TYPES = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' } as const;

/** Answers a GET/HEAD for `name` in `dir`; 404 when the channel is offline (no playlist). */
export async function serveHlsFile(req: IncomingMessage, res: ServerResponse, dir: string, name: string): Promise<void> {
  const match = NAME.exec(name);
  const size = match
    ? await stat(join(dir, name)).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      )
    : undefined;
  if (!match || size === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
    res.end(match ? 'Not live: the channel has no stream now.\n' : 'No such HLS file.\n');
    return;
  }
  const ext = match[1] === 'm3u8' ? 'm3u8' : 'ts';
  res.writeHead(200, {
    'content-type': TYPES[ext],
    'content-length': String(size),
    'cache-control': ext === 'm3u8' ? 'no-cache' : 'max-age=30',
    // Players on other origins (vite dev, hls.js demos) may read it, as they may read IVS's.
    'access-control-allow-origin': '*',
  });
  if ((req.method ?? 'GET').toUpperCase() === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(join(dir, name));
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
