/**
 * The MediaLive port over the AWS SDK. Every call maps its errors to domain errors; the stream key
 * of a ChannelSpec goes only into the CreateChannel request and is masked in every error.
 */
import {
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
import { RestreamingError } from '../../core/errors';
import {
  MEDIALIVE_CHANNEL_STATES,
  TAG_PROJECT,
  type ChannelSpec,
  type MediaLiveChannel,
  type MediaLiveChannelState,
  type MediaLiveGateway,
  type MediaLiveInput,
} from '../../core/ports';
import { toDomainError } from './errors';
import { buildCreateChannelRequest, buildCreateInputRequest } from './requests';

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
      for await (const page of paginateListChannels({ client: this.client }, {})) {
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
      for await (const page of paginateListInputs({ client: this.client }, {})) {
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
    try {
      await this.client.send(new StartChannelCommand({ ChannelId: channelId }));
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'StartChannel' });
    }
  }

  async stopChannel(channelId: string): Promise<void> {
    try {
      await this.client.send(new StopChannelCommand({ ChannelId: channelId }));
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'StopChannel' });
    }
  }

  async deleteChannel(channelId: string): Promise<void> {
    try {
      await this.client.send(new DeleteChannelCommand({ ChannelId: channelId }));
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'DeleteChannel' });
    }
  }

  async deleteInput(inputId: string): Promise<void> {
    try {
      await this.client.send(new DeleteInputCommand({ InputId: inputId }));
    } catch (error) {
      throw toDomainError(error, { service: 'MediaLive', operation: 'DeleteInput' });
    }
  }
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
