/**
 * MediaLive as a relay engine: one channel (and its URL_PULL input) per destination, behind the
 * engine-neutral port of `core/relay.ts`. Works over any MediaLiveGateway: the AWS SDK one in
 * Lambda, the simulator in tests and the local stack.
 */
import type { MediaLiveChannel, MediaLiveChannelState, MediaLiveGateway } from '../../core/ports';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../core/ports';
import type { Relay, RelayEngine, RelaySource, RelaySpec, RelayState, RelayTimings } from '../../core/relay';

/**
 * MediaLive's channel states (https://docs.aws.amazon.com/medialive/latest/ug/monitor-activity-types-channel.html)
 * on the engine-neutral relay states. DELETED channels are never reported (absent).
 */
export const RELAY_STATE_OF: Record<MediaLiveChannelState, Exclude<RelayState, 'absent'> | 'absent'> = {
  CREATING: 'provisioning',
  UPDATING: 'provisioning',
  IDLE: 'idle',
  STARTING: 'starting',
  RUNNING: 'running',
  RECOVERING: 'running',
  STOPPING: 'stopping',
  CREATE_FAILED: 'failed',
  UPDATE_FAILED: 'failed',
  DELETING: 'deleting',
  DELETED: 'absent',
};

/**
 * Typical MediaLive transition times (a SINGLE_PIPELINE channel: created in seconds, started in
 * about a minute, stopped in about half a minute); the executor looks again after these unless
 * a MediaLive Channel State Change event comes first.
 */
export const MEDIALIVE_TIMINGS: RelayTimings = { provisionMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 };

/** The relay view of a MediaLive channel; undefined for a DELETED one. */
export function relayOf(channel: MediaLiveChannel): Relay | undefined {
  const state = RELAY_STATE_OF[channel.state];
  if (state === 'absent') return undefined;
  const revision = Number(channel.tags[TAG_CONFIG_REVISION]);
  const relay: Relay = {
    id: channel.id,
    state,
    destinationId: channel.tags[TAG_DESTINATION],
    configRevision: channel.tags[TAG_CONFIG_REVISION] !== undefined && Number.isInteger(revision) ? revision : undefined,
    sourceIds: [...channel.inputIds],
    engineState: channel.state,
  };
  if (state === 'failed') {
    const what = channel.state === 'CREATE_FAILED' ? 'creation' : 'update';
    relay.failure = {
      code: `MEDIALIVE_${channel.state}`,
      message: `MediaLive channel ${channel.id} ${what} failed; it will be deleted and created again at the next start.`,
    };
  }
  return relay;
}

export class MediaLiveRelayEngine implements RelayEngine {
  readonly name = 'medialive';

  constructor(
    private readonly mediaLive: MediaLiveGateway,
    /** When set, `describeRelay` reports channels of other projects as absent. */
    private readonly projectName?: string,
    readonly timings: RelayTimings = MEDIALIVE_TIMINGS,
  ) {}

  async listRelays(): Promise<Relay[]> {
    return (await this.mediaLive.listChannels()).flatMap((c) => relayOf(c) ?? []);
  }

  async describeRelay(relayId: string): Promise<Relay | undefined> {
    const channel = await this.mediaLive.describeChannel(relayId);
    if (!channel || (this.projectName !== undefined && channel.tags[TAG_PROJECT] !== this.projectName)) return undefined;
    return relayOf(channel);
  }

  async listSources(): Promise<RelaySource[]> {
    return (await this.mediaLive.listInputs()).map((i) => ({
      id: i.id,
      destinationId: i.tags[TAG_DESTINATION],
      attachedTo: [...i.attachedChannelIds],
    }));
  }

  async createSource(spec: RelaySpec): Promise<string> {
    return (await this.mediaLive.createInput(spec)).inputId;
  }

  async createRelay(spec: RelaySpec, sourceId: string): Promise<Relay> {
    const channel = await this.mediaLive.createChannel(spec, sourceId);
    const relay = relayOf(channel);
    // CreateChannel returns a channel that exists; DELETED would mean a replayed RequestId of a
    // deleted channel, which the generation in the RequestId rules out.
    return (
      relay ?? {
        id: channel.id,
        state: 'deleting',
        destinationId: spec.destinationId,
        configRevision: spec.configRevision,
        sourceIds: [sourceId],
        engineState: channel.state,
      }
    );
  }

  startRelay(relayId: string): Promise<void> {
    return this.mediaLive.startChannel(relayId);
  }

  reattachSource(relayId: string, streamId: string): Promise<void> {
    return this.mediaLive.reattachInput(relayId, streamId);
  }

  stopRelay(relayId: string): Promise<void> {
    return this.mediaLive.stopChannel(relayId);
  }

  deleteRelay(relayId: string): Promise<void> {
    return this.mediaLive.deleteChannel(relayId);
  }

  deleteSource(sourceId: string): Promise<void> {
    return this.mediaLive.deleteInput(sourceId);
  }
}
