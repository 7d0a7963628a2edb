/**
 * An exhausted MediaLive channel quota (issue 9, item 5) over dynalite and the simulator: the
 * destination that does not fit shows status `error` with code QUOTA_EXCEEDED and a message that
 * names the fix — the Service Quotas page — in the API's answer; once a channel is freed, the
 * schedule's next run starts it without any user action.
 */
import { afterEach, expect, it } from '@jest/globals';
import { SERVICE_QUOTAS_URLS } from '../../lambdas/adapters/medialive/errors';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

let system: System;
afterEach(async () => system.stop());

async function destination(id: string): Promise<any> {
  return (await system.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).json;
}

it('shows the quota error with the Service Quotas page in the API, and starts the destination once a channel is free', async () => {
  system = await startSystem({ simulator: { maxChannels: 1 } });
  const create = async (name: string): Promise<string> =>
    (await system.api('POST', '/stream-destinations', { platform: 'youtube', name, streamKey: `key-${name}-aaaa-bbbb`, mode: 'transcode' }))
      .json.id as string;
  const first = await create('first');
  const second = await create('second');

  system.sim.goLive(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
  for (let i = 0; i < 6; i += 1) await system.tick(15_000);

  const views = [await destination(first), await destination(second)];
  const blocked = views.find((v) => v.status === 'error');
  const running = views.find((v) => v.status !== 'error');
  expect(running?.status).toBe('active');
  expect(blocked?.lastError).toEqual({ code: 'QUOTA_EXCEEDED', message: expect.any(String), at: expect.any(String) });
  expect(blocked.lastError.message).toContain(SERVICE_QUOTAS_URLS.MediaLive);
  expect(blocked.lastError.message).toMatch(/request a quota increase/);
  // The list the console polls carries the same error.
  const list = (await system.api('GET', '/stream-destinations', undefined, undefined, {}, false)).json;
  expect(list.destinations.find((v: any) => v.id === blocked.id).lastError.code).toBe('QUOTA_EXCEEDED');

  // Deleting the running destination frees its channel; the schedule then starts the other one.
  await system.api('DELETE', `/stream-destinations/${running.id}`);
  for (let i = 0; i < 12; i += 1) await system.tick(15_000);
  const after = await destination(blocked.id);
  expect(after.status).toBe('active');
  expect(after.lastError).toBeNull();
});
