/**
 * MediaLive channel alerts through the monitor, over dynalite and the simulator: an alert event in
 * the shape AWS documents (https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-alert.html)
 * is recorded on the destination of the channel and turns its health `failing` with MediaLive's
 * words; CLEARED removes it; a stop forgets what is left; another account's channel is ignored.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

let system: System;
afterEach(async () => system.stop());

/** The documented example, for channel `channelId` and alarm state `state`. */
function alertEvent(channelId: string, state: 'SET' | 'CLEARED', time = '2026-03-01T10:05:00Z'): Record<string, unknown> {
  const arn = `arn:aws:medialive:us-east-1:123456789012:channel:${channelId}`;
  return {
    version: '0',
    id: '154769fb-9f7c-32a1-6822-26fppppe5a58',
    'detail-type': 'MediaLive Channel Alert',
    source: 'aws.medialive',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [arn],
    detail: {
      alarm_state: state,
      alarm_id: '7ad616bd389832yue90aab1324bffab5b834a',
      alert_type: 'Failed to Create Output File or Socket',
      pipeline: '0',
      channel_arn: arn,
      message: 'RTMP muxer for mediaID [1] unable to open output or stream [rtmp://a.rtmp.youtube.com/live2].',
    },
  };
}

async function stored(id: string): Promise<any> {
  return (await system.db.doc.send(new GetCommand({ TableName: system.db.tables.destinations, Key: { id } }))).Item;
}

async function activeDestination(): Promise<{ id: string; channelId: string }> {
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: 'key-aaaa-bbbb-cccc' });
  expect(res.statusCode).toBe(201);
  const id = res.json.id as string;
  system.sim.goLive(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
  for (let i = 0; i < 8; i++) await system.tick(10_000);
  const item = await stored(id);
  expect(item.status).toBe('active');
  return { id, channelId: item.mediaLiveChannelId as string };
}

describe('MediaLive channel alerts', () => {
  it('turns the destination failing with the alert while it is set, and back when it is cleared', async () => {
    system = await startSystem();
    const { id, channelId } = await activeDestination();

    await system.monitor(alertEvent(channelId, 'SET'));
    const failing = await system.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false);
    expect(failing.json.health).toMatchObject({
      state: 'failing',
      bitrateKbps: null,
      message: expect.stringMatching(/^Failed to Create Output File or Socket: RTMP muxer .* unable to open output/),
    });
    expect((await stored(id)).relayAlerts).toEqual([
      expect.objectContaining({ id: '7ad616bd389832yue90aab1324bffab5b834a', setAt: '2026-03-01T10:05:00.000Z' }),
    ]);

    // A duplicate delivery changes nothing.
    const version = (await stored(id)).version;
    await system.monitor(alertEvent(channelId, 'SET'));
    expect((await stored(id)).version).toBe(version);

    await system.monitor(alertEvent(channelId, 'CLEARED', '2026-03-01T10:06:00Z'));
    const cleared = await stored(id);
    expect(cleared.relayAlerts).toBeUndefined();
    expect(cleared.health.state).not.toBe('failing');
  });

  it('forgets the alerts of a relay that is stopped', async () => {
    system = await startSystem({ graceSeconds: 10 });
    const { id, channelId } = await activeDestination();
    await system.monitor(alertEvent(channelId, 'SET'));
    expect((await stored(id)).relayAlerts).toHaveLength(1);
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    for (let i = 0; i < 6; i++) await system.tick(10_000);
    const item = await stored(id);
    expect(item.status).toBe('inactive');
    expect(item.relayAlerts).toBeUndefined();
  });

  it('ignores an alert about a channel that is not this project’s after one DescribeChannel', async () => {
    system = await startSystem();
    const summary = await system.monitor(alertEvent('9999999', 'SET'));
    expect(summary).toMatchObject({ scope: 'ignore', actions: 0 });
    expect(system.sim.calls['medialive:DescribeChannel']).toBe(1);
  });
});
