/**
 * A stream key is a credential: it never appears in a response, a log line or an error message.
 * Runs a full create / go-live / key change / stop / stream end / delete cycle with the real
 * Powertools logger, captures everything written to stdout and stderr and every response body,
 * and searches all of it for the keys.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { createLogger, logPort } from '../../lambdas/adapters/lambda/observability';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

const KEYS = ['sk-live-9f8e7d6c5b4a3210-first', 'sk-live-0123456789abcdef-second', 'bad key with spaces 5f5f5f5f'];

let system: System;
const written: string[] = [];

beforeAll(async () => {
  const capture = (chunk: unknown): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
  }
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  system = await startSystem({ log: logPort(createLogger('secrets-test')) });
});

afterAll(async () => {
  await system.stop();
  jest.restoreAllMocks();
  delete process.env.POWERTOOLS_LOG_LEVEL;
});

it('no stream key appears in any response or log line of a full cycle', async () => {
  const bodies: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await system.api(method, path, body);
    bodies.push(res.body, JSON.stringify(res.headers));
    return res;
  };
  const tick = async (n: number) => {
    for (let i = 0; i < n; i++) {
      system.clock.advance(10_000);
      bodies.push(JSON.stringify(await system.monitor()));
    }
  };

  const created = await call('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: KEYS[0] });
  expect(created.statusCode).toBe(201);
  const id = created.json.id as string;
  expect(created.json.streamKeyMasked).toBe('••••irst');
  // A rejected key is not echoed either.
  expect((await call('PUT', `/stream-destinations/${id}`, { streamKey: KEYS[2] })).statusCode).toBe(400);

  system.sim.goLive(CHANNEL_A);
  bodies.push(JSON.stringify(await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'))));
  await tick(8);
  await call('PUT', `/stream-destinations/${id}`, { streamKey: KEYS[1] });
  await tick(10);
  await call('GET', '/stream-destinations');
  await call('GET', `/stream-destinations/${id}`);
  await call('POST', `/stream-destinations/${id}/stop`);
  await call('POST', `/stream-destinations/${id}/start`);
  await tick(8);
  system.sim.goOffline(CHANNEL_A);
  await tick(20);
  await call('GET', '/stream-status');
  await call('DELETE', `/stream-destinations/${id}`);
  await tick(5);

  // The cycle really ran: the simulator got the keys, logs were written.
  expect(system.sim.stats().channelsCreated).toBe(2);
  expect(written.join('').length).toBeGreaterThan(1000);
  expect(written.some((line) => line.includes('"Stream state changed"') || line.includes('Stream state changed'))).toBe(true);

  const everything = [...written, ...bodies, JSON.stringify(system.sim)].join('\n');
  for (const key of KEYS) {
    expect(everything.includes(key)).toBe(false);
    expect(everything.includes(Buffer.from(key).toString('base64'))).toBe(false);
  }
});
