/**
 * A stateful MediaLive behind aws-sdk-client-mock, for the deploy's runtime teardown: channels
 * and inputs with tags and states that move as MediaLive's do (a stop goes STOPPING → IDLE, a
 * delete DELETING → DELETED, a start STARTING → RUNNING, each after one more DescribeX), and the
 * rules the teardown must respect: DeleteChannel only when not running, DeleteInput only when
 * detached (ConflictException otherwise). ListChannels / ListInputs page two at a time.
 */
import {
  DeleteChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  DescribeInputCommand,
  ListChannelsCommand,
  ListInputsCommand,
  StopChannelCommand,
  type MediaLiveClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-medialive';
import type { AwsStub } from 'aws-sdk-client-mock';
import { TAG_PROJECT } from '../../lambdas/core/ports';

type Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, MediaLiveClientResolvedConfig>;

interface FakeChannel {
  id: string;
  name: string;
  state: string;
  tags: Record<string, string>;
  inputIds: string[];
}

interface FakeInput {
  id: string;
  name: string;
  state: string;
  tags: Record<string, string>;
}

const PAGE_SIZE = 2;

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

export class FakeMediaLive {
  readonly channels = new Map<string, FakeChannel>();
  readonly inputs = new Map<string, FakeInput>();
  /** Every mutating call in order, e.g. `StopChannel 1001`. */
  readonly log: string[] = [];
  /** Resources that stay in their state whatever happens. */
  readonly stuck = new Set<string>();
  /** Commands that fail with AccessDeniedException, e.g. `DeleteChannel 1001`. */
  readonly denied = new Set<string>();
  #nextId = 1001;

  /** Adds a channel with its input; returns both ids. */
  addChannel(projectName: string, state: string): { channelId: string; inputId: string } {
    const inputId = String(this.#nextId++);
    const channelId = String(this.#nextId++);
    const tags = { [TAG_PROJECT]: projectName, 'ivs-restreaming:destination-id': `d-${channelId}` };
    this.inputs.set(inputId, { id: inputId, name: `${projectName}-in-${inputId}`, state: 'ATTACHED', tags });
    this.channels.set(channelId, { id: channelId, name: `${projectName}-${channelId}`, state, tags, inputIds: [inputId] });
    return { channelId, inputId };
  }

  /** Adds an input no channel uses (a create interrupted between input and channel). */
  addInput(projectName: string): string {
    const id = String(this.#nextId++);
    this.inputs.set(id, { id, name: `${projectName}-in-${id}`, state: 'DETACHED', tags: { [TAG_PROJECT]: projectName } });
    return id;
  }

  /** Channels and inputs not yet DELETED. */
  remaining(): string[] {
    return [
      ...[...this.channels.values()].filter((c) => c.state !== 'DELETED').map((c) => `channel ${c.id} ${c.state}`),
      ...[...this.inputs.values()].filter((i) => i.state !== 'DELETED').map((i) => `input ${i.id} ${i.state}`),
    ];
  }

  install(mock: Mock): void {
    const page = <T>(items: T[], token: string | undefined) => {
      const start = token ? Number(token) : 0;
      const next = start + PAGE_SIZE < items.length ? String(start + PAGE_SIZE) : undefined;
      return { items: items.slice(start, start + PAGE_SIZE), next };
    };
    mock.on(ListChannelsCommand).callsFake((input: { NextToken?: string }) => {
      const { items, next } = page([...this.channels.values()], input.NextToken);
      return { Channels: items.map((c) => ({ Id: c.id, Name: c.name, State: c.state, Tags: c.tags })), NextToken: next };
    });
    mock.on(ListInputsCommand).callsFake((input: { NextToken?: string }) => {
      const { items, next } = page([...this.inputs.values()], input.NextToken);
      return {
        Inputs: items.map((i) => ({ Id: i.id, Name: i.name, State: i.state, Tags: i.tags, AttachedChannels: this.#attached(i.id) })),
        NextToken: next,
      };
    });
    mock.on(DescribeChannelCommand).callsFake((input: { ChannelId: string }) => {
      const channel = this.#channel(input.ChannelId);
      this.#advance(channel);
      return { Id: channel.id, Name: channel.name, State: channel.state, Tags: channel.tags };
    });
    mock.on(DescribeInputCommand).callsFake((input: { InputId: string }) => {
      const found = this.#input(input.InputId);
      if (found.state === 'DELETING' && !this.stuck.has(found.id)) found.state = 'DELETED';
      else if (found.state === 'ATTACHED' && this.#attached(found.id).length === 0) found.state = 'DETACHED';
      return { Id: found.id, State: found.state, Tags: found.tags, AttachedChannels: this.#attached(found.id) };
    });
    mock.on(StopChannelCommand).callsFake((input: { ChannelId: string }) => {
      const channel = this.#channel(input.ChannelId);
      this.#check(`StopChannel ${channel.id}`);
      if (!['RUNNING', 'RECOVERING'].includes(channel.state))
        throw awsError('ConflictException', `Channel is in ${channel.state} and cannot be stopped`);
      channel.state = 'STOPPING';
      return {};
    });
    mock.on(DeleteChannelCommand).callsFake((input: { ChannelId: string }) => {
      const channel = this.#channel(input.ChannelId);
      this.#check(`DeleteChannel ${channel.id}`);
      if (!['IDLE', 'CREATE_FAILED', 'UPDATE_FAILED'].includes(channel.state))
        throw awsError('ConflictException', `Channel is in ${channel.state} and cannot be deleted`);
      channel.state = 'DELETING';
      return {};
    });
    mock.on(DeleteInputCommand).callsFake((input: { InputId: string }) => {
      const found = this.#input(input.InputId);
      this.#check(`DeleteInput ${found.id}`);
      if (this.#attached(found.id).length > 0) throw awsError('ConflictException', `Input ${found.id} is attached to a channel`);
      found.state = 'DELETING';
      return {};
    });
  }

  #check(call: string): void {
    if (this.denied.has(call))
      throw awsError('AccessDeniedException', `User is not authorized to perform: medialive:${call.split(' ')[0]}`);
    this.log.push(call);
  }

  #advance(channel: FakeChannel): void {
    if (this.stuck.has(channel.id)) return;
    const next: Record<string, string> = { STOPPING: 'IDLE', DELETING: 'DELETED', STARTING: 'RUNNING' };
    channel.state = next[channel.state] ?? channel.state;
  }

  #attached(inputId: string): string[] {
    return [...this.channels.values()].filter((c) => c.state !== 'DELETED' && c.inputIds.includes(inputId)).map((c) => c.id);
  }

  #channel(id: string): FakeChannel {
    const channel = this.channels.get(id);
    if (!channel || channel.state === 'DELETED') throw awsError('NotFoundException', `Channel ${id} not found`);
    return channel;
  }

  #input(id: string): FakeInput {
    const found = this.inputs.get(id);
    if (!found || found.state === 'DELETED') throw awsError('NotFoundException', `Input ${id} not found`);
    return found;
  }
}
