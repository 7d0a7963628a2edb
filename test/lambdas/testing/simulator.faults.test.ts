import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AwsSimulator, ManualClock } from '../../../lambdas/testing';
import type { FaultOptions } from '../../../lambdas/testing';
import { ResourceNotFoundError, ServiceUnavailableError, ThrottledError, WrongStateError } from '../../../lambdas/core/errors';
import { channelSpec } from '../../support/channel-spec';

const timings = { createMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 };

/** Runs a fixed call sequence and returns what each call did. */
async function runSequence(faults: FaultOptions): Promise<string[]> {
  const sim = new AwsSimulator({ clock: new ManualClock(), faults });
  const outcomes: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    try {
      await sim.medialive.createInput(channelSpec({ requestId: `r${i}`, destinationId: `d${i}` }));
      outcomes.push('ok');
    } catch (error) {
      outcomes.push((error as Error).name);
    }
  }
  return outcomes;
}

describe('AwsSimulator fault injection', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('injects the same faults in the same order for the same seed', async () => {
    const faults: FaultOptions = { rate: 0.5, kinds: ['throttle', 'unavailable'], seed: 42 };
    const first = await runSequence(faults);
    expect(await runSequence(faults)).toEqual(first);
    expect(first).toContain('ThrottledError');
    expect(first).toContain('ServiceUnavailableError');
    expect(first).toContain('ok');
  });

  it('injects a different sequence for a different seed', async () => {
    const a = await runSequence({ rate: 0.5, kinds: ['throttle'], seed: 1 });
    const b = await runSequence({ rate: 0.5, kinds: ['throttle'], seed: 2 });
    expect(a).not.toEqual(b);
  });

  it('fails before the side effect: a throttled create creates nothing', async () => {
    const sim = new AwsSimulator({ clock: new ManualClock(), faults: { rate: 1, kinds: ['throttle'] } });
    await expect(sim.medialive.createInput(channelSpec())).rejects.toThrow(ThrottledError);
    sim.setFaults(undefined);
    expect(sim.inputIds()).toEqual([]);
    expect(sim.stats()).toMatchObject({ inputsCreated: 0, faults: { throttle: 1 } });
    expect(sim.calls['medialive:CreateInput']).toBe(1);
  });

  it('fails before the side effect: an unavailable start leaves the channel IDLE', async () => {
    const clock = new ManualClock();
    const sim = new AwsSimulator({ clock, timings });
    const spec = channelSpec();
    const { inputId } = await sim.medialive.createInput(spec);
    const { id } = await sim.medialive.createChannel(spec, inputId);
    clock.advance(timings.createMs);
    sim.setFaults({ rate: 1, kinds: ['unavailable'] });
    await expect(sim.medialive.startChannel(id)).rejects.toThrow(ServiceUnavailableError);
    sim.setFaults(undefined);
    expect((await sim.medialive.describeChannel(id))?.state).toBe('IDLE');
    expect(sim.stats().totalStarts).toBe(0);
  });

  it('injects spurious wrong-state and not-found errors without changing anything', async () => {
    const clock = new ManualClock();
    const sim = new AwsSimulator({ clock, timings });
    const spec = channelSpec();
    const { inputId } = await sim.medialive.createInput(spec);
    const { id } = await sim.medialive.createChannel(spec, inputId);
    clock.advance(timings.createMs);
    sim.setFaults({ rate: 1, kinds: ['wrong-state'] });
    await expect(sim.medialive.startChannel(id)).rejects.toThrow(WrongStateError);
    sim.setFaults({ rate: 1, kinds: ['not-found'] });
    await expect(sim.medialive.deleteChannel(id)).rejects.toThrow(ResourceNotFoundError);
    expect(await sim.medialive.describeChannel(id)).toBeUndefined();
    sim.setFaults(undefined);
    expect((await sim.medialive.describeChannel(id))?.state).toBe('IDLE');
  });

  it('injects only kinds that apply to the call: no wrong-state on a read', async () => {
    const sim = new AwsSimulator({ clock: new ManualClock(), faults: { rate: 1, kinds: ['wrong-state', 'create-failure'] } });
    await expect(sim.medialive.listChannels()).resolves.toEqual([]);
    await expect(sim.ivs.listLiveStreams()).resolves.toEqual([]);
    expect(sim.injectedFaults()).toEqual([]);
  });

  it('lets a lost response keep its effect, and the retry with the same RequestId finds it', async () => {
    const sim = new AwsSimulator({ clock: new ManualClock(), faults: { rate: 1, kinds: ['lost-response'] } });
    const spec = channelSpec();
    await expect(sim.medialive.createInput(spec)).rejects.toThrow(ServiceUnavailableError);
    expect(sim.inputIds()).toHaveLength(1);
    sim.setFaults(undefined);
    const { inputId } = await sim.medialive.createInput(spec);
    expect(sim.inputIds()).toEqual([inputId]);
    expect(sim.stats().inputsCreated).toBe(1);
  });

  it('lets a lost start response leave the channel STARTING, so a retry meets WrongStateError', async () => {
    const clock = new ManualClock();
    const sim = new AwsSimulator({ clock, timings });
    const spec = channelSpec();
    const { inputId } = await sim.medialive.createInput(spec);
    const { id } = await sim.medialive.createChannel(spec, inputId);
    clock.advance(timings.createMs);
    sim.setFaults({ rate: 1, kinds: ['lost-response'] });
    await expect(sim.medialive.startChannel(id)).rejects.toThrow(ServiceUnavailableError);
    sim.setFaults(undefined);
    await expect(sim.medialive.startChannel(id)).rejects.toThrow(WrongStateError);
    expect((await sim.medialive.describeChannel(id))?.state).toBe('STARTING');
    expect(sim.stats().starts).toEqual({ [id]: 1 });
  });

  it('makes a created channel end in CREATE_FAILED for the create-failure kind', async () => {
    const clock = new ManualClock();
    const sim = new AwsSimulator({ clock, timings });
    const spec = channelSpec();
    const { inputId } = await sim.medialive.createInput(spec);
    sim.setFaults({ rate: 1, kinds: ['create-failure'] });
    const channel = await sim.medialive.createChannel(spec, inputId);
    sim.setFaults(undefined);
    expect(channel.state).toBe('CREATING');
    clock.advance(timings.createMs);
    expect((await sim.medialive.describeChannel(channel.id))?.state).toBe('CREATE_FAILED');
    await expect(sim.medialive.startChannel(channel.id)).rejects.toThrow(WrongStateError);
  });

  it('records every injected fault with its call index and action', async () => {
    const sim = new AwsSimulator({ clock: new ManualClock(), faults: { rate: 1, kinds: ['throttle'] } });
    await expect(sim.ivs.listLiveStreams()).rejects.toThrow(ThrottledError);
    await expect(sim.medialive.listChannels()).rejects.toThrow(ThrottledError);
    expect(sim.injectedFaults()).toEqual([
      { call: 1, action: 'ivs:ListStreams', kind: 'throttle' },
      { call: 2, action: 'medialive:ListChannels', kind: 'throttle' },
    ]);
  });

  it('switches faults off and on at runtime', async () => {
    const sim = new AwsSimulator({ clock: new ManualClock(), faults: { rate: 1, kinds: ['unavailable'] } });
    await expect(sim.medialive.listChannels()).rejects.toThrow(ServiceUnavailableError);
    sim.setFaults({ rate: 0 });
    await expect(sim.medialive.listChannels()).resolves.toEqual([]);
    sim.setFaults({ rate: 1, kinds: ['throttle'] });
    await expect(sim.medialive.listChannels()).rejects.toThrow(ThrottledError);
  });

  it('refuses a rate outside [0, 1] and unknown kinds', () => {
    const sim = new AwsSimulator();
    expect(() => sim.setFaults({ rate: 1.5 })).toThrow(RangeError);
    expect(() => sim.setFaults({ rate: 0.5, kinds: ['nope' as never] })).toThrow(/unknown fault kinds/);
  });

  it('makes each call wait the configured latency before it answers', async () => {
    jest.useFakeTimers();
    const sim = new AwsSimulator({ clock: new ManualClock(), latencyMs: 250 });
    let settled = false;
    const pending = sim.medialive.listChannels().then((channels) => {
      settled = true;
      return channels;
    });
    await jest.advanceTimersByTimeAsync(249);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toEqual([]);
    expect(settled).toBe(true);
  });
});
