import { beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteChannelCommand, DescribeChannelCommand, ListChannelsCommand, MediaLiveClient } from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { runTeardown, type TeardownEngine } from '../../../scripts/deploy/teardown';
import { mediaLiveTeardown } from '../../../scripts/deploy/teardown-medialive';
import { FakeMediaLive } from '../../support/fake-medialive-sdk';

const mediaLiveMock = mockClient(MediaLiveClient);
const client = new MediaLiveClient({ region: 'eu-central-1' });

let fake: FakeMediaLive;
let now: number;
let progress: string[];

/** The engine with a clock that moves only when it sleeps. */
const engine = (timeoutMs = 60_000, pollMs = 5_000): TeardownEngine =>
  mediaLiveTeardown({
    projectName: 'ivs-test',
    medialive: client,
    timeoutMs,
    pollMs,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });

beforeEach(() => {
  mediaLiveMock.reset();
  fake = new FakeMediaLive();
  fake.install(mediaLiveMock);
  now = 0;
  progress = [];
});

describe('MediaLive teardown', () => {
  it('stops a RUNNING channel, waits until it is IDLE, deletes it, then deletes its input', async () => {
    const { channelId, inputId } = fake.addChannel('ivs-test', 'RUNNING');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log).toEqual([`StopChannel ${channelId}`, `DeleteChannel ${channelId}`, `DeleteInput ${inputId}`]);
    expect(fake.remaining()).toEqual([]);
    expect(report.leftovers).toEqual([]);
    expect(report.removed).toEqual([
      expect.stringContaining(`MediaLive channel ${channelId}`),
      expect.stringContaining(`MediaLive input ${inputId}`),
    ]);
    expect(progress).toContainEqual(expect.stringMatching(/^waiting \(\d+ s\): .*1 channel STOPPING/));
  });

  it('removes everything of the project across pages and leaves other projects alone', async () => {
    const ours = [
      fake.addChannel('ivs-test', 'IDLE'),
      fake.addChannel('ivs-test', 'RUNNING'),
      fake.addChannel('ivs-test', 'CREATE_FAILED'),
    ];
    const orphanInput = fake.addInput('ivs-test');
    const theirs = fake.addChannel('other-project', 'RUNNING');

    const report = await engine().teardown((m) => progress.push(m));

    expect(report.leftovers).toEqual([]);
    expect(report.removed).toHaveLength(7);
    expect(fake.remaining()).toEqual([`channel ${theirs.channelId} RUNNING`, `input ${theirs.inputId} ATTACHED`]);
    expect(fake.log).toContain(`DeleteInput ${orphanInput}`);
    for (const { channelId } of ours) expect(fake.log).toContain(`DeleteChannel ${channelId}`);
    expect(mediaLiveMock.commandCalls(ListChannelsCommand).length).toBeGreaterThan(1);
  });

  it('waits for a channel that is still STARTING, then stops and deletes it', async () => {
    const { channelId } = fake.addChannel('ivs-test', 'STARTING');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log.slice(0, 2)).toEqual([`StopChannel ${channelId}`, `DeleteChannel ${channelId}`]);
    expect(report.leftovers).toEqual([]);
  });

  it('gives up after the timeout and names the channel and its state, and the input that waits for it', async () => {
    const { channelId, inputId } = fake.addChannel('ivs-test', 'RUNNING');
    fake.stuck.add(channelId);
    fake.channels.get(channelId)!.state = 'STOPPING';

    const report = await engine(60_000, 5_000).teardown((m) => progress.push(m));

    expect(report.leftovers).toEqual([
      { resource: expect.stringContaining(`MediaLive channel ${channelId}`), reason: expect.stringMatching(/^still STOPPING after 1 min/) },
      { resource: expect.stringContaining(`MediaLive input ${inputId}`), reason: expect.stringMatching(/^still ATTACHED after 1 min/) },
    ]);
    expect(now).toBeLessThanOrEqual(60_000);
    // Bounded: one DescribeChannel per round, 60 s / 5 s = at most 13 rounds.
    expect(mediaLiveMock.commandCalls(DescribeChannelCommand).length).toBeLessThanOrEqual(13);
    expect(progress.filter((m) => m.startsWith('waiting')).length).toBeGreaterThan(5);
  });

  it('reports a channel it may not delete with the reason, and still removes the rest', async () => {
    const denied = fake.addChannel('ivs-test', 'IDLE');
    const other = fake.addChannel('ivs-test', 'IDLE');
    fake.denied.add(`DeleteChannel ${denied.channelId}`);

    const report = await engine().teardown((m) => progress.push(m));

    expect(report.leftovers).toContainEqual({
      resource: expect.stringContaining(`MediaLive channel ${denied.channelId}`),
      reason: expect.stringContaining('not authorized to perform: medialive:DeleteChannel'),
    });
    expect(fake.log).toEqual(expect.arrayContaining([`DeleteChannel ${other.channelId}`, `DeleteInput ${other.inputId}`]));
    expect(fake.remaining()).toEqual([`channel ${denied.channelId} IDLE`, `input ${denied.inputId} ATTACHED`]);
  });

  it('only lists when nothing is tagged with the project', async () => {
    fake.addChannel('other-project', 'RUNNING');

    const report = await engine().teardown((m) => progress.push(m));

    expect(report).toEqual({ removed: [], leftovers: [] });
    expect(mediaLiveMock).not.toHaveReceivedCommand(DescribeChannelCommand);
    expect(mediaLiveMock).not.toHaveReceivedCommand(DeleteChannelCommand);
    expect(progress).toEqual(['nothing tagged ivs-restreaming:project=ivs-test']);
  });
});

describe('runTeardown', () => {
  it('runs every engine, turns a failing engine into a leftover and prefixes progress with the engine', async () => {
    const failing: TeardownEngine = {
      name: 'Relay',
      teardown: () => Promise.reject(new Error('ECS is unreachable\nstack')),
    };
    const working: TeardownEngine = {
      name: 'Other',
      teardown: (p) => {
        p('done');
        return Promise.resolve({ removed: ['thing 1'], leftovers: [] });
      },
    };

    const report = await runTeardown([failing, working], (m) => progress.push(m));

    expect(report).toEqual({ removed: ['thing 1'], leftovers: [{ resource: 'every Relay resource', reason: 'ECS is unreachable' }] });
    expect(progress).toEqual(['Other: done']);
  });
});
