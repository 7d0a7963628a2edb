import { describe, expect, it } from '@jest/globals';
import { AwsSimulator, ManualClock } from '../../../lambdas/testing';
import type { AwsSimulatorOptions } from '../../../lambdas/testing';
import { InvalidConfigurationError, QuotaExceededError, ResourceNotFoundError, WrongStateError } from '../../../lambdas/core/errors';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../../lambdas/core/ports';
import type { ChannelSpec } from '../../../lambdas/core/ports';
import { channelSpec } from '../../support/channel-spec';

const timings = { createMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 };

function setup(options: AwsSimulatorOptions = {}) {
  const clock = new ManualClock();
  const sim = new AwsSimulator({ clock, timings, ...options });
  const ml = sim.medialive;
  async function createIdle(spec: ChannelSpec = channelSpec()) {
    const { inputId } = await ml.createInput(spec);
    const channel = await ml.createChannel(spec, inputId);
    clock.advance(timings.createMs);
    return { inputId, channelId: channel.id };
  }
  async function state(channelId: string) {
    return (await ml.describeChannel(channelId))?.state;
  }
  return { clock, sim, ml, createIdle, state };
}

describe('AwsSimulator MediaLive state machine', () => {
  it('creates a channel in CREATING that becomes IDLE once the create time has passed', async () => {
    const { clock, ml, state } = setup();
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    const channel = await ml.createChannel(spec, inputId);
    expect(channel.state).toBe('CREATING');
    clock.advance(timings.createMs - 1);
    expect(await state(channel.id)).toBe('CREATING');
    clock.advance(1);
    expect(await state(channel.id)).toBe('IDLE');
  });

  it('goes IDLE → STARTING → RUNNING → STOPPING → IDLE with the configured timings', async () => {
    const { clock, ml, createIdle, state } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    expect(await state(channelId)).toBe('STARTING');
    clock.advance(timings.startMs);
    expect(await state(channelId)).toBe('RUNNING');
    await ml.stopChannel(channelId);
    expect(await state(channelId)).toBe('STOPPING');
    clock.advance(timings.stopMs);
    expect(await state(channelId)).toBe('IDLE');
  });

  it('divides every timing by the timescale', async () => {
    const { clock, ml, state } = setup({ timescale: 1_000 });
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    const { id } = await ml.createChannel(spec, inputId);
    clock.advance(5);
    await ml.startChannel(id);
    clock.advance(59);
    expect(await state(id)).toBe('STARTING');
    clock.advance(1);
    expect(await state(id)).toBe('RUNNING');
  });

  it('returns copies, so callers cannot change the simulated channel', async () => {
    const { ml, createIdle } = setup();
    const { channelId } = await createIdle();
    const seen = await ml.describeChannel(channelId);
    if (seen) {
      seen.state = 'RUNNING';
      seen.tags[TAG_PROJECT] = 'other';
    }
    expect(await ml.describeChannel(channelId)).toMatchObject({ state: 'IDLE', tags: { [TAG_PROJECT]: 'restream-test' } });
  });
});

describe('AwsSimulator MediaLive idempotent creates', () => {
  it('returns the same input for the same RequestId and creates it only once', async () => {
    const { sim, ml } = setup();
    const first = await ml.createInput(channelSpec());
    const again = await ml.createInput(channelSpec());
    expect(again.inputId).toBe(first.inputId);
    expect(sim.stats().inputsCreated).toBe(1);
    expect(sim.calls['medialive:CreateInput']).toBe(2);
  });

  it('returns the same channel for the same RequestId and creates it only once', async () => {
    const { sim, ml } = setup();
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    const first = await ml.createChannel(spec, inputId);
    const again = await ml.createChannel(spec, inputId);
    expect(again.id).toBe(first.id);
    expect(sim.stats().channelsCreated).toBe(1);
    expect(sim.channels()).toHaveLength(1);
  });

  it('rejects a RequestId reused with a different channel spec as an idempotency mismatch', async () => {
    const { sim, ml } = setup();
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    await ml.createChannel(spec, inputId);
    await expect(ml.createChannel({ ...spec, rtmpUrl: 'rtmp://live.twitch.tv/app' }, inputId)).rejects.toThrow(InvalidConfigurationError);
    await expect(ml.createChannel({ ...spec, streamKey: 'another-key-1234' }, inputId)).rejects.toThrow(InvalidConfigurationError);
    expect(sim.stats().channelsCreated).toBe(1);
  });

  it('rejects a RequestId reused with a different input source', async () => {
    const { ml } = setup();
    await ml.createInput(channelSpec());
    await expect(ml.createInput(channelSpec({ sourceUrl: 'https://other.example/live.m3u8' }))).rejects.toThrow(InvalidConfigurationError);
  });

  it('keeps the resources of two destinations apart even when they share a requestId', async () => {
    const { sim, ml } = setup();
    const a = channelSpec({ destinationId: 'a', requestId: 'same' });
    const b = channelSpec({ destinationId: 'b', requestId: 'same', sourceUrl: 'https://other.example/live.m3u8' });
    const inputA = await ml.createInput(a);
    const inputB = await ml.createInput(b);
    expect(inputB.inputId).not.toBe(inputA.inputId);
    await ml.createChannel(a, inputA.inputId);
    await ml.createChannel(b, inputB.inputId);
    expect(sim.stats()).toMatchObject({ inputsCreated: 2, channelsCreated: 2 });
  });

  it('answers a replayed RequestId with the first channel even after it was deleted', async () => {
    const { clock, ml, createIdle } = setup();
    const spec = channelSpec();
    const { inputId, channelId } = await createIdle(spec);
    await ml.deleteChannel(channelId);
    clock.advance(timings.deleteMs);
    await expect(ml.createChannel(spec, inputId)).resolves.toMatchObject({ id: channelId, state: 'DELETED' });
  });

  it('names resources like the real gateway and keeps project and destination tags from the spec', async () => {
    const { ml } = setup();
    const spec = channelSpec({ destinationId: 'dest-42', requestId: 'dest-42-g0' });
    const { inputId } = await ml.createInput(spec);
    const channel = await ml.createChannel(spec, inputId);
    expect(channel.tags).toEqual({ [TAG_PROJECT]: 'restream-test', [TAG_DESTINATION]: 'dest-42', [TAG_CONFIG_REVISION]: '1' });
    expect(channel.inputIds).toEqual([inputId]);
    expect(channel.name).toBe('restream-test-dest-42');
  });
});

describe('AwsSimulator MediaLive ListInputs', () => {
  it('lists the project tagged inputs with the channel each is attached to, until the channel is deleted', async () => {
    const { clock, ml } = setup({ projectName: 'restream-test' });
    const spec = channelSpec({ destinationId: 'dest-7' });
    const { inputId } = await ml.createInput(spec);
    await ml.createInput(channelSpec({ destinationId: 'dest-other', projectName: 'someone-else' }));
    const tags = { [TAG_PROJECT]: 'restream-test', [TAG_DESTINATION]: 'dest-7', [TAG_CONFIG_REVISION]: '1' };
    expect(await ml.listInputs()).toEqual([{ id: inputId, tags, attachedChannelIds: [] }]);
    const channel = await ml.createChannel(spec, inputId);
    expect(await ml.listInputs()).toEqual([{ id: inputId, tags, attachedChannelIds: [channel.id] }]);
    clock.advance(timings.createMs);
    await ml.deleteChannel(channel.id);
    clock.advance(timings.deleteMs);
    expect(await ml.listInputs()).toEqual([{ id: inputId, tags, attachedChannelIds: [] }]);
    await ml.deleteInput(inputId);
    expect(await ml.listInputs()).toEqual([]);
  });
});

describe('AwsSimulator MediaLive CreateChannel validation', () => {
  it('fails with ResourceNotFoundError when the input does not exist', async () => {
    const { ml } = setup();
    await expect(ml.createChannel(channelSpec(), '999')).rejects.toThrow(ResourceNotFoundError);
  });

  it('refuses an input that is attached to another channel', async () => {
    const { ml } = setup();
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    await ml.createChannel(spec, inputId);
    await expect(ml.createChannel(channelSpec({ requestId: 'other-request' }), inputId)).rejects.toThrow(/already attached/);
  });

  it('refuses a non-RTMP destination URL and an unknown role', async () => {
    const { ml } = setup();
    const spec = channelSpec({ rtmpUrl: 'https://example.com/live' });
    const { inputId } = await ml.createInput(spec);
    await expect(ml.createChannel(spec, inputId)).rejects.toThrow(/rtmp/);
    await expect(ml.createChannel({ ...spec, rtmpUrl: 'rtmps://x.example:443/app', roleArn: 'nope' }, inputId)).rejects.toThrow(/roleArn/);
  });
});

describe('AwsSimulator MediaLive wrong-state rules', () => {
  it('refuses to start a channel that is still CREATING', async () => {
    const { ml } = setup();
    const spec = channelSpec();
    const { inputId } = await ml.createInput(spec);
    const { id } = await ml.createChannel(spec, inputId);
    await expect(ml.startChannel(id)).rejects.toThrow(WrongStateError);
  });

  it('refuses a second start while STARTING or RUNNING, like MediaLive’s ConflictException', async () => {
    const { clock, sim, ml, createIdle } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    await expect(ml.startChannel(channelId)).rejects.toThrow(WrongStateError);
    clock.advance(timings.startMs);
    await expect(ml.startChannel(channelId)).rejects.toThrow(WrongStateError);
    expect(sim.stats().starts).toEqual({ [channelId]: 1 });
  });

  it('refuses to stop an IDLE or STOPPING channel', async () => {
    const { ml, createIdle } = setup();
    const { channelId } = await createIdle();
    await expect(ml.stopChannel(channelId)).rejects.toThrow(WrongStateError);
    await ml.startChannel(channelId);
    await ml.stopChannel(channelId);
    await expect(ml.stopChannel(channelId)).rejects.toThrow(WrongStateError);
  });

  it('stops a channel that is still STARTING or RECOVERING', async () => {
    const { clock, sim, ml, createIdle, state } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    await ml.stopChannel(channelId);
    expect(await state(channelId)).toBe('STOPPING');
    clock.advance(timings.stopMs);
    sim.forceChannelState(channelId, 'RECOVERING');
    await ml.stopChannel(channelId);
    expect(await state(channelId)).toBe('STOPPING');
  });

  it('answers ResourceNotFoundError for calls on an unknown channel', async () => {
    const { ml } = setup();
    await expect(ml.startChannel('404')).rejects.toThrow(ResourceNotFoundError);
    await expect(ml.stopChannel('404')).rejects.toThrow(ResourceNotFoundError);
    await expect(ml.deleteChannel('404')).rejects.toThrow(ResourceNotFoundError);
    await expect(ml.deleteInput('404')).rejects.toThrow(ResourceNotFoundError);
    expect(await ml.describeChannel('404')).toBeUndefined();
  });
});

describe('AwsSimulator MediaLive delete rules', () => {
  it('deletes an IDLE channel through DELETING, after which it is gone', async () => {
    const { clock, sim, ml, createIdle, state } = setup();
    const { channelId } = await createIdle();
    await ml.deleteChannel(channelId);
    expect(await state(channelId)).toBe('DELETING');
    expect((await ml.listChannels()).map((c) => c.id)).toEqual([channelId]);
    clock.advance(timings.deleteMs);
    expect(await ml.describeChannel(channelId)).toBeUndefined();
    expect(await ml.listChannels()).toEqual([]);
    expect(sim.channels()).toEqual([]);
    expect(sim.channels({ includeDeleted: true }).map((c) => c.state)).toEqual(['DELETED']);
    await expect(ml.startChannel(channelId)).rejects.toThrow(ResourceNotFoundError);
  });

  it('refuses to delete a channel that is running, starting or stopping', async () => {
    const { clock, ml, createIdle } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    await expect(ml.deleteChannel(channelId)).rejects.toThrow(WrongStateError);
    clock.advance(timings.startMs);
    await expect(ml.deleteChannel(channelId)).rejects.toThrow(WrongStateError);
    await ml.stopChannel(channelId);
    await expect(ml.deleteChannel(channelId)).rejects.toThrow(WrongStateError);
  });

  it('deletes channels in CREATE_FAILED and UPDATE_FAILED', async () => {
    const { sim, ml, createIdle, state } = setup();
    const a = await createIdle(channelSpec({ destinationId: 'a', requestId: 'a' }));
    const b = await createIdle(channelSpec({ destinationId: 'b', requestId: 'b' }));
    sim.forceChannelState(a.channelId, 'CREATE_FAILED');
    sim.forceChannelState(b.channelId, 'UPDATE_FAILED');
    await ml.deleteChannel(a.channelId);
    await ml.deleteChannel(b.channelId);
    expect([await state(a.channelId), await state(b.channelId)]).toEqual(['DELETING', 'DELETING']);
  });

  it('refuses to delete an input while its channel exists, even while DELETING', async () => {
    const { clock, sim, ml, createIdle } = setup();
    const { inputId, channelId } = await createIdle();
    await expect(ml.deleteInput(inputId)).rejects.toThrow(WrongStateError);
    await ml.deleteChannel(channelId);
    await expect(ml.deleteInput(inputId)).rejects.toThrow(WrongStateError);
    clock.advance(timings.deleteMs);
    await ml.deleteInput(inputId);
    expect(sim.inputIds()).toEqual([]);
    await expect(ml.deleteInput(inputId)).rejects.toThrow(ResourceNotFoundError);
  });

  it('lets a new channel use an input whose old channel is DELETED', async () => {
    const { clock, ml, createIdle } = setup();
    const { inputId, channelId } = await createIdle();
    await ml.deleteChannel(channelId);
    clock.advance(timings.deleteMs);
    const next = await ml.createChannel(channelSpec({ requestId: 'dest-1-g1' }), inputId);
    expect(next.id).not.toBe(channelId);
  });
});

describe('AwsSimulator MediaLive quotas and listing', () => {
  it('fails CreateChannel with QuotaExceededError beyond maxChannels, counting DELETING but not DELETED channels', async () => {
    const { clock, ml, createIdle } = setup({ maxChannels: 1 });
    const { channelId } = await createIdle();
    const spec2 = channelSpec({ destinationId: 'd2', requestId: 'd2' });
    const { inputId } = await ml.createInput(spec2);
    await expect(ml.createChannel(spec2, inputId)).rejects.toThrow(QuotaExceededError);
    await ml.deleteChannel(channelId);
    await expect(ml.createChannel(spec2, inputId)).rejects.toThrow(QuotaExceededError);
    clock.advance(timings.deleteMs);
    await expect(ml.createChannel(spec2, inputId)).resolves.toMatchObject({ state: 'CREATING' });
  });

  it('fails CreateInput with QuotaExceededError beyond maxInputs', async () => {
    const { ml } = setup({ maxInputs: 1 });
    await ml.createInput(channelSpec());
    await expect(ml.createInput(channelSpec({ requestId: 'r2' }))).rejects.toThrow(QuotaExceededError);
  });

  it('lists only channels of the configured project', async () => {
    const { ml, createIdle } = setup({ projectName: 'restream-test' });
    const mine = await createIdle();
    await createIdle(channelSpec({ projectName: 'someone-else', requestId: 'other' }));
    expect((await ml.listChannels()).map((c) => c.id)).toEqual([mine.channelId]);
  });

  it('counts one ListChannels call per page of 1000 channels', async () => {
    const { sim, ml } = setup({ maxChannels: 2_000, maxInputs: 2_000 });
    for (let i = 0; i < 1_001; i += 1) {
      const spec = channelSpec({ destinationId: `d${i}`, requestId: `r${i}` });
      const { inputId } = await ml.createInput(spec);
      await ml.createChannel(spec, inputId);
    }
    sim.resetCounters();
    expect(await ml.listChannels()).toHaveLength(1_001);
    expect(sim.calls['medialive:ListChannels']).toBe(2);
  });
});

describe('AwsSimulator observability', () => {
  it('counts every call by AWS action name and resets the counters on request', async () => {
    const { sim, ml, createIdle } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    await ml.describeChannel(channelId);
    await ml.listChannels();
    expect(sim.calls).toEqual({
      'medialive:CreateInput': 1,
      'medialive:CreateChannel': 1,
      'medialive:StartChannel': 1,
      'medialive:DescribeChannel': 1,
      'medialive:ListChannels': 1,
    });
    sim.resetCounters();
    expect(sim.calls).toEqual({});
    expect(sim.stats()).toMatchObject({ channelsCreated: 0, totalStarts: 0 });
    expect(sim.channels()).toHaveLength(1);
  });

  it('reports running channels and the spec each channel was built from, without the key', async () => {
    const { clock, sim, ml, createIdle } = setup();
    const { channelId } = await createIdle();
    await ml.startChannel(channelId);
    expect(sim.runningChannels()).toEqual([]);
    clock.advance(timings.startMs);
    const [running] = sim.runningChannels();
    expect(running).toMatchObject({ id: channelId, state: 'RUNNING', starts: 1, spec: { rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2' } });
    expect(running?.spec).not.toHaveProperty('streamKey');
    expect(sim.streamKeyMatches(channelId, channelSpec().streamKey)).toBe(true);
    expect(sim.streamKeyMatches(channelId, 'wrong')).toBe(false);
  });
});

describe('AwsSimulator MediaLive input: what a running channel sends', () => {
  async function runningOn(s: ReturnType<typeof setup>, arn: string) {
    const spec = channelSpec({ sourceUrl: (await s.sim.ivs.getPlaybackSource(arn)).url });
    const { channelId } = await s.createIdle(spec);
    await s.ml.startChannel(channelId);
    s.clock.advance(timings.startMs);
    return channelId;
  }

  it('sends the live IVS stream, black once it ends, and nothing when not running', async () => {
    const s = setup();
    const arn = s.sim.ivsChannelArn('Source1');
    s.sim.addIvsChannel(arn);
    s.sim.goLive(arn);
    const channelId = await runningOn(s, arn);
    expect(s.sim.channelOutput(channelId)).toBe('media');
    s.sim.goOffline(arn);
    expect(s.sim.channelOutput(channelId)).toBe('black');
    await s.ml.stopChannel(channelId);
    expect(s.sim.channelOutput(channelId)).toBe('none');
  });

  it('stays black when the stream comes back with a new id, until an input switch re-reads the input', async () => {
    const s = setup();
    const arn = s.sim.ivsChannelArn('Source2');
    s.sim.addIvsChannel(arn);
    s.sim.goLive(arn);
    const channelId = await runningOn(s, arn);
    s.sim.goOffline(arn);
    const returned = s.sim.goLive(arn);
    s.clock.advance(60_000);
    // MediaLive with InputEndAction NONE: black "until the next input switch occurs".
    expect(s.sim.channelOutput(channelId)).toBe('black');

    await s.ml.reattachInput(channelId, returned);
    expect(s.sim.channelOutput(channelId)).toBe('media');
    await s.ml.reattachInput(channelId, returned);
    expect(s.sim.channels().find((c) => c.id === channelId)).toMatchObject({ output: 'media', inputSwitches: 1 });
    expect(s.sim.calls['medialive:BatchUpdateSchedule']).toBe(2);
  });

  it('picks up a stream that starts after the channel, and reads afresh after a restart', async () => {
    const s = setup();
    const arn = s.sim.ivsChannelArn('Source3');
    s.sim.addIvsChannel(arn);
    const channelId = await runningOn(s, arn);
    expect(s.sim.channelOutput(channelId)).toBe('black');
    s.sim.goLive(arn);
    expect(s.sim.channelOutput(channelId)).toBe('media');
    s.sim.goOffline(arn);
    s.sim.goLive(arn);
    expect(s.sim.channelOutput(channelId)).toBe('black');
    await s.ml.stopChannel(channelId);
    s.clock.advance(timings.stopMs);
    await s.ml.startChannel(channelId);
    s.clock.advance(timings.startMs);
    expect(s.sim.channelOutput(channelId)).toBe('media');
  });

  it('answers ResourceNotFoundError for a switch on an unknown channel', async () => {
    const s = setup();
    await expect(s.ml.reattachInput('404', 'st-1')).rejects.toThrow(ResourceNotFoundError);
  });
});
