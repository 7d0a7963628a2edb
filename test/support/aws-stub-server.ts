/**
 * A tiny HTTP server on 127.0.0.1 that answers the IVS and MediaLive calls a reconcile of an
 * empty deployment makes: no live streams, no channels, no inputs. Point the SDK at it with
 * `AWS_ENDPOINT_URL_IVS` / `AWS_ENDPOINT_URL_MEDIALIVE`. It records every request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
}

export interface AwsStubServer {
  endpoint: string;
  requests: StubRequest[];
  stop(): Promise<void>;
}

const ANSWERS: Record<string, unknown> = {
  'POST /ListStreams': { streams: [] },
  'GET /prod/channels': { channels: [] },
  'GET /prod/inputs': { inputs: [] },
};

export async function startAwsStubServer(): Promise<AwsStubServer> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: req.method ?? 'GET', path });
      const answer = ANSWERS[`${req.method} ${path}`];
      res.writeHead(answer ? 200 : 404, {
        'content-type': 'application/json',
        'x-amzn-errortype': answer ? '' : 'ResourceNotFoundException',
      });
      res.end(JSON.stringify(answer ?? { message: `stub has no answer for ${req.method} ${path}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
