import { describe, expect, it } from '@jest/globals';
import { AwsSimulator, ManualClock } from '../../../lambdas/testing';
import type { IvsStreamStateChangeEvent } from '../../../lambdas/testing';
import { InvalidConfigurationError, ResourceNotFoundError } from '../../../lambdas/core/errors';

function setup() {
  const clock = new ManualClock('2025-03-01T10:00:00Z');
  const sim = new AwsSimulator({ clock });
  return { clock, sim };
}

describe('AwsSimulator IVS', () => {
  it('reports no stream for a registered channel that is offline', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn);
    expect(await sim.ivs.getStream(arn)).toBeUndefined();
    expect(await sim.ivs.listLiveStreams()).toEqual([]);
  });

  it('reports the live stream with its id and start time after goLive', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn);
    const streamId = sim.goLive(arn);
    expect(streamId).toMatch(/^st-[A-Za-z0-9]{23}$/); // 26 characters, as IVS's
    const expected = { channelArn: arn, streamId, startTime: '2025-03-01T10:00:00.000Z', health: 'HEALTHY' };
    expect(await sim.ivs.getStream(arn)).toEqual(expected);
    expect(await sim.ivs.listLiveStreams()).toEqual([expected]);
  });

  it('gives every broadcast a new stream id, also on reconnect while live', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn);
    const first = sim.goLive(arn);
    const reconnect = sim.goLive(arn);
    sim.goOffline(arn);
    const third = sim.goLive(arn);
    expect(new Set([first, reconnect, third]).size).toBe(3);
    expect((await sim.ivs.getStream(arn))?.streamId).toBe(third);
  });

  it('generates the same stream ids for the same seed', () => {
    const ids = () => {
      const sim = new AwsSimulator({ clock: new ManualClock(), idSeed: 5 });
      const arn = sim.ivsChannelArn('x');
      sim.addIvsChannel(arn);
      return [sim.goLive(arn), sim.goLive(arn)];
    };
    expect(ids()).toEqual(ids());
  });

  it('goes offline so getStream answers undefined again', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn);
    sim.goLive(arn);
    sim.goOffline(arn);
    expect(await sim.ivs.getStream(arn)).toBeUndefined();
  });

  it('answers ResourceNotFoundError for an unknown channel', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('missing');
    await expect(sim.ivs.getPlaybackSource(arn)).rejects.toThrow(ResourceNotFoundError);
    await expect(sim.ivs.getStream(arn)).rejects.toThrow(ResourceNotFoundError);
    expect(() => sim.goLive(arn)).toThrow(/addIvsChannel/);
  });

  it('returns an IVS-shaped HLS playback URL, or the one given at registration, with the channel type', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn);
    const source = await sim.ivs.getPlaybackSource(arn);
    expect(source.url).toMatch(
      /^https:\/\/[a-f0-9]{12}\.us-east-1\.playback\.live-video\.net\/api\/video\/v1\/us-east-1\.123456789012\.channel\.AbCdEfGh1234\.m3u8$/,
    );
    expect(source.channelType).toBe('STANDARD');
    const other = sim.ivsChannelArn('Other');
    sim.addIvsChannel(other, { playbackUrl: 'http://127.0.0.1:9000/live.m3u8', type: 'BASIC' });
    expect(await sim.ivs.getPlaybackSource(other)).toEqual({ url: 'http://127.0.0.1:9000/live.m3u8', channelType: 'BASIC' });
  });

  it('refuses the playback source of a channel that requires playback authorization', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('Private');
    sim.addIvsChannel(arn, { authorized: true });
    await expect(sim.ivs.getPlaybackSource(arn)).rejects.toThrow(InvalidConfigurationError);
  });

  it('refuses the playback source of a channel with a playback restriction policy', async () => {
    const { sim } = setup();
    const arn = sim.ivsChannelArn('Restricted');
    sim.addIvsChannel(arn, { playbackRestrictionPolicyArn: 'arn:aws:ivs:us-east-1:123456789012:playback-restriction-policy/AbCd' });
    await expect(sim.ivs.getPlaybackSource(arn)).rejects.toThrow(/playback restriction policy/);
  });

  it('counts ListStreams as one call per page of 100 streams, GetStream and GetChannel once each', async () => {
    const { sim } = setup();
    for (let i = 0; i < 201; i += 1) {
      const arn = sim.ivsChannelArn(`ch${i}`);
      sim.addIvsChannel(arn);
      sim.goLive(arn);
    }
    const arn = sim.ivsChannelArn('ch0');
    expect(await sim.ivs.listLiveStreams()).toHaveLength(201);
    await sim.ivs.getStream(arn);
    await sim.ivs.getPlaybackSource(arn);
    expect(sim.calls).toEqual({ 'ivs:ListStreams': 3, 'ivs:GetStream': 1, 'ivs:GetChannel': 1 });
    sim.resetCounters();
    for (let i = 0; i < 201; i += 1) sim.goOffline(sim.ivsChannelArn(`ch${i}`));
    await sim.ivs.listLiveStreams();
    expect(sim.calls).toEqual({ 'ivs:ListStreams': 1 });
  });

  it('announces Stream Start and Stream End as EventBridge IVS Stream State Change events', () => {
    const { clock, sim } = setup();
    const arn = sim.ivsChannelArn('AbCdEfGh1234');
    sim.addIvsChannel(arn, { name: 'studio' });
    const events: IvsStreamStateChangeEvent[] = [];
    const unsubscribe = sim.onStreamStateChange((event) => events.push(event));
    const first = sim.goLive(arn);
    clock.advance(1_000);
    const second = sim.goLive(arn);
    sim.goOffline(arn);
    sim.goOffline(arn);
    unsubscribe();
    sim.goLive(arn);
    expect(events.map((e) => [e.detail.event_name, e.detail.stream_id, e.time])).toEqual([
      ['Stream Start', first, '2025-03-01T10:00:00.000Z'],
      ['Stream End', first, '2025-03-01T10:00:01.000Z'],
      ['Stream Start', second, '2025-03-01T10:00:01.000Z'],
      ['Stream End', second, '2025-03-01T10:00:01.000Z'],
    ]);
    expect(events[0]).toMatchObject({
      source: 'aws.ivs',
      'detail-type': 'IVS Stream State Change',
      resources: [arn],
      region: 'us-east-1',
      account: '123456789012',
      detail: { channel_name: 'studio' },
    });
  });

  it('keeps port methods usable when passed around on their own', async () => {
    const { sim } = setup();
    const { listLiveStreams } = sim.ivs;
    await expect(listLiveStreams()).resolves.toEqual([]);
  });
});
