/**
 * The MediaLive port over the AWS SDK. Every call maps its errors to domain errors; the stream key
 * of a ChannelSpec goes only into the CreateChannel request and is masked in every error.
 */
import {
  BatchUpdateScheduleCommand,
  CreateChannelCommand,
  CreateInputCommand,
  DeleteChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  StartChannelCommand,
  StopChannelCommand,
  paginateListChannels,
  paginateListInputs,
  type ChannelSummary,
  type DescribeChannelResponse,
  type MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { ResourceNotFoundError, RestreamingError } from '../../core/errors';
import {
  MEDIALIVE_CHANNEL_STATES,
  TAG_PROJECT,
  type ChannelSpec,
  type MediaLiveChannel,
  type MediaLiveChannelState,
  type MediaLiveGateway,
  type MediaLiveInput,
} from '../../core/ports';
import { isAccessDenied, isDuplicateScheduleAction, toDomainError } from './errors';
import { buildCreateChannelRequest, buildCreateInputRequest, buildReattachInputRequest } from './requests';

/**
 * Page size of ListChannels and ListInputs, set explicitly so the calls per reconcile are what AWS
 * will do: MaxResults is 1..1000 in the MediaLive API model
 * (https://docs.aws.amazon.com/medialive/latest/apireference/channels.html#channelsget).
 */
export const MEDIALIVE_LIST_PAGE_SIZE = 1000;

/** The fields ListChannels, DescribeChannel and CreateChannel all return. */
type ChannelDescription = Pick<ChannelSummary, 'Id' | 'Name' | 'State' | 'Tags' | 'InputAttachments'>;

const STATES: ReadonlySet<string> = new Set(MEDIALIVE_CHANNEL_STATES);

function toChannel(c: ChannelDescription, operation: string): MediaLiveChannel {
  if (!c.Id || !c.State || !STATES.has(c.State)) {
    throw new RestreamingError(`MediaLive ${operation} returned a channel without an id or with an unknown state (${String(c.State)}).`);
  }
  return {
    id: c.Id,
    name: c.Name ?? '',
    state: c.State as MediaLiveChannelState,
    tags: { ...(c.Tags ?? {}) },
    inputIds: (c.InputAttachments ?? []).flatMap((a) => (a.InputId ? [a.InputId] : [])),
  };
}

export class AwsMediaLiveGateway implements MediaLiveGateway {
  constructor(
    private readonly client: MediaLiveClient,
    private readonly projectName: string,
  ) {}

  async listChannels(): Promise<MediaLiveChannel[]> {
    const channels: MediaLiveChannel[] = [];
    try {
      for await (const page of paginateListChannels(
        { client: this.client, pageSize: MEDIALIVE_LIST_PAGE_SIZE },
        { MaxResults: MEDIALIVE_LIST_PAGE_SIZE },
      )) {
        for (const summary of page.Channels ?? []) {
          if (summary.Tags?.[TAG_PROJECT] !== this.projectName) continue;
          channels.push(toChannel(summary, 'ListChannels'));
        }
      }
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'ListChannels' });
    }
    return channels;
  }

  async listInputs(): Promise<MediaLiveInput[]> {
    const inputs: MediaLiveInput[] = [];
    try {
      for await (const page of paginateListInputs(
        { client: this.client, pageSize: MEDIALIVE_LIST_PAGE_SIZE },
        { MaxResults: MEDIALIVE_LIST_PAGE_SIZE },
      )) {
        for (const input of page.Inputs ?? []) {
          if (input.Tags?.[TAG_PROJECT] !== this.projectName || input.Id === undefined) continue;
          if (input.State === 'DELETING' || input.State === 'DELETED') continue;
          inputs.push({ id: input.Id, tags: { ...input.Tags }, attachedChannelIds: [...(input.AttachedChannels ?? [])] });
        }
      }
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'ListInputs' });
    }
    return inputs;
  }

  async describeChannel(channelId: string): Promise<MediaLiveChannel | undefined> {
    let response: DescribeChannelResponse;
    try {
      response = await this.client.send(new DescribeChannelCommand({ ChannelId: channelId }));
    } catch (error) {
      if (isNamed(error, 'NotFoundException')) return undefined;
      if (isAccessDenied(error) && !(await this.#channelListed(channelId))) return undefined;
      throw toDomainError(error, { service: 'MediaLive', operation: 'DescribeChannel' });
    }
    if (response.State === 'DELETED') return undefined;
    return toChannel(response, 'DescribeChannel');
  }

  async createInput(spec: ChannelSpec): Promise<{ inputId: string }> {
    const context = { service: 'MediaLive', operation: 'CreateInput', secrets: [spec.streamKey] };
    try {
      const response = await this.client.send(new CreateInputCommand(buildCreateInputRequest(spec)));
      const inputId = response.Input?.Id;
      if (!inputId) throw new RestreamingError('MediaLive CreateInput returned no input id.');
      return { inputId };
    } catch (error) {
      throw toDomainError(error, context);
    }
  }

  async createChannel(spec: ChannelSpec, inputId: string): Promise<MediaLiveChannel> {
    const context = { service: 'MediaLive', operation: 'CreateChannel', secrets: [spec.streamKey] };
    try {
      const response = await this.client.send(new CreateChannelCommand(buildCreateChannelRequest(spec, inputId)));
      if (!response.Channel) throw new RestreamingError('MediaLive CreateChannel returned no channel.');
      return toChannel(response.Channel, 'CreateChannel');
    } catch (error) {
      throw toDomainError(error, context);
    }
  }

  async startChannel(channelId: string): Promise<void> {
    await this.#channelCall('StartChannel', channelId, () => this.client.send(new StartChannelCommand({ ChannelId: channelId })));
  }

  async stopChannel(channelId: string): Promise<void> {
    await this.#channelCall('StopChannel', channelId, () => this.client.send(new StopChannelCommand({ ChannelId: channelId })));
  }

  async reattachInput(channelId: string, streamId: string): Promise<void> {
    await this.#channelCall('BatchUpdateSchedule', channelId, async () => {
      try {
        await this.client.send(new BatchUpdateScheduleCommand(buildReattachInputRequest(channelId, streamId)));
      } catch (error) {
        // The action for this stream id is already in the schedule: an earlier call switched.
        if (!isDuplicateScheduleAction(error)) throw error;
      }
    });
  }

  async deleteChannel(channelId: string): Promise<void> {
    await this.#channelCall('DeleteChannel', channelId, () => this.client.send(new DeleteChannelCommand({ ChannelId: channelId })));
  }

  async deleteInput(inputId: string): Promise<void> {
    try {
      await this.client.send(new DeleteInputCommand({ InputId: inputId }));
    } catch (error) {
      if (isAccessDenied(error) && !(await this.#inputListed(inputId))) throw gone('input', inputId, 'DeleteInput', error);
      throw toDomainError(error, { service: 'MediaLive', operation: 'DeleteInput' });
    }
  }

  /**
   * One call on a channel by id. The IAM policy allows the channel calls only on resources tagged
   * with the project, and a deleted channel has lost its tags, so AWS answers AccessDenied rather
   * than NotFound for a channel that is gone. AccessDenied on a channel ListChannels no longer
   * shows (or shows DELETED) is therefore ResourceNotFoundError; on one it shows, a real denial.
   */
  async #channelCall(operation: string, channelId: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (isAccessDenied(error) && !(await this.#channelListed(channelId))) throw gone('channel', channelId, operation, error);
      throw toDomainError(error, { service: 'MediaLive', operation });
    }
  }

  /** True when ListChannels (any project; not tag-scoped) shows the channel and not as DELETED. */
  async #channelListed(channelId: string): Promise<boolean> {
    try {
      for await (const page of paginateListChannels({ client: this.client }, {})) {
        const found = (page.Channels ?? []).find((c) => c.Id === channelId);
        if (found) return found.State !== 'DELETED';
      }
      return false;
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'ListChannels' });
    }
  }

  /** True when ListInputs shows the input and not as DELETING or DELETED. */
  async #inputListed(inputId: string): Promise<boolean> {
    try {
      for await (const page of paginateListInputs({ client: this.client }, {})) {
        const found = (page.Inputs ?? []).find((i) => i.Id === inputId);
        if (found) return found.State !== 'DELETED' && found.State !== 'DELETING';
      }
      return false;
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'ListInputs' });
    }
  }
}

function gone(kind: 'channel' | 'input', id: string, operation: string, cause: unknown): ResourceNotFoundError {
  return new ResourceNotFoundError(
    `MediaLive ${operation}: the ${kind} ${id} is gone (AccessDenied on a ${kind} the listing no longer shows).`,
    { cause },
  );
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
