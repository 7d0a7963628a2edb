import { describe, expect, it } from '@jest/globals';
import type { Destination } from '../../../lambdas/core/destination';
import type { ChannelLiveness, PlanInput } from '../../../lambdas/core/planner';
import { desiredState, plan, RECREATE_AFTER_FAILURE_MS } from '../../../lambdas/core/planner';
import type { MediaLiveChannel, MediaLiveChannelState } from '../../../lambdas/core/ports';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../../lambdas/core/ports';
import { relayOf } from '../../../lambdas/adapters/medialive/relay-engine';
import type { Relay } from '../../../lambdas/core/relay';

const TIMINGS = { provisionMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 };
const relays = (channels: MediaLiveChannel[]): Relay[] => channels.flatMap((c) => relayOf(c) ?? []);
import { livenessOf, nextStreamState } from '../../../lambdas/core/stream-state';
import { makeDestination } from '../../support/fixtures';

const CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const NOW = new Date('2026-01-01T12:00:00.000Z');
const LIVE: ChannelLiveness = { live: true, streamId: 'st-1' };
const OFFLINE: ChannelLiveness = { live: false };

function channel(id: string, state: MediaLiveChannelState, destinationId: string, configRevision = 1): MediaLiveChannel {
  const tags = { [TAG_PROJECT]: 'p', [TAG_DESTINATION]: destinationId, [TAG_CONFIG_REVISION]: String(configRevision) };
  return { id, name: `p-${destinationId}`, state, tags, inputIds: [`in-${id}`] };
}

function planOne(d: Destination, stream: ChannelLiveness, channels: MediaLiveChannel[] = [], extra: Partial<PlanInput> = {}) {
  const result = plan({
    destinations: [d],
    streams: new Map([[CHANNEL, stream]]),
    relays: relays(channels),
    timings: TIMINGS,
    now: NOW,
    graceSeconds: 120,
    idleTtlSeconds: 600,
    complete: false,
    ...extra,
  });
  expect(result.decisions).toHaveLength(1);
  return result.decisions[0]!;
}

function withChannel(state: MediaLiveChannelState, overrides: Partial<Destination> = {}) {
  const d = makeDestination({
    channelArn: CHANNEL,
    mediaLiveChannelId: 'ch-1',
    mediaLiveInputId: 'in-ch-1',
    mediaLiveConfigRevision: 1,
    ...overrides,
  });
  return { d, channels: [channel('ch-1', state, d.id)] };
}

describe('desired state', () => {
  it('is on when the destination is enabled and its channel is live', () => {
    expect(desiredState(makeDestination(), LIVE, NOW, 120).desired).toBe('on');
  });
  it('is off when the destination is disabled, even while live', () => {
    expect(desiredState(makeDestination({ enabled: false }), LIVE, NOW, 120).desired).toBe('off');
  });
  it('is off when the channel is offline and was never seen live', () => {
    expect(desiredState(makeDestination(), OFFLINE, NOW, 120).desired).toBe('off');
    expect(desiredState(makeDestination(), undefined, NOW, 120).desired).toBe('off');
  });
  it('is off for the stream it was stopped manually for, and on again for the next stream', () => {
    const paused = makeDestination({ pausedStreamId: 'st-1' });
    expect(desiredState(paused, LIVE, NOW, 120).desired).toBe('off');
    expect(desiredState(paused, { live: true, streamId: 'st-2' }, NOW, 120).desired).toBe('on');
  });
  it('holds during the grace period after the stream went offline and turns off after it', () => {
    const d = makeDestination();
    const justNow = { live: false, streamId: 'st-1', offlineSince: new Date(NOW.getTime() - 119_000).toISOString() };
    const past = { live: false, streamId: 'st-1', offlineSince: new Date(NOW.getTime() - 120_000).toISOString() };
    expect(desiredState(d, justNow, NOW, 120).desired).toBe('hold');
    expect(desiredState(d, past, NOW, 120).desired).toBe('off');
  });
  it('does not hold a destination that was stopped manually for the stream that ended', () => {
    const d = makeDestination({ pausedStreamId: 'st-1' });
    const justNow = { live: false, streamId: 'st-1', offlineSince: new Date(NOW.getTime() - 5_000).toISOString() };
    expect(desiredState(d, justNow, NOW, 120).desired).toBe('off');
  });
  it('is off for a deleted destination', () => {
    expect(desiredState(makeDestination({ deleteRequested: true }), LIVE, NOW, 120).desired).toBe('off');
  });
  it('is on for a live channel whose stream id is not known yet: nothing was stopped for it', () => {
    expect(desiredState(makeDestination(), { live: true }, NOW, 120).desired).toBe('on');
  });
  it('says why, for the logs', () => {
    const justNow = { live: false, streamId: 'st-1', offlineSince: new Date(NOW.getTime() - 5_000).toISOString() };
    const reasons = [
      desiredState(makeDestination({ deleteRequested: true }), LIVE, NOW, 120),
      desiredState(makeDestination({ enabled: false }), LIVE, NOW, 120),
      desiredState(makeDestination({ pausedStreamId: 'st-1' }), LIVE, NOW, 120),
      desiredState(makeDestination(), LIVE, NOW, 120),
      desiredState(makeDestination(), justNow, NOW, 120),
      desiredState(makeDestination(), OFFLINE, NOW, 120),
    ].map((r) => r.reason);
    expect(reasons).toEqual([
      expect.stringMatching(/deleted/),
      expect.stringMatching(/disabled/),
      expect.stringMatching(/stopped manually/),
      expect.stringMatching(/live/),
      expect.stringMatching(/grace period/),
      expect.stringMatching(/offline/),
    ]);
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 20_000).toISOString() };
    expect(planOne(makeDestination({ channelArn: CHANNEL, lease }), LIVE).reason).toMatch(/another reconcile/);
  });
});

describe('the reconciler table (DESIGN.md)', () => {
  it('desired on, no channel: creates input and channel, then starts', () => {
    const decision = planOne(makeDestination({ channelArn: CHANNEL }), LIVE);
    expect(decision.step).toEqual({ kind: 'create-source' });
    expect(decision.status).toBe('starting');
  });

  it('desired on, channel deleted: forgets it first (a new generation), then creates again', () => {
    // DELETED channels are not listed: the recorded id points at nothing.
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveChannelId: 'ch-gone', mediaLiveConfigRevision: 1 });
    expect(planOne(d, LIVE)).toMatchObject({ step: { kind: 'forget-relay', relayId: 'ch-gone' }, status: 'starting' });
    expect(planOne(makeDestination({ channelArn: CHANNEL, generation: 1 }), LIVE).step).toEqual({ kind: 'create-source' });
  });

  it('desired off, recorded channel gone: forgets it, so recorded ids match what exists', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveChannelId: 'ch-gone', mediaLiveConfigRevision: 1 });
    expect(planOne(d, OFFLINE)).toMatchObject({ step: { kind: 'forget-relay', relayId: 'ch-gone' }, status: 'inactive' });
  });

  it('desired on, recorded channel gone but another of its channels found by tag: adopts that one', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveChannelId: 'ch-gone', mediaLiveConfigRevision: 1 });
    const decision = planOne(d, LIVE, [channel('ch-7', 'IDLE', d.id)]);
    expect(decision.adopt).toMatchObject({ id: 'ch-7' });
    expect(decision.step).toEqual({ kind: 'start', relayId: 'ch-7' });
  });

  it('desired on, no channel, a retired input left: deletes the input before creating anything', () => {
    const d = makeDestination({ channelArn: CHANNEL, staleInputIds: ['in-old'] });
    expect(planOne(d, LIVE)).toMatchObject({ step: { kind: 'delete-sources', sourceIds: ['in-old'] }, status: 'starting' });
  });

  it('desired on, create interrupted after the input was made: creates the channel on that input', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveInputId: 'in-9' });
    expect(planOne(d, LIVE)).toMatchObject({ step: { kind: 'create-relay', sourceId: 'in-9' }, status: 'starting' });
  });

  it('desired on, IDLE: starts', () => {
    const { d, channels } = withChannel('IDLE');
    const decision = planOne(d, LIVE, channels);
    expect(decision).toMatchObject({ step: { kind: 'start', relayId: 'ch-1' }, status: 'starting' });
    expect(decision.adopt).toBeUndefined(); // recorded already: nothing to write
  });

  it.each(['CREATING', 'STARTING', 'RUNNING', 'RECOVERING'] as const)('desired on, %s: does nothing and records the status', (state) => {
    const { d, channels } = withChannel(state);
    const decision = planOne(d, LIVE, channels);
    expect(decision.step).toBeNull();
    expect(decision.status).toBe(state === 'RUNNING' || state === 'RECOVERING' ? 'active' : 'starting');
  });

  it('desired on, STARTING: keeps an earlier error until the channel runs', () => {
    const { d, channels } = withChannel('STARTING', { lastError: { code: 'THROTTLED', message: 'x', at: NOW.toISOString() } });
    expect(planOne(d, LIVE, channels).lastError).toBeUndefined();
  });

  it('desired on, RUNNING: clears an earlier error', () => {
    const { d, channels } = withChannel('RUNNING', { lastError: { code: 'THROTTLED', message: 'x', at: NOW.toISOString() } });
    expect(planOne(d, LIVE, channels).lastError).toBeNull();
  });

  it.each(['RUNNING', 'STARTING', 'RECOVERING'] as const)('desired off, %s: stops', (state) => {
    const { d, channels } = withChannel(state, { enabled: false });
    const decision = planOne(d, LIVE, channels);
    expect(decision.step).toEqual({ kind: 'stop', relayId: 'ch-1' });
    expect(decision.status).toBe('stopping');
  });

  it('desired off, IDLE: does nothing', () => {
    const { d, channels } = withChannel('IDLE', { status: 'stopping' });
    const decision = planOne(d, OFFLINE, channels);
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('inactive');
  });

  it('desired off, no channel: does nothing', () => {
    const decision = planOne(makeDestination({ channelArn: CHANNEL }), OFFLINE);
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('inactive');
  });

  it('desired off, STOPPING: waits and records stopping', () => {
    const { d, channels } = withChannel('STOPPING');
    const decision = planOne(d, OFFLINE, channels);
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('stopping');
  });

  it.each(['CREATE_FAILED', 'UPDATE_FAILED'] as const)('any desired state, %s: records the error', (state) => {
    for (const stream of [LIVE, OFFLINE]) {
      const { d, channels } = withChannel(state);
      const decision = planOne(d, stream, channels);
      expect(decision.status).toBe('error');
      expect(decision.lastError).toMatchObject({ code: `MEDIALIVE_${state}` });
    }
  });

  it('CREATE_FAILED and desired on: deletes the channel so the next start recreates it', () => {
    const { d, channels } = withChannel('CREATE_FAILED');
    expect(planOne(d, LIVE, channels).step).toEqual({ kind: 'delete-relay', relayId: 'ch-1' });
  });

  it('CREATE_FAILED and desired off: keeps the channel and does not rewrite the same error', () => {
    const { d, channels } = withChannel('CREATE_FAILED', {
      status: 'error',
      lastError: { code: 'MEDIALIVE_CREATE_FAILED', message: 'x', at: NOW.toISOString() },
    });
    const decision = planOne(d, OFFLINE, channels);
    expect(decision.step).toBeNull();
    expect(decision.lastError).toBeUndefined();
  });

  it.each(['RUNNING', 'IDLE', 'STARTING', 'CREATE_FAILED'] as const)(
    'destination deleted, %s: stops, then deletes channel and input',
    (state) => {
      const { d, channels } = withChannel(state, { deleteRequested: true, status: 'deleting' });
      const decision = planOne(d, LIVE, channels);
      expect(decision.status).toBe('deleting');
      if (state === 'RUNNING' || state === 'STARTING') expect(decision.step).toEqual({ kind: 'stop', relayId: 'ch-1' });
      else expect(decision.step).toEqual({ kind: 'delete-relay', relayId: 'ch-1' });
    },
  );

  it('destination deleted, channel gone but input left: deletes the input', () => {
    const d = makeDestination({ channelArn: CHANNEL, deleteRequested: true, staleInputIds: ['in-1'] });
    expect(planOne(d, OFFLINE).step).toEqual({ kind: 'delete-sources', sourceIds: ['in-1'] });
  });

  it('destination deleted, nothing left in MediaLive: removes the item', () => {
    const d = makeDestination({ channelArn: CHANNEL, deleteRequested: true });
    expect(planOne(d, OFFLINE).step).toEqual({ kind: 'remove' });
  });

  it('destination deleted, channel DELETING: waits for it to go', () => {
    const { d, channels } = withChannel('DELETING', { deleteRequested: true });
    expect(planOne(d, OFFLINE, channels).step).toBeNull();
  });

  it('config changed, channel IDLE: deletes it so the next start recreates it from the new config', () => {
    const { d, channels } = withChannel('IDLE', { configRevision: 2 });
    const decision = planOne(d, LIVE, channels);
    expect(decision.step).toEqual({ kind: 'delete-relay', relayId: 'ch-1' });
    expect(decision.status).toBe('starting');
  });

  it('config changed, channel IDLE and not wanted: deletes it too', () => {
    const { d, channels } = withChannel('IDLE', { configRevision: 2 });
    expect(planOne(d, OFFLINE, channels)).toMatchObject({ step: { kind: 'delete-relay' }, status: 'inactive' });
  });

  it('config changed while running: stops so that the change takes effect', () => {
    const { d, channels } = withChannel('RUNNING', { configRevision: 2 });
    expect(planOne(d, LIVE, channels)).toMatchObject({ step: { kind: 'stop', relayId: 'ch-1' }, status: 'stopping' });
  });

  it('inputs of a deleted channel are deleted once nothing uses them', () => {
    const d = makeDestination({ channelArn: CHANNEL, staleInputIds: ['in-old'] });
    expect(planOne(d, OFFLINE)).toMatchObject({ step: { kind: 'delete-sources', sourceIds: ['in-old'] }, status: 'inactive' });
    const stillAttached = [{ ...channel('ch-old', 'DELETING', 'someone-else'), inputIds: ['in-old'] }];
    expect(planOne(d, OFFLINE, stillAttached).step).toBeNull();
  });
});

describe('when to look again: after the engine transition it waits for, never sooner', () => {
  it('a destination another reconcile holds: one second after that lease ends', () => {
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 20_000).toISOString() };
    expect(planOne(makeDestination({ channelArn: CHANNEL, lease }), LIVE).recheckAfterMs).toBe(21_000);
  });

  it('a channel being created: after the create time while someone waits for it, not at all otherwise', () => {
    const { d, channels } = withChannel('CREATING');
    expect(planOne(d, LIVE, channels)).toMatchObject({ step: null, status: 'starting', recheckAfterMs: TIMINGS.provisionMs });
    expect(planOne(d, OFFLINE, channels).recheckAfterMs).toBeUndefined();
    const deleted = withChannel('CREATING', { deleteRequested: true });
    expect(planOne(deleted.d, OFFLINE, deleted.channels)).toMatchObject({ status: 'deleting', recheckAfterMs: TIMINGS.provisionMs });
    const edited = withChannel('CREATING', { configRevision: 2 });
    expect(planOne(edited.d, OFFLINE, edited.channels).recheckAfterMs).toBe(TIMINGS.provisionMs);
  });

  it('a channel stopping: after the stop time when a deletion or a rebuild waits for it, not at all otherwise', () => {
    const { d, channels } = withChannel('STOPPING');
    expect(planOne(d, OFFLINE, channels).recheckAfterMs).toBeUndefined();
    expect(planOne(d, LIVE, channels).recheckAfterMs).toBeUndefined();
    const deleted = withChannel('STOPPING', { deleteRequested: true });
    expect(planOne(deleted.d, OFFLINE, deleted.channels)).toMatchObject({ status: 'deleting', recheckAfterMs: TIMINGS.stopMs });
    const edited = withChannel('STOPPING', { configRevision: 2 });
    expect(planOne(edited.d, LIVE, edited.channels)).toMatchObject({ status: 'stopping', recheckAfterMs: TIMINGS.stopMs });
  });

  it('a channel being deleted: after the delete time, recording starting while wanted and inactive otherwise', () => {
    const { d, channels } = withChannel('DELETING');
    expect(planOne(d, LIVE, channels)).toMatchObject({ step: null, status: 'starting', recheckAfterMs: TIMINGS.deleteMs });
    expect(planOne(d, OFFLINE, channels)).toMatchObject({ step: null, status: 'inactive', recheckAfterMs: TIMINGS.deleteMs });
  });

  it('an unrecorded channel of the destination still deleting: waits for it to go before creating another', () => {
    const d = makeDestination({ channelArn: CHANNEL });
    const old = [channel('ch-old', 'DELETING', d.id)];
    expect(planOne(d, LIVE, old)).toMatchObject({ step: null, status: 'starting', recheckAfterMs: TIMINGS.deleteMs });
    expect(planOne(d, OFFLINE, old)).toMatchObject({ step: null, status: 'inactive' });
    expect(planOne(d, OFFLINE, old).recheckAfterMs).toBeUndefined();
    const deleted = { ...d, deleteRequested: true };
    expect(planOne(deleted, OFFLINE, old)).toMatchObject({ step: null, status: 'deleting', recheckAfterMs: TIMINGS.deleteMs });
  });

  it('a deleted destination whose retired input is still attached: waits for it, and removes nothing yet', () => {
    const d = makeDestination({ channelArn: CHANNEL, deleteRequested: true, staleInputIds: ['in-old'] });
    const attached = [{ ...channel('ch-x', 'DELETING', 'someone-else'), inputIds: ['in-old'] }];
    expect(planOne(d, OFFLINE, attached)).toMatchObject({ step: null, status: 'deleting', recheckAfterMs: TIMINGS.deleteMs });
  });
});

describe('after a relay failed', () => {
  const failedAgo = (ms: number, code = 'MEDIALIVE_CREATE_FAILED') => ({
    status: 'error' as const,
    lastError: { code, message: 'x', at: new Date(NOW.getTime() - ms).toISOString() },
  });

  it('creates a new channel no sooner than a minute after the failure, and says when to look again', () => {
    const d = makeDestination({ channelArn: CHANNEL, ...failedAgo(20_000) });
    expect(planOne(d, LIVE)).toMatchObject({ step: null, status: 'error', recheckAfterMs: RECREATE_AFTER_FAILURE_MS - 20_000 });
    const later = makeDestination({ channelArn: CHANNEL, ...failedAgo(RECREATE_AFTER_FAILURE_MS) });
    expect(planOne(later, LIVE)).toMatchObject({ step: { kind: 'create-source' }, status: 'starting' });
  });

  it('does not hold back a create after an error that is not a relay failure', () => {
    const d = makeDestination({ channelArn: CHANNEL, ...failedAgo(0, 'THROTTLED') });
    expect(planOne(d, LIVE).step).toEqual({ kind: 'create-source' });
  });

  it('records nothing new for a failed destination nobody wants', () => {
    const d = makeDestination({ channelArn: CHANNEL, ...failedAgo(0) });
    expect(planOne(d, OFFLINE)).toMatchObject({ step: null, status: 'inactive' });
    expect(planOne(d, OFFLINE).recheckAfterMs).toBeUndefined();
  });

  it('a failed channel without a failure reason of its own gets a message naming it', () => {
    const { d } = withChannel('CREATE_FAILED');
    const failed: Relay = { id: 'ch-1', state: 'failed', destinationId: d.id, configRevision: 1, sourceIds: [], engineState: 'STOPPED' };
    const decision = planOne(d, LIVE, [], { relays: [failed] });
    expect(decision.lastError).toMatchObject({ code: 'RELAY_FAILED', at: NOW.toISOString() });
    expect(decision.lastError?.message).toContain('ch-1');
  });
});

describe('retired inputs', () => {
  it('are deleted while the channel runs, once no channel uses them', () => {
    const { d, channels } = withChannel('RUNNING', { staleInputIds: ['in-old'] });
    expect(planOne(d, LIVE, channels).step).toEqual({ kind: 'delete-sources', sourceIds: ['in-old'] });
  });

  it('wait while another step is due: that step comes first', () => {
    const { d, channels } = withChannel('IDLE', { staleInputIds: ['in-old'] });
    expect(planOne(d, LIVE, channels).step).toEqual({ kind: 'start', relayId: 'ch-1' });
  });
});

describe('idle channels (IDLE_CHANNEL_TTL_SECONDS)', () => {
  const TTL = 600;
  const idleFor = (seconds: number) => ({
    status: 'inactive' as const,
    statusSince: new Date(NOW.getTime() - seconds * 1000).toISOString(),
  });

  it('an IDLE channel nobody wants that was just seen stopping: records inactive and when its TTL ends, deletes nothing yet', () => {
    const { d, channels } = withChannel('IDLE', { status: 'stopping', statusSince: NOW.toISOString() });
    const decision = planOne(d, OFFLINE, channels, { idleTtlSeconds: TTL });
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('inactive');
    expect(decision.idleTtlEndsAt).toBe(new Date(NOW.getTime() + TTL * 1000).toISOString());
    expect(decision.recheckAfterMs).toBeUndefined();
  });

  it('idle for less than the TTL: waits, and asks for no look-again of its own (the queued one at the TTL end does)', () => {
    const { d, channels } = withChannel('IDLE', idleFor(TTL - 1));
    const decision = planOne(d, OFFLINE, channels, { idleTtlSeconds: TTL });
    expect(decision.step).toBeNull();
    expect(decision.idleTtlEndsAt).toBeUndefined();
    expect(decision.recheckAfterMs).toBeUndefined();
  });

  it('idle for the TTL: deletes the channel and keeps its input', () => {
    const { d, channels } = withChannel('IDLE', idleFor(TTL));
    const decision = planOne(d, OFFLINE, channels, { idleTtlSeconds: TTL });
    expect(decision.step).toEqual({ kind: 'delete-relay', relayId: 'ch-1', keepSource: true });
    expect(decision.status).toBe('inactive');
  });

  it.each([
    ['disabled', { enabled: false }, LIVE],
    ['paused for this broadcast', { pausedStreamId: 'st-1' }, LIVE],
    ['offline', {}, OFFLINE],
  ] as const)('applies to a destination that is %s', (_why, overrides, stream) => {
    const { d, channels } = withChannel('IDLE', { ...idleFor(TTL + 1), ...overrides });
    expect(planOne(d, stream, channels, { idleTtlSeconds: TTL }).step).toEqual({ kind: 'delete-relay', relayId: 'ch-1', keepSource: true });
  });

  it('applies in the grace period too: an IDLE channel is not holding anything', () => {
    const { d, channels } = withChannel('IDLE', idleFor(TTL + 1));
    const holding: ChannelLiveness = { live: false, streamId: 'st-1', offlineSince: new Date(NOW.getTime() - 10_000).toISOString() };
    expect(planOne(d, holding, channels, { idleTtlSeconds: TTL }).step).toEqual({
      kind: 'delete-relay',
      relayId: 'ch-1',
      keepSource: true,
    });
  });

  it('a wanted IDLE channel is started, however long it was idle', () => {
    const { d, channels } = withChannel('IDLE', idleFor(10 * TTL));
    expect(planOne(d, LIVE, channels, { idleTtlSeconds: TTL }).step).toEqual({ kind: 'start', relayId: 'ch-1' });
  });

  it('TTL 0: deletes an idle channel as soon as it is seen idle', () => {
    const { d, channels } = withChannel('IDLE', { status: 'stopping', statusSince: NOW.toISOString() });
    expect(planOne(d, OFFLINE, channels, { idleTtlSeconds: 0 }).step).toEqual({ kind: 'delete-relay', relayId: 'ch-1', keepSource: true });
  });

  it('the clock gone backwards (statusSince in the future) deletes nothing', () => {
    const { d, channels } = withChannel('IDLE', idleFor(-30));
    expect(planOne(d, OFFLINE, channels, { idleTtlSeconds: TTL }).step).toBeNull();
  });

  it('a kept input without a channel stays while nobody wants it, and the next go-live creates the channel on it', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveInputId: 'in-kept', generation: 3 });
    const idle = planOne(d, OFFLINE);
    expect(idle.step).toBeNull();
    expect(idle.status).toBe('inactive');
    expect(planOne(d, LIVE).step).toEqual({ kind: 'create-relay', sourceId: 'in-kept' });
  });

  it('a deleted destination still deletes its kept input', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveInputId: 'in-kept', deleteRequested: true, status: 'deleting' });
    expect(planOne(d, OFFLINE).step).toEqual({ kind: 'delete-sources', sourceIds: ['in-kept'] });
  });

  it('the channel deleted for being idle is forgotten once gone; the item then keeps its input', () => {
    const d = makeDestination({
      channelArn: CHANNEL,
      mediaLiveChannelId: 'ch-1',
      mediaLiveInputId: 'in-ch-1',
      mediaLiveConfigRevision: 1,
      idleDeletedRelayId: 'ch-1',
    });
    expect(planOne(d, OFFLINE).step).toEqual({ kind: 'forget-relay', relayId: 'ch-1' });
  });
});

describe('grace period', () => {
  const offlineFor = (seconds: number): ChannelLiveness => ({
    live: false,
    streamId: 'st-1',
    offlineSince: new Date(NOW.getTime() - seconds * 1000).toISOString(),
  });

  it('keeps a running channel running while the stream has been offline shorter than the grace period', () => {
    const { d, channels } = withChannel('RUNNING');
    const decision = planOne(d, offlineFor(60), channels);
    expect(decision.desired).toBe('hold');
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('active');
  });

  it('stops the channel when the stream has been offline longer than the grace period', () => {
    const { d, channels } = withChannel('RUNNING');
    expect(planOne(d, offlineFor(121), channels).step).toEqual({ kind: 'stop', relayId: 'ch-1' });
  });

  it('does not start anything during the grace period', () => {
    const { d, channels } = withChannel('IDLE', { statusSince: NOW.toISOString() });
    expect(planOne(d, offlineFor(10), channels).step).toBeNull();
    expect(planOne(makeDestination({ channelArn: CHANNEL }), offlineFor(10)).step).toBeNull();
  });

  it('stops a disabled destination at once, without waiting for the grace period', () => {
    const { d, channels } = withChannel('RUNNING', { enabled: false });
    expect(planOne(d, offlineFor(10), channels).step).toEqual({ kind: 'stop', relayId: 'ch-1' });
  });

  it('re-attaches a running channel once when the stream came back inside the broadcast with a new id', () => {
    const returned: ChannelLiveness = { live: true, streamId: 'st-2', broadcastId: 'st-1' };
    const { d, channels } = withChannel('RUNNING', { lastError: { code: 'THROTTLED', message: 'x', at: NOW.toISOString() } });
    expect(planOne(d, returned, channels)).toMatchObject({
      step: { kind: 'reattach', relayId: 'ch-1', streamId: 'st-2' },
      status: 'active',
      lastError: null,
    });
    const done = withChannel('RUNNING', { reattachedStreamId: 'st-2' });
    expect(planOne(done.d, returned, done.channels).step).toBeNull();
    // The stream that began the broadcast is what the channel was started on: nothing to do.
    expect(planOne(d, { live: true, streamId: 'st-1', broadcastId: 'st-1' }, channels).step).toBeNull();
  });

  it('re-attaches only a live stream, only a running channel, and never to a stream it does not know', () => {
    const { d, channels } = withChannel('RUNNING');
    const offlineAgain = {
      live: false,
      streamId: 'st-2',
      broadcastId: 'st-1',
      offlineSince: new Date(NOW.getTime() - 10_000).toISOString(),
    };
    expect(planOne(d, offlineAgain, channels).step).toBeNull();
    const starting = withChannel('STARTING');
    expect(planOne(starting.d, { live: true, streamId: 'st-2', broadcastId: 'st-1' }, starting.channels).step).toBeNull();
    const done = withChannel('RUNNING', { reattachedStreamId: 'st-2' });
    expect(planOne(done.d, { live: true, broadcastId: 'st-1' }, done.channels).step).toBeNull();
  });

  it('honours a grace period of zero', () => {
    const { d, channels } = withChannel('RUNNING');
    expect(planOne(d, offlineFor(0), channels, { graceSeconds: 0 }).step).toEqual({ kind: 'stop', relayId: 'ch-1' });
  });
});

describe('manual stop and start', () => {
  it('a manual stop keeps the destination off for the current stream', () => {
    const { d, channels } = withChannel('RUNNING', { pausedStreamId: 'st-1' });
    expect(planOne(d, LIVE, channels).step).toEqual({ kind: 'stop', relayId: 'ch-1' });
    const stopped = withChannel('IDLE', { pausedStreamId: 'st-1', statusSince: NOW.toISOString() });
    expect(planOne(stopped.d, LIVE, stopped.channels).step).toBeNull();
  });

  it('a paused destination comes back by itself on the next stream', () => {
    const { d, channels } = withChannel('IDLE', { pausedStreamId: 'st-1' });
    expect(planOne(d, { live: true, streamId: 'st-2' }, channels).step).toEqual({ kind: 'start', relayId: 'ch-1' });
  });
});

describe('races and leases', () => {
  it('does nothing for a destination another reconcile holds the lease of', () => {
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 60_000).toISOString() };
    const decision = planOne(makeDestination({ channelArn: CHANNEL, lease, staleInputIds: ['in-old'] }), LIVE);
    expect(decision.busy).toBe(true);
    expect(decision.step).toBeNull();
    expect(decision.status).toBe('inactive');
  });

  it('acts again once a lease has expired', () => {
    const lease = { owner: 'dead', until: new Date(NOW.getTime() - 1).toISOString() };
    expect(planOne(makeDestination({ channelArn: CHANNEL, lease }), LIVE).step).toEqual({ kind: 'create-source' });
  });

  it('does not adopt a channel that is being deleted or another reconcile is acting on', () => {
    const d = makeDestination({ channelArn: CHANNEL, deleteRequested: true, status: 'deleting' });
    const deleting = planOne(d, LIVE, [channel('ch-7', 'DELETING', d.id)]);
    expect(deleting.adopt).toBeUndefined();
    expect(deleting.step).toBeNull(); // wait for it to go, then remove
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 60_000).toISOString() };
    const leased = planOne({ ...d, lease }, LIVE, [channel('ch-7', 'IDLE', d.id)]);
    expect(leased.adopt).toBeUndefined();
  });

  it('adopts a channel found by its tag that the item does not record', () => {
    const d = makeDestination({ channelArn: CHANNEL });
    const decision = planOne(d, LIVE, [channel('ch-7', 'RUNNING', d.id)]);
    expect(decision.adopt).toMatchObject({ id: 'ch-7', sourceIds: ['in-ch-7'], configRevision: 1 });
    expect(decision.step).toBeNull();
  });

  it('rebuilds an adopted channel that was built from an older config (an old stream key)', () => {
    const d = makeDestination({ channelArn: CHANNEL, configRevision: 2 });
    const idle = planOne(d, LIVE, [channel('ch-7', 'IDLE', d.id, 1)]);
    expect(idle.adopt).toMatchObject({ id: 'ch-7', sourceIds: ['in-ch-7'], configRevision: 1 });
    expect(idle.step).toEqual({ kind: 'delete-relay', relayId: 'ch-7' });
    const untagged = { ...channel('ch-8', 'RUNNING', d.id), tags: { [TAG_PROJECT]: 'p', [TAG_DESTINATION]: d.id } };
    expect(planOne(d, LIVE, [untagged]).step).toEqual({ kind: 'stop', relayId: 'ch-8' });
  });
});

describe('orphans', () => {
  it('on a complete view, stops or deletes tagged channels whose destination is gone', () => {
    const result = plan({
      destinations: [],
      streams: new Map(),
      relays: relays([channel('ch-a', 'RUNNING', 'gone-1'), channel('ch-b', 'IDLE', 'gone-2'), channel('ch-c', 'STOPPING', 'gone-3')]),
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: true,
    });
    expect(result.orphans.map((o) => o.step)).toEqual([{ kind: 'stop', relayId: 'ch-a' }, { kind: 'delete-relay', relayId: 'ch-b' }, null]);
  });

  it('leaves alone the channels of a destination whose item exists but does not parse (MALFORMED_ITEM)', () => {
    const result = plan({
      destinations: [],
      streams: new Map(),
      relays: relays([channel('ch-a', 'RUNNING', 'typo-1'), channel('ch-b', 'IDLE', 'typo-1'), channel('ch-c', 'RUNNING', 'gone-1')]),
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: true,
      malformedIds: new Set(['typo-1']),
    });
    expect(result.orphans.map((o) => o.relay.id)).toEqual(['ch-c']);
  });

  it('deletes a failed channel nobody owns, and waits for one that is being deleted', () => {
    const result = plan({
      destinations: [],
      streams: new Map(),
      relays: relays([
        channel('ch-f', 'CREATE_FAILED', 'gone-1'),
        channel('ch-d', 'DELETING', 'gone-2'),
        channel('ch-s', 'STARTING', 'gone-3'),
      ]),
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: true,
    });
    expect(result.orphans.map((o) => o.step)).toEqual([{ kind: 'delete-relay', relayId: 'ch-f' }, null, { kind: 'stop', relayId: 'ch-s' }]);
  });

  it('cleans up a second channel of a destination, unless another reconcile holds it (its create may not be recorded yet)', () => {
    const { d, channels } = withChannel('RUNNING');
    const second = channel('ch-2', 'IDLE', d.id);
    const planWith = (dest: Destination) =>
      plan({
        destinations: [dest],
        streams: new Map([[CHANNEL, LIVE]]),
        relays: relays([...channels, second]),
        timings: TIMINGS,
        now: NOW,
        graceSeconds: 120,
        idleTtlSeconds: 600,
        complete: true,
      }).orphans;
    expect(planWith(d)).toEqual([expect.objectContaining({ step: { kind: 'delete-relay', relayId: 'ch-2' } })]);
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 60_000).toISOString() };
    expect(planWith({ ...d, lease })).toEqual([]);
  });

  it('on a partial view, touches no channel it cannot attribute', () => {
    const result = plan({
      destinations: [],
      streams: new Map(),
      relays: relays([channel('ch-a', 'RUNNING', 'x')]),
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: false,
    });
    expect(result.orphans).toEqual([]);
  });
});

describe('IVS events are hints: order and repetition change nothing', () => {
  const started = { channelArn: CHANNEL, streamId: 'st-1', startTime: '2026-01-01T11:59:00.000Z' };

  it('a duplicate observation of the same live stream writes nothing', () => {
    const first = nextStreamState(CHANNEL, undefined, started, NOW, 120);
    expect(first.changed).toBe(true);
    const again = nextStreamState(CHANNEL, first.next, started, NOW, 120);
    expect(again.changed).toBe(false);
  });

  it('an observation of offline twice records offlineSince only the first time', () => {
    const live = nextStreamState(CHANNEL, undefined, started, NOW, 120).next;
    const off = nextStreamState(CHANNEL, live, undefined, NOW, 120);
    expect(off.next.offlineSince).toBe(NOW.toISOString());
    expect(off.transition).toEqual({ from: 'LIVE', to: 'OFFLINE', streamId: 'st-1' });
    const later = new Date(NOW.getTime() + 30_000);
    expect(nextStreamState(CHANNEL, off.next, undefined, later, 120).changed).toBe(false);
  });

  it('plans the same for any order of the same observations, because each plan reads IVS, not the event', () => {
    // A late "Stream End" event arriving after a new "Stream Start": the reconcile confirms
    // with IVS, which says live; whatever the order, the final state and plan are the same.
    const d = makeDestination({ channelArn: CHANNEL });
    const observations = [started, undefined, { ...started, streamId: 'st-2' }];
    const final = (order: (typeof observations)[number][]) => {
      let state = undefined as ReturnType<typeof nextStreamState>['next'] | undefined;
      for (const o of order) state = nextStreamState(CHANNEL, state, o, NOW, 120).next;
      // Every reconcile ends by asking IVS: the last word is what IVS says now (live, st-2).
      state = nextStreamState(CHANNEL, state, { ...started, streamId: 'st-2' }, NOW, 120).next;
      return plan({
        destinations: [d],
        streams: new Map([[CHANNEL, livenessOf(state)]]),
        relays: relays([]),
        timings: TIMINGS,
        now: NOW,
        graceSeconds: 120,
        idleTtlSeconds: 600,
        complete: false,
      });
    };
    const inOrder = final(observations);
    expect(final([...observations].reverse())).toEqual(inOrder);
    expect(final([observations[1], observations[1], observations[0]])).toEqual(inOrder);
    expect(inOrder.decisions[0]!.step).toEqual({ kind: 'create-source' });
  });
});

describe('orphaned inputs', () => {
  const input = (id: string, destinationId: string, attachedChannelIds: string[] = []) => ({
    id,
    tags: { [TAG_PROJECT]: 'p', [TAG_DESTINATION]: destinationId },
    attachedChannelIds,
  });
  const planInputs = (
    destinations: Destination[],
    inputs: ReturnType<typeof input>[],
    complete = true,
    channels: MediaLiveChannel[] = [],
  ) =>
    plan({
      destinations,
      streams: new Map(),
      relays: relays(channels),
      sources: inputs.map((i) => ({ id: i.id, destinationId: i.tags[TAG_DESTINATION], attachedTo: i.attachedChannelIds })),
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete,
    }).orphanSourceIds;

  it('deletes unattached inputs whose destination is gone or does not record them', () => {
    const d = makeDestination({ channelArn: CHANNEL, mediaLiveInputId: 'in-recorded', staleInputIds: ['in-stale'] });
    const inputs = [
      input('in-gone', 'deleted-destination'),
      input('in-forgotten', d.id),
      input('in-recorded', d.id),
      input('in-stale', d.id),
    ];
    expect(planInputs([d], inputs)).toEqual(['in-gone', 'in-forgotten']);
  });

  it('keeps the unattached inputs of a destination whose item does not parse: what it records cannot be read', () => {
    const result = plan({
      destinations: [],
      streams: new Map(),
      relays: [],
      sources: [
        { id: 'in-typo', destinationId: 'typo-1', attachedTo: [] },
        { id: 'in-gone', destinationId: 'gone-1', attachedTo: [] },
      ],
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: true,
      malformedIds: new Set(['typo-1']),
    });
    expect(result.orphanSourceIds).toEqual(['in-gone']);
  });

  it('deletes an unattached input of the project that names no destination', () => {
    const result = plan({
      destinations: [makeDestination({ channelArn: CHANNEL })],
      streams: new Map(),
      relays: [],
      sources: [{ id: 'in-untagged', destinationId: undefined, attachedTo: [] }],
      timings: TIMINGS,
      now: NOW,
      graceSeconds: 120,
      idleTtlSeconds: 600,
      complete: true,
    });
    expect(result.orphanSourceIds).toEqual(['in-untagged']);
  });

  it('keeps inputs that are attached to a channel', () => {
    const attachedByListing = [{ ...channel('ch-1', 'DELETING', 'x'), inputIds: ['in-b'] }];
    expect(planInputs([], [input('in-a', 'x', ['ch-9']), input('in-b', 'x')], true, attachedByListing)).toEqual([]);
  });

  it('keeps the inputs of a destination another reconcile holds, whose create may not have recorded them yet', () => {
    const lease = { owner: 'other', until: new Date(NOW.getTime() + 60_000).toISOString() };
    const d = makeDestination({ channelArn: CHANNEL, lease });
    expect(planInputs([d], [input('in-new', d.id)])).toEqual([]);
  });

  it('deletes no input on a partial view', () => {
    expect(planInputs([], [input('in-gone', 'deleted-destination')], false)).toEqual([]);
  });
});
