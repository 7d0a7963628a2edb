/**
 * Serves the built admin UI (frontend/dist) for the local stack, as CloudFront serves it in AWS:
 * content types from the file extension, hashed assets cached for good, index.html revalidated,
 * and index.html for paths that name no file (SPA fallback). Never serves outside the directory.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { contentType } from 'mime-types';

/** Sent with every page, as modules/admin-site sends it (plus the local API, same origin). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; " +
  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
} as const;

/** Shown at `/` when the UI has not been built, so the API and controls still work. */
const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>IVS Restreaming (local)</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The admin UI is not built</h1>
<p>Run <code>npm run build</code> (it writes <code>frontend/dist/</code>), then reload this page.</p>
<p>The API is up meanwhile: <a href="stream-destinations">/stream-destinations</a>, <a href="stream-status">/stream-status</a>.</p>
</body></html>`;

export interface StaticSite {
  /** Answers a GET or HEAD request from the directory. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function fileAt(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** A path the browser navigates to (no file extension, or it asks for HTML) rather than an asset. */
function isNavigation(req: IncomingMessage, pathname: string): boolean {
  return extname(pathname) === '' || (req.headers.accept ?? '').includes('text/html');
}

export function createStaticSite(directory: string): StaticSite {
  const root = resolve(directory);
  return {
    async serve(req, res, pathname) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        send(req, res, 400, { 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('Bad request path\n'));
        return;
      }
      const target = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
      const inside = relative(root, target);
      const safe = inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !decoded.includes('\0');

      const file = safe ? await fileAt(target) : undefined;
      if (file) {
        const type = contentType(extname(target)) || 'application/octet-stream';
        const hashed = inside.startsWith(`assets${sep}`);
        send(req, res, 200, { 'content-type': type, 'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' }, file);
        return;
      }
      if (!isNavigation(req, decoded)) {
        send(req, res, 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, Buffer.from('Not found\n'));
        return;
      }
      const index = await fileAt(join(root, 'index.html'));
      send(
        req,
        res,
        200,
        { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
        index ?? Buffer.from(NOT_BUILT_PAGE),
      );
    },
  };
}
