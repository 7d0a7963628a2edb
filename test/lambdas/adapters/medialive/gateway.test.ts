import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  BadGatewayException,
  BatchUpdateScheduleCommand,
  BadRequestException,
  ConflictException,
  CreateChannelCommand,
  CreateInputCommand,
  DeleteChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  ForbiddenException,
  GatewayTimeoutException,
  InternalServerErrorException,
  ListChannelsCommand,
  ListInputsCommand,
  MediaLiveClient,
  NotFoundException,
  StartChannelCommand,
  StopChannelCommand,
  TooManyRequestsException,
  UnprocessableEntityException,
  type ChannelSummary,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import {
  InvalidConfigurationError,
  QuotaExceededError,
  ResourceNotFoundError,
  RestreamingError,
  ServiceUnavailableError,
  ThrottledError,
  WrongStateError,
} from '../../../../lambdas/core/errors';
import { TAG_DESTINATION, TAG_PROJECT, type ChannelSpec } from '../../../../lambdas/core/ports';
import { AwsMediaLiveGateway } from '../../../../lambdas/adapters/medialive/gateway';
import {
  buildCreateChannelRequest,
  buildCreateInputRequest,
  buildReattachInputRequest,
} from '../../../../lambdas/adapters/medialive/requests';
import { MEDIALIVE_MODEL } from '../../../support/aws-api-model';

const PROJECT = 'restream-test';
const STREAM_KEY = 'fake-key-9f8e7d6c5b4a';
const medialive = mockClient(MediaLiveClient);
const gateway = new AwsMediaLiveGateway(new MediaLiveClient({ region: 'us-east-1' }), PROJECT);

function spec(overrides: Partial<ChannelSpec> = {}): ChannelSpec {
  return {
    projectName: PROJECT,
    destinationId: 'dest-1',
    destinationName: 'Main YouTube',
    requestId: 'dest-1:g0:r1',
    sourceUrl: 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AbCdEfGh1234.m3u8',
    sourceType: 'STANDARD',
    platform: 'youtube',
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKey: STREAM_KEY,
    profile: '720p30-4500',
    configRevision: 1,
    roleArn: 'arn:aws:iam::123456789012:role/restream-test-medialive',
    ...overrides,
  };
}

function summary(id: string, project: string | undefined, state: ChannelSummary['State'] = 'IDLE'): ChannelSummary {
  return {
    Id: id,
    Name: `${project ?? 'other'}-${id}`,
    State: state,
    Tags: project ? { [TAG_PROJECT]: project, [TAG_DESTINATION]: `dest-${id}` } : { owner: 'someone-else' },
    InputAttachments: [{ InputId: `input-${id}`, InputAttachmentName: 'ivs-source' }],
    // What AWS returns: the destinations, key included. It must not reach the domain object.
    Destinations: [{ Id: 'rtmp-destination', Settings: [{ Url: 'rtmp://x/app', StreamName: STREAM_KEY }] }],
  };
}

const $metadata = { httpStatusCode: 400, requestId: 'req-1' };

beforeEach(() => {
  medialive.reset();
});

// Every request the gateway sent in the test fits AWS's MediaLive model (test/fixtures/aws-models).
afterEach(() => {
  for (const call of medialive.calls()) {
    const command = call.args[0] as { input: unknown; constructor: { name: string } };
    MEDIALIVE_MODEL.validate(command.constructor.name.replace(/Command$/, ''), command.input);
  }
});

describe('AwsMediaLiveGateway.listInputs', () => {
  it('reads every page and keeps only live inputs tagged with this project, with their attachments', async () => {
    const tags = { [TAG_PROJECT]: PROJECT, [TAG_DESTINATION]: 'dest-1' };
    medialive
      .on(ListInputsCommand)
      .resolvesOnce({
        Inputs: [
          { Id: 'in-1', State: 'DETACHED', Tags: tags },
          { Id: 'in-2', State: 'ATTACHED', Tags: { [TAG_PROJECT]: 'other-project' }, AttachedChannels: ['9'] },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Inputs: [
          { Id: 'in-3', State: 'ATTACHED', Tags: tags, AttachedChannels: ['7'] },
          { Id: 'in-4', State: 'DELETING', Tags: tags },
          { Id: 'in-5', State: 'DETACHED' },
        ],
      });
    await expect(gateway.listInputs()).resolves.toEqual([
      { id: 'in-1', tags, attachedChannelIds: [] },
      { id: 'in-3', tags, attachedChannelIds: ['7'] },
    ]);
    expect(medialive).toHaveReceivedCommandTimes(ListInputsCommand, 2);
  });

  it('maps throttling to ThrottledError', async () => {
    medialive.on(ListInputsCommand).rejects(Object.assign(new Error('Slow down'), { name: 'TooManyRequestsException', $metadata }));
    await expect(gateway.listInputs()).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('AwsMediaLiveGateway.listChannels', () => {
  it('reads every page and keeps only channels tagged with this project', async () => {
    medialive
      .on(ListChannelsCommand)
      .resolvesOnce({ Channels: [summary('1', PROJECT), summary('2', 'other-project')], NextToken: 'page-2' })
      .resolvesOnce({ Channels: [summary('3', undefined), summary('4', PROJECT, 'RUNNING')] });

    const channels = await gateway.listChannels();

    expect(channels).toEqual([
      {
        id: '1',
        name: `${PROJECT}-1`,
        state: 'IDLE',
        tags: { [TAG_PROJECT]: PROJECT, [TAG_DESTINATION]: 'dest-1' },
        inputIds: ['input-1'],
      },
      {
        id: '4',
        name: `${PROJECT}-4`,
        state: 'RUNNING',
        tags: { [TAG_PROJECT]: PROJECT, [TAG_DESTINATION]: 'dest-4' },
        inputIds: ['input-4'],
      },
    ]);
    expect(medialive).toHaveReceivedCommandTimes(ListChannelsCommand, 2);
    expect(medialive).toHaveReceivedNthSpecificCommandWith(2, ListChannelsCommand, { NextToken: 'page-2' });
    expect(JSON.stringify(channels)).not.toContain(STREAM_KEY);
  });

  it('returns an empty list when the account has no channels', async () => {
    medialive.on(ListChannelsCommand).resolves({});
    await expect(gateway.listChannels()).resolves.toEqual([]);
  });

  it('reports throttling of ListChannels as ThrottledError', async () => {
    medialive.on(ListChannelsCommand).rejects(new TooManyRequestsException({ message: 'Too many requests', $metadata }));
    await expect(gateway.listChannels()).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('AwsMediaLiveGateway: a deleted resource is gone, whatever AWS answers', () => {
  const denied = () => new ForbiddenException({ message: 'User is not authorized to access this resource', $metadata });

  it('reads AccessDenied on DescribeChannel of a channel ListChannels no longer shows as absent', async () => {
    medialive.on(DescribeChannelCommand).rejects(denied());
    medialive.on(ListChannelsCommand).resolves({ Channels: [summary('other', PROJECT)] });
    await expect(gateway.describeChannel('gone')).resolves.toBeUndefined();
  });

  it('reads AccessDenied on DescribeChannel of a channel ListChannels shows as DELETED as absent', async () => {
    medialive.on(DescribeChannelCommand).rejects(denied());
    medialive.on(ListChannelsCommand).resolves({ Channels: [summary('gone', undefined, 'DELETED')] });
    await expect(gateway.describeChannel('gone')).resolves.toBeUndefined();
  });

  it('keeps AccessDenied on a channel that still exists a configuration error (a real IAM problem)', async () => {
    medialive.on(DescribeChannelCommand).rejects(denied());
    medialive.on(ListChannelsCommand).resolves({ Channels: [summary('here', PROJECT, 'RUNNING')] });
    await expect(gateway.describeChannel('here')).rejects.toBeInstanceOf(InvalidConfigurationError);
  });

  it.each([
    ['DeleteChannel', () => medialive.on(DeleteChannelCommand).rejects(denied()), () => gateway.deleteChannel('gone')],
    ['StopChannel', () => medialive.on(StopChannelCommand).rejects(denied()), () => gateway.stopChannel('gone')],
  ] as const)('reports AccessDenied on %s of a channel that is no longer listed as ResourceNotFoundError', async (_op, arrange, call) => {
    arrange();
    medialive.on(ListChannelsCommand).resolves({ Channels: [] });
    await expect(call()).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('reports AccessDenied on DeleteInput of an input ListInputs no longer shows as ResourceNotFoundError', async () => {
    medialive.on(DeleteInputCommand).rejects(denied());
    medialive.on(ListInputsCommand).resolves({ Inputs: [{ Id: 'i-gone', State: 'DELETED' }] });
    await expect(gateway.deleteInput('i-gone')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('keeps AccessDenied on DeleteInput of a listed input a configuration error', async () => {
    medialive.on(DeleteInputCommand).rejects(denied());
    medialive.on(ListInputsCommand).resolves({ Inputs: [{ Id: 'i-here', State: 'DETACHED' }] });
    await expect(gateway.deleteInput('i-here')).rejects.toBeInstanceOf(InvalidConfigurationError);
  });

  it('reports NotFound on DeleteInput as ResourceNotFoundError', async () => {
    medialive.on(DeleteInputCommand).rejects(new NotFoundException({ message: 'Input not found', $metadata }));
    await expect(gateway.deleteInput('i-gone')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

describe('AwsMediaLiveGateway.reattachInput', () => {
  it('sends the immediate input switch to the channel’s own input', async () => {
    medialive.on(BatchUpdateScheduleCommand).resolves({});
    await gateway.reattachInput('c1', 'st-new');
    expect(medialive).toHaveReceivedCommandWith(BatchUpdateScheduleCommand, buildReattachInputRequest('c1', 'st-new'));
  });

  it('treats a switch already in the schedule for this stream as done', async () => {
    medialive
      .on(BatchUpdateScheduleCommand)
      .rejects(new BadRequestException({ message: 'Action name reattach-st-new already exists in schedule', $metadata }));
    await expect(gateway.reattachInput('c1', 'st-new')).resolves.toBeUndefined();
  });

  it('reports a channel that is gone as ResourceNotFoundError and any other refusal as it is', async () => {
    medialive.on(BatchUpdateScheduleCommand).rejects(new NotFoundException({ message: 'Channel not found', $metadata }));
    await expect(gateway.reattachInput('c1', 'st-new')).rejects.toBeInstanceOf(ResourceNotFoundError);
    medialive.on(BatchUpdateScheduleCommand).rejects(new BadRequestException({ message: 'Invalid input attachment', $metadata }));
    await expect(gateway.reattachInput('c1', 'st-new')).rejects.toBeInstanceOf(InvalidConfigurationError);
  });
});

describe('AwsMediaLiveGateway.describeChannel', () => {
  it('maps the described channel', async () => {
    medialive.on(DescribeChannelCommand, { ChannelId: '7' }).resolves(summary('7', PROJECT, 'STARTING'));
    await expect(gateway.describeChannel('7')).resolves.toMatchObject({ id: '7', state: 'STARTING', inputIds: ['input-7'] });
  });

  it('returns undefined when MediaLive does not know the channel', async () => {
    medialive.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'Channel not found', $metadata }));
    await expect(gateway.describeChannel('404')).resolves.toBeUndefined();
  });

  it('returns undefined for a DELETED channel', async () => {
    medialive.on(DescribeChannelCommand).resolves(summary('8', PROJECT, 'DELETED'));
    await expect(gateway.describeChannel('8')).resolves.toBeUndefined();
  });

  it('reports a 5xx as ServiceUnavailableError', async () => {
    medialive
      .on(DescribeChannelCommand)
      .rejects(new InternalServerErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }));
    await expect(gateway.describeChannel('9')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('AwsMediaLiveGateway.createInput and createChannel', () => {
  it('sends the built CreateInput request and returns the input id', async () => {
    medialive.on(CreateInputCommand).resolves({ Input: { Id: 'input-42' } });

    await expect(gateway.createInput(spec())).resolves.toEqual({ inputId: 'input-42' });
    expect(medialive).toHaveReceivedCommandWith(CreateInputCommand, buildCreateInputRequest(spec()));
  });

  it('sends the built CreateChannel request and returns the new channel without its destinations', async () => {
    medialive.on(CreateChannelCommand).resolves({ Channel: summary('42', PROJECT, 'CREATING') });

    const channel = await gateway.createChannel(spec(), 'input-42');

    expect(channel).toEqual({
      id: '42',
      name: `${PROJECT}-42`,
      state: 'CREATING',
      tags: { [TAG_PROJECT]: PROJECT, [TAG_DESTINATION]: 'dest-42' },
      inputIds: ['input-42'],
    });
    expect(medialive).toHaveReceivedCommandWith(CreateChannelCommand, buildCreateChannelRequest(spec(), 'input-42'));
    expect(JSON.stringify(channel)).not.toContain(STREAM_KEY);
  });

  it('sends the same RequestId when a create is retried', async () => {
    medialive.on(CreateChannelCommand).resolves({ Channel: summary('42', PROJECT, 'CREATING') });
    await gateway.createChannel(spec(), 'input-42');
    await gateway.createChannel(spec(), 'input-42');
    const ids = medialive.commandCalls(CreateChannelCommand).map((c) => c.args[0].input.RequestId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
  });

  it('masks the stream key when AWS echoes it in a validation error', async () => {
    medialive.on(CreateChannelCommand).rejects(
      new UnprocessableEntityException({
        message: `Invalid destination rtmps://a.rtmps.youtube.com:443/live2/${STREAM_KEY}`,
        ValidationErrors: [{ ElementPath: 'destinations[0].settings[0].streamName', ErrorMessage: `bad value ${STREAM_KEY}` }],
        $metadata,
      }),
    );

    const error = await gateway.createChannel(spec(), 'input-42').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidConfigurationError);
    const mapped = error as InvalidConfigurationError;
    expect(mapped.message).toContain('Invalid destination rtmps://a.rtmps.youtube.com:443/live2/••••');
    expect(mapped.message).toContain('destinations[0].settings[0].streamName: bad value ••••');
    expect(everyString(mapped).join('\n')).not.toContain(STREAM_KEY);
  });

  it('masks the URL-encoded stream key too', async () => {
    const key = 'key/with?special&chars';
    medialive
      .on(CreateChannelCommand)
      .rejects(new BadRequestException({ message: `Cannot reach rtmp://x/app/${encodeURIComponent(key)}`, $metadata }));

    const error = await gateway.createChannel(spec({ streamKey: key }), 'input-42').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect(everyString(error).join('\n')).not.toContain(encodeURIComponent(key));
    expect((error as Error).message).toContain('rtmp://x/app/••••');
  });

  it('masks the stream key in an error MediaLive reports as a quota error', async () => {
    medialive.on(CreateChannelCommand).rejects(new BadRequestException({ message: `Channel limit exceeded for ${STREAM_KEY}`, $metadata }));
    const error = await gateway.createChannel(spec(), 'input-42').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(everyString(error).join('\n')).not.toContain(STREAM_KEY);
  });

  it('keeps the AWS request id on the masked cause', async () => {
    medialive.on(CreateChannelCommand).rejects(new UnprocessableEntityException({ message: `bad ${STREAM_KEY}`, $metadata }));
    const error = (await gateway.createChannel(spec(), 'input-42').catch((e: unknown) => e)) as RestreamingError;
    expect(error.cause).toMatchObject({ name: 'UnprocessableEntityException', message: 'bad ••••', $metadata });
  });

  it('reports a quota message on CreateInput as QuotaExceededError', async () => {
    medialive
      .on(CreateInputCommand)
      .rejects(
        new UnprocessableEntityException({ message: 'You have reached the maximum number of inputs (100) in this region', $metadata }),
      );
    await expect(gateway.createInput(spec())).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it('reports a CreateInput answer without an id as an error', async () => {
    medialive.on(CreateInputCommand).resolves({});
    await expect(gateway.createInput(spec())).rejects.toBeInstanceOf(RestreamingError);
  });
});

describe('AwsMediaLiveGateway channel and input actions', () => {
  it('starts, stops and deletes the channel and deletes the input by id', async () => {
    medialive.on(StartChannelCommand).resolves({});
    medialive.on(StopChannelCommand).resolves({});
    medialive.on(DeleteChannelCommand).resolves({});
    medialive.on(DeleteInputCommand).resolves({});

    await gateway.startChannel('c1');
    await gateway.stopChannel('c1');
    await gateway.deleteChannel('c1');
    await gateway.deleteInput('i1');

    expect(medialive).toHaveReceivedCommandWith(StartChannelCommand, { ChannelId: 'c1' });
    expect(medialive).toHaveReceivedCommandWith(StopChannelCommand, { ChannelId: 'c1' });
    expect(medialive).toHaveReceivedCommandWith(DeleteChannelCommand, { ChannelId: 'c1' });
    expect(medialive).toHaveReceivedCommandWith(DeleteInputCommand, { InputId: 'i1' });
  });

  const cases = [
    ['NotFoundException', new NotFoundException({ message: 'Channel not found', $metadata }), ResourceNotFoundError],
    ['ConflictException', new ConflictException({ message: 'Channel is in STOPPING state', $metadata }), WrongStateError],
    ['TooManyRequestsException', new TooManyRequestsException({ message: 'Rate exceeded', $metadata }), ThrottledError],
    ['BadRequestException', new BadRequestException({ message: 'Invalid channel id', $metadata }), InvalidConfigurationError],
    ['UnprocessableEntityException', new UnprocessableEntityException({ message: 'Cannot start', $metadata }), InvalidConfigurationError],
    ['ForbiddenException', new ForbiddenException({ message: 'Not authorized', $metadata }), InvalidConfigurationError],
    ['InternalServerErrorException', new InternalServerErrorException({ message: 'Oops', $metadata }), ServiceUnavailableError],
    ['BadGatewayException', new BadGatewayException({ message: 'Bad gateway', $metadata }), ServiceUnavailableError],
    ['GatewayTimeoutException', new GatewayTimeoutException({ message: 'Timeout', $metadata }), ServiceUnavailableError],
  ] as const;

  it.each(cases)('maps %s from StartChannel to the matching domain error and keeps the cause', async (_name, awsError, domainError) => {
    // The channel exists (ListChannels shows it), so a denial is a real one.
    medialive.on(ListChannelsCommand).resolves({ Channels: [summary('c1', PROJECT)] });
    medialive.on(StartChannelCommand).rejects(awsError);
    const error = await gateway.startChannel('c1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(domainError);
    expect((error as RestreamingError).cause).toBe(awsError);
    expect((error as RestreamingError).message).toContain(awsError.message);
  });

  const conflict = () => new ConflictException({ message: 'Resource is in use', $metadata });
  it.each([
    ['StopChannel', () => medialive.on(StopChannelCommand).rejects(conflict()), () => gateway.stopChannel('c1')],
    ['DeleteChannel', () => medialive.on(DeleteChannelCommand).rejects(conflict()), () => gateway.deleteChannel('c1')],
    ['DeleteInput', () => medialive.on(DeleteInputCommand).rejects(conflict()), () => gateway.deleteInput('i1')],
  ] as const)('maps a wrong-state conflict of %s to WrongStateError', async (operation, arrange, call) => {
    arrange();
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongStateError);
    expect((error as Error).message).toContain(operation);
  });

  it('maps a network failure to ServiceUnavailableError', async () => {
    medialive.on(StopChannelCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(gateway.stopChannel('c1')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('wraps an unknown error in a RestreamingError with the cause', async () => {
    const unknown = new Error('something else');
    medialive.on(StopChannelCommand).rejects(unknown);
    const error = (await gateway.stopChannel('c1').catch((e: unknown) => e)) as RestreamingError;
    expect(error.constructor).toBe(RestreamingError);
    expect(error.cause).toBe(unknown);
  });
});

/** Every string reachable from an error: message, stack, cause chain and own fields. */
function everyString(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const keys = new Set([...Object.getOwnPropertyNames(value), 'cause', 'message', 'stack']);
  return [...keys].flatMap((k) => everyString((value as Record<string, unknown>)[k], seen));
}
