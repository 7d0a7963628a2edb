/**
 * A destination whose item stops parsing (a typo made by hand in the table: MALFORMED_ITEM) keeps
 * what it runs. The full reconcile's orphan sweep cleans up relays and sources no destination
 * owns; a malformed item's relay is owned (its tag names an item that exists) and must not be
 * stopped or deleted: a typo in the table must not kill a running broadcast.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RelayMode } from '../../lambdas/core/destination';
import { CHANNEL_A, startSystem, type System } from '../support/system';

let system: System | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

async function settle(s: System, rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await s.tick(10_000);
}

/** Overwrites one attribute behind the system's back, as a hand edit in the console would. */
async function malform(s: System, id: string, attribute: string, value: unknown): Promise<void> {
  await s.db.doc.send(
    new UpdateCommand({
      TableName: s.db.tables.destinations,
      Key: { id },
      UpdateExpression: 'SET #a = :v',
      ExpressionAttributeNames: { '#a': attribute },
      ExpressionAttributeValues: { ':v': value },
    }),
  );
}

const runningChannels = (s: System) => s.sim.channels().filter((c) => c.state === 'RUNNING');
const runningTasks = (s: System) => [...s.ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING');

describe.each<[RelayMode, (s: System) => unknown[]]>([
  ['transcode', runningChannels],
  ['passthrough', runningTasks],
])('a malformed item in mode %s', (mode, running) => {
  it('keeps its running relay and its source through scheduled full reconciles, and is reported on itself', async () => {
    system = await startSystem({ passthrough: true });
    const created = await system.api('POST', '/stream-destinations', {
      platform: 'custom',
      name: 'Studio',
      rtmpUrl: 'rtmps://live.example.com/app',
      streamKey: 'live_5566_MalformedKey',
      mode,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json.id as string;
    system.sim.goLive(CHANNEL_A);
    await settle(system);
    expect(running(system)).toHaveLength(1);
    const inputs = system.sim.inputIds();
    const definitions = system.ecs.taskDefinitions.filter((d) => d.status === 'ACTIVE').map((d) => d.arn);

    await malform(system, id, 'staleInputIds', 'not-a-list');
    // Minutes of scheduled runs, each a full reconcile with the orphan sweep.
    for (let minute = 0; minute < 5; minute++) await system.tick(60_000);

    expect(running(system)).toHaveLength(1);
    expect(system.sim.inputIds()).toEqual(inputs);
    expect(system.ecs.taskDefinitions.filter((d) => d.status === 'ACTIVE').map((d) => d.arn)).toEqual(definitions);
    expect(system.failures).toContainEqual({ destinationId: id, code: 'MALFORMED_ITEM' });
    const answer = await system.api('GET', `/stream-destinations/${id}`);
    expect(answer.statusCode).toBe(409);
    expect(answer.json.error.code).toBe('MALFORMED_ITEM');
  });
});
