/**
 * The API as a published contract: an OpenAPI 3.1 document generated (zod-openapi) from the same
 * zod schemas that validate the requests (core/validation.ts, schemas.ts) and describe the
 * answers; served unauthenticated at `GET /openapi.json`, linted by Redocly in the tests, and every
 * example in it is replayed against the local stack (test/scripts/api-examples.test.ts).
 *
 * Examples are named per operation: a request example and the response example of the same name
 * form one exchange. `x-replay` on a response example says what the replay must arrange first
 * (`channel: "live"`), and a path-parameter example of that name gives the id to use.
 */
import type { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiObject, ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { z as zod } from 'zod';
import { EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX } from '../core/events';
import { DEFAULT_PRICES, MONTH_BASIS } from '../core/costs';
import { createSchema, updateSchema } from '../core/validation';
import { STATUS_BY_CODE } from './errors';
import {
  channelSchema,
  channelStatusSchema,
  channelStreamKeySchema,
  destinationEventPageSchema,
  costReportSchema,
  destinationListSchema,
  destinationSchema,
  endGraceBodySchema,
  errorSchema,
  startBodySchema,
  stopBodySchema,
  streamStatusSchema,
} from './schemas';

/** What a replay arranges before sending an example. */
export interface ReplaySetup {
  channel?: 'live' | 'offline';
}

export interface ExchangeExample {
  summary: string;
  status: number;
  /** The request body, when the example sends one. */
  request?: unknown;
  /** The `{id}` (or `{channelId}`) to use; otherwise a destination the replay created (the local channel). */
  pathId?: string;
  /** Query parameters to send, by name. */
  query?: Record<string, string | number>;
  ifMatch?: string;
  replay?: ReplaySetup;
  /** An answer as the API gives it (shape-checked against the response schema by the tests). */
  response: unknown;
}

export interface ApiOperation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  description: string;
  tag: 'Destinations' | 'Status' | 'Channels' | 'Contract';
  public?: boolean;
  request?: { schema: z.ZodType; required: boolean };
  ifMatch?: boolean;
  /** A polled GET: ETag hashed from the body, If-None-Match → 304 (lambdas/api/conditional.ts). */
  conditional?: boolean;
  /** Query parameters the operation reads. */
  query?: { name: string; description: string; schema: Record<string, unknown> }[];
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: 'etag' | 'body-etag' | 'no-store' }>;
  examples: Record<string, ExchangeExample>;
}

const DESTINATION_ID = '3f0b8c5e-8d7a-4c1e-9f2b-6a5d4c3b2a10';
const CHANNEL_ID = 'AbCdEfGhIjKl';
const CHANNEL_ARN = `arn:aws:ivs:us-east-1:123456789012:channel/${CHANNEL_ID}`;
const INGEST_SERVER = 'rtmps://a1b2c3d4e5f6.global-contribute.live-video.net:443/app/';
const AT = '2030-01-01T12:00:00.000Z';

function destination(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: DESTINATION_ID,
    platform: 'youtube',
    name: 'Main channel',
    enabled: true,
    status: 'inactive',
    statusSince: AT,
    channelArn: CHANNEL_ARN,
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKeyMasked: '••••cd34',
    profile: '1080p30-6000',
    mode: 'passthrough',
    lastError: null,
    health: { state: 'unknown', bitrateKbps: null, since: AT, message: 'Not sending: nothing runs for this destination.' },
    mediaLiveChannelId: null,
    pausedStreamId: null,
    warnings: [],
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

function error(code: keyof typeof STATUS_BY_CODE, message: string, details: unknown = null): unknown {
  return { error: { code, message, details } };
}

const fieldsError = (fields: { field: string; message: string }[]): unknown =>
  error('VALIDATION_FAILED', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });

const NOT_FOUND_EXAMPLE: ExchangeExample = {
  summary: 'An id that does not exist',
  status: 404,
  pathId: 'no-such-destination',
  response: error(
    'DESTINATION_NOT_FOUND',
    'No destination with id "no-such-destination". List destinations with GET /stream-destinations.',
  ),
};

const CHANNEL_NOT_FOUND = { description: 'No IVS channel of this deployment has this id.', schema: errorSchema };

const UNKNOWN_CHANNEL_EXAMPLE: ExchangeExample = {
  summary: 'An id that is not one of the channels',
  status: 404,
  pathId: 'no-such-channel',
  response: error(
    'CHANNEL_NOT_FOUND',
    `No IVS channel of this deployment has the id "no-such-channel"; use one of ${CHANNEL_ID} (the last part of the channel ARN, as GET /stream-status lists it).`,
  ),
};

const errors = {
  400: { description: 'The body or a field is invalid; `details.fields` names each field and the fix.', schema: errorSchema },
  403: { description: 'JWT mode: the token lacks the admin group or scope.', schema: errorSchema },
  404: { description: 'No destination with this id.', schema: errorSchema },
  409: { description: 'The destination cannot do this now (see the code).', schema: errorSchema },
  412: { description: 'If-Match names a version the destination has moved on from.', schema: errorSchema },
  413: { description: 'The body is over 16 KiB.', schema: errorSchema },
} as const;

/** Every route of the API, with its examples: the source of the document and of the replay. */
export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'listDestinations',
    method: 'get',
    path: '/stream-destinations',
    summary: 'List destinations',
    description:
      'Every destination, oldest first. Stream keys are never returned, only masked. A stored item that does not parse is left out and named under `problems` with the attributes to fix. Poll it with `If-None-Match` set to the last ETag: 304 with no body while nothing changed. Sent gzip-compressed to clients that accept it.',
    tag: 'Destinations',
    conditional: true,
    responses: {
      200: { description: 'The destinations.', schema: destinationListSchema, headers: 'body-etag' },
      304: { description: 'Unchanged since the ETag sent in If-None-Match; no body.' },
      403: errors[403],
    },
    examples: { list: { summary: 'The destinations', status: 200, response: { destinations: [destination()] } } },
  },
  {
    operationId: 'createDestination',
    method: 'post',
    path: '/stream-destinations',
    summary: 'Add a destination',
    description:
      "Adds a destination. It starts by itself when its IVS channel goes live (if enabled). `rtmpUrl` defaults to the platform's ingest (required for `custom`); `channelArn` defaults to the only configured IVS channel; `profile` defaults per platform; `mode` defaults to the deployment's (`passthrough` when it has relays, else `transcode`). 409 RELAY_MODE_UNAVAILABLE for `passthrough` in a deployment without relays.",
    tag: 'Destinations',
    request: { schema: createSchema.meta({ id: 'CreateDestinationRequest' }), required: true },
    responses: {
      201: { description: 'Created.', schema: destinationSchema, headers: 'etag' },
      400: errors[400],
      403: errors[403],
      409: { description: '`mode: "passthrough"` in a deployment without relays (RELAY_MODE_UNAVAILABLE).', schema: errorSchema },
      413: errors[413],
    },
    examples: {
      youtube: {
        summary: 'YouTube with its default ingest',
        status: 201,
        request: { platform: 'youtube', name: 'Main channel', streamKey: 'abcd-efgh-ijkl-cd34' },
        response: destination(),
      },
      custom: {
        summary: 'Your own RTMPS server, 720p',
        status: 201,
        request: {
          platform: 'custom',
          name: 'Studio',
          streamKey: 'studio-key-0001',
          rtmpUrl: 'rtmps://live.example.com/app',
          profile: '720p30-4500',
          mode: 'transcode',
        },
        response: destination({
          platform: 'custom',
          name: 'Studio',
          rtmpUrl: 'rtmps://live.example.com/app',
          profile: '720p30-4500',
          mode: 'transcode',
          streamKeyMasked: '••••0001',
        }),
      },
      badMode: {
        summary: 'A mode that does not exist',
        status: 400,
        request: { platform: 'youtube', name: 'Main channel', streamKey: 'abcd-efgh-ijkl-cd34', mode: 'copy' },
        response: fieldsError([
          {
            field: 'mode',
            message:
              'must be one of passthrough, transcode: passthrough copies the IVS stream as it is, transcode encodes it again with the profile (MediaLive)',
          },
        ]),
      },
      unknownField: {
        summary: 'A field the API does not know',
        status: 400,
        request: { platform: 'youtube', name: 'Main channel', streamKey: 'abcd-efgh-ijkl-cd34', colour: 'red' },
        response: fieldsError([
          {
            field: 'colour',
            message: 'is not a known field; allowed fields are platform, name, streamKey, rtmpUrl, enabled, channelArn, profile, mode',
          },
        ]),
      },
      missingKey: {
        summary: 'No stream key',
        status: 400,
        request: { platform: 'twitch', name: 'Twitch' },
        response: fieldsError([{ field: 'streamKey', message: 'is required: send the stream key exactly as the platform shows it' }]),
      },
    },
  },
  {
    operationId: 'getDestination',
    method: 'get',
    path: '/stream-destinations/{id}',
    summary: 'Read a destination',
    description:
      'One destination; the ETag is its version, for If-Match on a later PUT. A stored item that does not parse answers 409 MALFORMED_ITEM naming the attributes to fix (as every route on it does).',
    tag: 'Destinations',
    responses: {
      200: { description: 'The destination.', schema: destinationSchema, headers: 'etag' },
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
    examples: {
      existing: { summary: 'A destination', status: 200, response: destination() },
      unknownId: NOT_FOUND_EXAMPLE,
    },
  },
  {
    operationId: 'updateDestination',
    method: 'put',
    path: '/stream-destinations/{id}',
    summary: 'Change a destination',
    description:
      'Changes any subset of the fields. A change of URL, key, profile or mode rebuilds the relay of a running destination (a mode change moves it to the other engine). Racing edits are retried, never refused; send `If-Match` with the ETag you read to change only that version (412 otherwise).',
    tag: 'Destinations',
    request: { schema: updateSchema.meta({ id: 'UpdateDestinationRequest' }), required: true },
    ifMatch: true,
    responses: {
      200: { description: 'Changed.', schema: destinationSchema, headers: 'etag' },
      400: errors[400],
      403: errors[403],
      404: errors[404],
      409: errors[409],
      412: errors[412],
      413: errors[413],
    },
    examples: {
      rename: {
        summary: 'A new name',
        status: 200,
        request: { name: 'Main channel (backup)' },
        response: destination({ name: 'Main channel (backup)', version: 2 }),
      },
      switchMode: {
        summary: 'Transcode with MediaLive instead of copying',
        status: 200,
        request: { mode: 'transcode' },
        response: destination({ mode: 'transcode', version: 3 }),
      },
      staleEtag: {
        summary: 'If-Match from an old read',
        status: 412,
        request: { name: 'Renamed from an old read' },
        ifMatch: '"1"',
        response: error(
          'PRECONDITION_FAILED',
          `Destination "${DESTINATION_ID}" changed since version 1 (it is at version 2): GET it again, then repeat the change with the new ETag.`,
          { currentVersion: 2 },
        ),
      },
      emptyBody: {
        summary: 'Nothing to change',
        status: 400,
        request: {},
        response: fieldsError([
          {
            field: 'body',
            message: 'must contain at least one field to change: platform, name, streamKey, rtmpUrl, enabled, channelArn, profile, mode',
          },
        ]),
      },
    },
  },
  {
    operationId: 'deleteDestination',
    method: 'delete',
    path: '/stream-destinations/{id}',
    summary: 'Remove a destination',
    description: '204 when nothing was left running; 202 with `status: "deleting"` while its engine is stopped and removed.',
    tag: 'Destinations',
    responses: {
      202: { description: 'Being removed.', schema: destinationSchema, headers: 'etag' },
      204: { description: 'Removed.' },
      403: errors[403],
      404: errors[404],
    },
    examples: { unknownId: NOT_FOUND_EXAMPLE },
  },
  {
    operationId: 'startDestination',
    method: 'post',
    path: '/stream-destinations/{id}/start',
    summary: 'Start a destination now',
    description:
      'Starts the destination for the live stream (undoing a manual stop). 409 CHANNEL_OFFLINE while its IVS channel is offline. A disabled destination is refused with 409 DESTINATION_DISABLED — a start never enables silently — unless the body says `{"enable": true}`.',
    tag: 'Destinations',
    request: { schema: startBodySchema, required: false },
    responses: {
      202: { description: 'Starting.', schema: destinationSchema, headers: 'etag' },
      400: errors[400],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
    examples: {
      offline: {
        summary: 'The IVS channel is not live',
        status: 409,
        request: {},
        response: error(
          'CHANNEL_OFFLINE',
          `The IVS channel ${CHANNEL_ARN} is not live, so there is nothing to send. Start streaming to IVS; enabled destinations start by themselves when the stream goes live.`,
        ),
      },
      unknownField: {
        summary: 'A field the action does not know',
        status: 400,
        request: { force: true },
        response: fieldsError([{ field: 'force', message: 'is not a known field; allowed fields are enable' }]),
      },
      live: {
        summary: 'Start while live',
        status: 202,
        request: {},
        replay: { channel: 'live' },
        response: destination({ status: 'starting', version: 3 }),
      },
    },
  },
  {
    operationId: 'stopDestination',
    method: 'post',
    path: '/stream-destinations/{id}/stop',
    summary: 'Stop a destination for this stream',
    description: 'Stops the destination for the current stream; it starts again with the next one. The body, if any, must be `{}`.',
    tag: 'Destinations',
    request: { schema: stopBodySchema, required: false },
    responses: {
      202: { description: 'Stopping.', schema: destinationSchema, headers: 'etag' },
      400: errors[400],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
    examples: {
      stop: {
        summary: 'Stop for this stream',
        status: 202,
        request: {},
        response: destination({ status: 'stopping', pausedStreamId: 'st-1AbCdEfGhIjKl', version: 4 }),
      },
      unknownField: {
        summary: 'A body with a field',
        status: 400,
        request: { now: true },
        response: fieldsError([{ field: 'now', message: 'is not a known field; send no body or {}' }]),
      },
    },
  },
  {
    operationId: 'listDestinationEvents',
    method: 'get',
    path: '/stream-destinations/{id}/events',
    summary: "A destination's history",
    description:
      'Every start, stop, failure, recovery, edit and manual action of the destination, newest first, kept for 30 days. Pages of `limit` events; pass `nextToken` from one page to get the next (older) one.',
    tag: 'Destinations',
    query: [
      {
        name: 'limit',
        // The range is in the description, not the schema: the 400 example sends a value outside it.
        description: `Events per page, 1 to ${EVENTS_PAGE_MAX}; default ${EVENTS_PAGE_DEFAULT}. Anything else is a 400.`,
        schema: { type: 'integer', default: EVENTS_PAGE_DEFAULT },
      },
      {
        name: 'nextToken',
        description: 'The `nextToken` of the previous page, unchanged (opaque). Leave it out for the newest events.',
        schema: { type: 'string', maxLength: 200 },
      },
    ],
    responses: {
      200: { description: 'One page of events.', schema: destinationEventPageSchema },
      400: errors[400],
      403: errors[403],
      404: errors[404],
    },
    examples: {
      history: {
        summary: 'The newest events',
        status: 200,
        query: { limit: 2 },
        response: {
          events: [
            {
              id: '2030-01-01T12:00:05.000Z_5f4e3d2c1b0a',
              at: '2030-01-01T12:00:05.000Z',
              kind: 'running',
              source: 'monitor',
              message: 'The relay is running.',
              details: { previousStatus: 'starting', status: 'active' },
            },
            {
              id: '2030-01-01T12:00:00.000Z_0a1b2c3d4e5f',
              at: AT,
              kind: 'created',
              source: 'api',
              message: 'Created (youtube, enabled).',
              details: { platform: 'youtube', enabled: true, profile: '1080p30-6000' },
            },
          ],
          nextToken: null,
        },
      },
      badLimit: {
        summary: 'A page size out of range',
        status: 400,
        query: { limit: 500 },
        response: fieldsError([
          { field: 'limit', message: `must be a whole number from 1 to ${EVENTS_PAGE_MAX}, e.g. ?limit=${EVENTS_PAGE_DEFAULT}` },
        ]),
      },
      badToken: {
        summary: 'A token this API did not issue',
        status: 400,
        query: { nextToken: 'page-2' },
        response: fieldsError([
          {
            field: 'nextToken',
            message: 'is not a token this API issued: send the nextToken of the previous page unchanged, or none for the first page',
          },
        ]),
      },
      unknownId: NOT_FOUND_EXAMPLE,
    },
  },
  {
    operationId: 'getStreamStatus',
    method: 'get',
    path: '/stream-status',
    summary: 'IVS channel states',
    description:
      'What the monitor last learnt from IVS (within seconds of an IVS event, at most a minute old). Costs no IVS call, so it may be polled, with `If-None-Match` as the destination list.',
    tag: 'Status',
    conditional: true,
    responses: {
      200: { description: 'One entry per IVS channel.', schema: streamStatusSchema, headers: 'body-etag' },
      304: { description: 'Unchanged since the ETag sent in If-None-Match; no body.' },
      403: errors[403],
    },
    examples: {
      status: {
        summary: 'One channel, offline',
        status: 200,
        response: {
          channels: [{ channelArn: CHANNEL_ARN, channelId: CHANNEL_ID, state: 'OFFLINE', streamId: null, since: null, stopsAt: null }],
        },
      },
    },
  },
  {
    operationId: 'getChannel',
    method: 'get',
    path: '/channels/{channelId}',
    summary: 'Encoder server and playback URL of an IVS channel',
    description:
      "Where an encoder sends the channel's stream (`ingestServer`, RTMPS on port 443) and where a player plays it (`playbackUrl`), from IVS GetChannel. The stream key is not here: see /channels/{channelId}/stream-key.",
    tag: 'Channels',
    responses: { 200: { description: 'The channel.', schema: channelSchema }, 403: errors[403], 404: CHANNEL_NOT_FOUND },
    examples: {
      channel: {
        summary: 'A channel',
        status: 200,
        response: {
          channelArn: CHANNEL_ARN,
          channelId: CHANNEL_ID,
          ingestServer: INGEST_SERVER,
          playbackUrl: `https://a1b2c3d4e5f6.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.${CHANNEL_ID}.m3u8`,
        },
      },
      unknownChannel: UNKNOWN_CHANNEL_EXAMPLE,
    },
  },
  {
    operationId: 'getChannelStreamKey',
    method: 'get',
    path: '/channels/{channelId}/stream-key',
    summary: "Reveal an IVS channel's stream key",
    description:
      'The IVS stream key an encoder needs, in clear, with the ingest server (IVS ListStreamKeys and GetStreamKey). A credential: only an administrator may read it (like every route), the answer carries `Cache-Control: no-store`, and it is never logged. Anyone holding it can stream to the channel.',
    tag: 'Channels',
    responses: {
      200: { description: 'The key.', schema: channelStreamKeySchema, headers: 'no-store' },
      403: errors[403],
      404: CHANNEL_NOT_FOUND,
    },
    examples: {
      key: {
        summary: 'The encoder settings',
        status: 200,
        response: {
          channelArn: CHANNEL_ARN,
          channelId: CHANNEL_ID,
          ingestServer: INGEST_SERVER,
          streamKey: 'sk_us-east-1_aBcDeFgHiJkLmNoPqRsTuV',
        },
      },
      unknownChannel: UNKNOWN_CHANNEL_EXAMPLE,
    },
  },
  {
    operationId: 'endGracePeriod',
    method: 'post',
    path: '/channels/{channelId}/end-grace',
    summary: 'End the grace period now',
    description:
      'After the stream ends, destinations keep running for the grace period (STOP_GRACE_SECONDS) in case the encoder comes back. This ends it for the channel now: what still runs stops within seconds, and a stream that comes back begins a new broadcast. Idempotent: a channel past its grace period answers as it is. 409 CHANNEL_LIVE while the channel is live. The body, if any, must be `{}`.',
    tag: 'Channels',
    request: { schema: endGraceBodySchema, required: false },
    responses: {
      202: { description: 'Ended; the destinations are stopping. The channel as it is now (`stopsAt` null).', schema: channelStatusSchema },
      400: errors[400],
      403: errors[403],
      404: CHANNEL_NOT_FOUND,
      409: { description: 'The channel is live: it has no grace period.', schema: errorSchema },
    },
    examples: {
      ended: {
        summary: 'End it now',
        status: 202,
        request: {},
        replay: { channel: 'offline' },
        response: { channelArn: CHANNEL_ARN, channelId: CHANNEL_ID, state: 'OFFLINE', streamId: null, since: AT, stopsAt: null },
      },
      live: {
        summary: 'The channel is live',
        status: 409,
        request: {},
        replay: { channel: 'live' },
        response: error(
          'CHANNEL_LIVE',
          `The IVS channel ${CHANNEL_ARN} is live, so there is no grace period to end. Stop its destinations one by one (POST /stream-destinations/{id}/stop), or end the stream in the encoder.`,
        ),
      },
    },
  },
  {
    operationId: 'getCosts',
    method: 'get',
    path: '/costs',
    summary: 'What restreaming costs',
    description:
      'What the relays running now cost per hour, by relay mode, and what this month’s runs add up to, from each destination’s history. Prices are us-east-1 list prices (docs/costs.md) unless the deployment overrides them. Reads every destination’s history of the month: fetch it on demand, not every few seconds. `If-None-Match` as the destination list.',
    tag: 'Status',
    conditional: true,
    responses: {
      200: { description: 'The cost now and this month.', schema: costReportSchema, headers: 'body-etag' },
      304: { description: 'Unchanged since the ETag sent in If-None-Match; no body.' },
      403: errors[403],
    },
    examples: {
      costs: {
        summary: 'Nothing running; nothing yet this month',
        status: 200,
        response: {
          currency: 'USD',
          prices: DEFAULT_PRICES,
          overridden: [],
          running: {
            hourlyUsd: 0,
            destinations: 0,
            byMode: [
              { mode: 'passthrough', destinations: 0, hourlyUsd: 0 },
              { mode: 'transcode', destinations: 0, hourlyUsd: 0 },
            ],
          },
          month: {
            from: '2030-01-01T00:00:00.000Z',
            to: AT,
            usd: 0,
            destinationHours: 0,
            byMode: [
              { mode: 'passthrough', hours: 0, runs: 0, usd: 0 },
              { mode: 'transcode', hours: 0, runs: 0, usd: 0 },
            ],
            basis: MONTH_BASIS,
          },
        },
      },
    },
  },
  {
    operationId: 'getApiDocument',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of this API. Public: it holds no data, and API Gateway routes it without the authorizer.',
    tag: 'Contract',
    public: true,
    responses: { 200: { description: 'The OpenAPI document.' }, 413: errors[413] },
    examples: {},
  },
];

const ID_DESCRIPTION = 'The destination id (1-128 letters, digits, `-` or `_`); any other shape is a 404.';
const CHANNEL_ID_DESCRIPTION =
  'The IVS channel id: the last part of its ARN (`…:channel/<id>`), as GET /stream-status lists it in `channelId`; any other value is a 404.';

/** Examples of one kind keyed by exchange name, for a parameter or a media type. */
function namedExamples(op: ApiOperation, pick: (e: ExchangeExample) => unknown): Record<string, NamedExample> {
  return Object.fromEntries(
    Object.entries(op.examples)
      .filter(([, e]) => pick(e) !== undefined)
      .map(([name, e]) => [name, { summary: e.summary, value: pick(e) }]),
  );
}

interface NamedExample {
  summary: string;
  value: unknown;
  'x-replay'?: ReplaySetup;
}

const withExamples = (examples: Record<string, NamedExample>): { examples?: Record<string, NamedExample> } =>
  Object.keys(examples).length > 0 ? { examples } : {};

function operationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const parameters: NonNullable<ZodOpenApiOperationObject['parameters']> = [];
  if (op.path.includes('{id}')) {
    parameters.push({
      in: 'path',
      name: 'id',
      required: true,
      description: ID_DESCRIPTION,
      schema: { type: 'string', example: DESTINATION_ID },
      ...withExamples(namedExamples(op, (e) => e.pathId)),
    });
  }
  if (op.path.includes('{channelId}')) {
    parameters.push({
      in: 'path',
      name: 'channelId',
      required: true,
      description: CHANNEL_ID_DESCRIPTION,
      schema: { type: 'string', example: CHANNEL_ID },
      ...withExamples(namedExamples(op, (e) => e.pathId)),
    });
  }
  for (const q of op.query ?? []) {
    parameters.push({
      in: 'query',
      name: q.name,
      required: false,
      description: q.description,
      schema: q.schema,
      ...withExamples(namedExamples(op, (e) => e.query?.[q.name])),
    });
  }
  if (op.ifMatch) {
    parameters.push({
      in: 'header',
      name: 'If-Match',
      required: false,
      description: 'The ETag of the version you read, e.g. `"7"`, or `*`: change only that version; 412 if it moved on.',
      schema: { type: 'string', example: '"7"' },
      ...withExamples(namedExamples(op, (e) => e.ifMatch)),
    });
  }
  if (op.conditional) {
    parameters.push({
      in: 'header',
      name: 'If-None-Match',
      required: false,
      description: 'The ETag of the last answer, e.g. `W/"Yp3…"`: 304 with no body while it still matches.',
      schema: { type: 'string' },
    });
  }
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    const examples: Record<string, NamedExample> = Object.fromEntries(
      Object.entries(op.examples)
        .filter(([, e]) => String(e.status) === status)
        .map(([name, e]) => [name, { summary: e.summary, value: e.response, ...(e.replay ? { 'x-replay': e.replay } : {}) }]),
    );
    const schema =
      spec.schema ?? (op.operationId === 'getApiDocument' && status === '200' ? zod.record(zod.string(), zod.unknown()) : undefined);
    responses[status] = {
      description: spec.description,
      ...(spec.headers === 'etag'
        ? {
            headers: {
              ETag: { description: 'The version of the destination, e.g. `"7"`: send it as If-Match.', schema: { type: 'string' } },
            },
          }
        : spec.headers === 'body-etag'
          ? {
              headers: {
                ETag: {
                  description: 'A weak tag hashed from the JSON, e.g. `W/"Yp3…"`: send it as If-None-Match on the next poll.',
                  schema: { type: 'string' },
                },
              },
            }
          : {}),
      ...(spec.headers === 'no-store'
        ? {
            headers: {
              'Cache-Control': {
                description: '`no-store`: a credential is kept by no cache.',
                schema: { type: 'string', example: 'no-store' },
              },
            },
          }
        : {}),
      ...(schema ? { content: { 'application/json': { schema, ...withExamples(examples) } } } : {}),
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: op.description,
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.request
      ? {
          requestBody: {
            required: op.request.required,
            content: { 'application/json': { schema: op.request.schema, ...withExamples(namedExamples(op, (e) => e.request)) } },
          },
        }
      : {}),
    responses,
    ...(op.public ? { security: [] } : {}),
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

/** The document, built once per process. */
export function apiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  const paths: ZodOpenApiObject['paths'] = {};
  for (const op of API_OPERATIONS) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  cached = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'IVS Restreaming API',
      version: '1.0.0',
      description:
        'Manage the destinations an Amazon IVS channel is restreamed to. All bodies are JSON; errors are `{"error": {"code", "message", "details"}}`, and a 400 names each field and the fix. Stream keys go in, never out. In JWT mode every route except this document needs a bearer token holding the admin group or scope; the local stack (`npm start`) has no authentication.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The API origin (the deployment output `api_url`, or the local stack).' }],
    tags: [
      { name: 'Destinations', description: 'Where the stream goes.' },
      { name: 'Status', description: 'What IVS says about the channels.' },
      { name: 'Channels', description: 'The IVS channels: encoder settings, preview, the grace period.' },
      { name: 'Contract', description: 'This document.' },
    ],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token of the configured OIDC issuer (Cognito by default).',
        },
      },
    },
    paths,
  });
  return cached;
}
