/**
 * A "not found" from MediaLive is not proof that a resource is gone: a read can lag behind a
 * create (the simulator's `not-found` fault models it). Only a listing decides (as for a recorded
 * channel, see `forget-relay` in lambdas/core/reconciler.ts).
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ResourceNotFoundError, ServiceUnavailableError } from '../../lambdas/core/errors';
import { CHANNEL_A, startSystem, type System } from '../support/system';

let system: System | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await system?.stop();
  system = undefined;
});

describe('a create that is told its recorded source does not exist', () => {
  it('keeps the source and makes no second channel when the source is still listed (fault seed 89)', async () => {
    system = await startSystem();
    const created = await system.api('POST', '/stream-destinations', {
      platform: 'youtube',
      name: 'YouTube',
      streamKey: 'key-aaaa-bbbb-cccc',
    });
    const id = created.json.id as string;
    const createChannel = system.sim.medialive.createChannel.bind(system.sim.medialive);
    let calls = 0;
    jest.spyOn(system.sim.medialive, 'createChannel').mockImplementation(async (spec, inputId) => {
      calls += 1;
      // First the channel is made and the answer lost; then a lagging read says the input is not there.
      if (calls === 1) {
        await createChannel(spec, inputId);
        throw new ServiceUnavailableError('medialive:CreateChannel: Gateway timeout; the request may have succeeded');
      }
      if (calls === 2) throw new ResourceNotFoundError(`medialive:CreateChannel: input ${inputId} not found`);
      return createChannel(spec, inputId);
    });
    system.sim.goLive(CHANNEL_A);
    for (let i = 0; i < 12; i++) await system.tick(10_000);

    expect(calls).toBeGreaterThanOrEqual(3);
    expect(system.sim.stats().inputsCreated).toBe(1);
    expect(system.sim.stats().channelsCreated).toBe(1);
    expect(system.sim.channels().map((c) => c.state)).toEqual(['RUNNING']);
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.status).toBe('active');
  });
});
