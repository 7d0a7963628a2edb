/**
 * A chat webhook on loopback (node:http), as Slack or Discord would receive alerts: it records
 * every POST body and answers with `status` (204 by default, as Discord does).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  path: string;
  contentType: string | undefined;
  body: { text?: string; content?: string } & Record<string, unknown>;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/<secret-ish path>` */
  url: string;
  received: ReceivedAlert[];
  /** The status the next answers carry. */
  status: number;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: Omit<WebhookReceiver, 'url' | 'stop'> = { received: [], status: 204, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedAlert['body'];
      try {
        body = JSON.parse(raw) as ReceivedAlert['body'];
      } catch {
        body = { unparsable: raw };
      }
      receiver.received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      setTimeout(() => {
        res.statusCode = receiver.status;
        res.end();
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/XXXXsecretXXXX`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
