/**
 * The zod schemas of the API beyond the destination bodies (which live in core/validation.ts):
 * the optional body of start and stop, and the answers. The OpenAPI document (openapi.ts) is
 * generated from these and from the validation schemas, so there is no second copy to drift;
 * `satisfies` ties each answer schema to the TypeScript type the routes return.
 */
import { z } from 'zod';
import type { CostReport } from '../core/costs';
import { PRICE_KEYS } from '../core/costs';
import type { ChannelStatusView, ChannelStreamKeyView, ChannelView, DestinationView } from '../core/destination';
import { DESTINATION_STATUSES, PLATFORMS, PROFILES, RELAY_MODES } from '../core/destination';
import { HEALTH_STATES } from '../core/health';
import { ValidationError } from '../core/errors';
import type { DestinationEventView } from '../core/events';
import { decodeCursor, DESTINATION_EVENT_KINDS, EVENT_SOURCES, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX } from '../core/events';
import { SOURCE_WARNING_CODES } from '../core/source-check';
import type { FieldIssue } from '../core/errors';
import { STATUS_BY_CODE } from './errors';
import type { ApiErrorCode } from './errors';

/** `POST /stream-destinations/{id}/start`: an optional body. */
export const startBodySchema = z
  .strictObject({
    enable: z.boolean().optional().meta({
      description:
        'true: enable a disabled destination as part of the start. Without it, starting a disabled destination answers 409 DESTINATION_DISABLED.',
    }),
  })
  .meta({ id: 'StartRequest' });

/** `POST /stream-destinations/{id}/stop`: an optional, empty body. */
export const stopBodySchema = z.strictObject({}).meta({ id: 'StopRequest' });

/** `POST /channels/{channelId}/end-grace`: an optional, empty body. */
export const endGraceBodySchema = z.strictObject({}).meta({ id: 'EndGraceRequest' });

export type StartBody = z.infer<typeof startBodySchema>;

/**
 * Parses an action body (start, stop) into field issues that name the field and never quote a
 * value, like the destination bodies' validation does.
 */
export function parseActionBody<T>(schema: z.ZodType<T>, body: unknown, allowed: readonly string[]): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues: FieldIssue[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const printable = key.replace(/\p{C}/gu, '?');
        issues.push({
          field: printable.length > 64 ? `${printable.slice(0, 64)}…` : printable,
          message:
            allowed.length === 0
              ? 'is not a known field; send no body or {}'
              : `is not a known field; allowed fields are ${allowed.join(', ')}`,
        });
      }
    } else {
      issues.push({ field: issue.path.map(String).join('.') || 'body', message: 'expected a boolean; send true or false' });
    }
  }
  throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

/** What the `mode` field means, for the OpenAPI document. */
export const RELAY_MODE_DESCRIPTION =
  "`passthrough`: the IVS stream is copied as it is (ffmpeg `-c copy` on ECS Fargate), about $0.01 per destination-hour and under a minute to start; needs a deployment with relays (otherwise 409 RELAY_MODE_UNAVAILABLE). `transcode`: encoded again with `profile` by a MediaLive channel, about $1 per destination-hour (10-minute minimum per start) and 1–3 minutes to start; for a platform that needs a lower bit rate or resolution than the source. Changing it rebuilds the relay on the other engine. Default: the deployment's (passthrough when it has relays).";

const isoTime = z.iso.datetime().meta({ example: '2030-01-01T12:00:00.000Z' });

export const destinationErrorSchema = z
  .object({ code: z.string(), message: z.string(), at: isoTime })
  .meta({ id: 'DestinationError', description: 'The last failure the reconciler recorded for this destination.' });

export const healthSchema = z
  .object({
    state: z.enum(HEALTH_STATES).meta({
      description:
        'ok: media reaches the platform; degraded: it does, after a recent drop or with engine alerts; failing: the platform refused the stream, cannot be reached, or no media flows; unknown: nothing runs, or no figures yet.',
    }),
    bitrateKbps: z
      .number()
      .nullable()
      .meta({ description: 'Bit rate sent to the platform, kbit/s, measured by the relay; null when nothing flows.' }),
    since: isoTime.meta({ description: 'When the state began.' }),
    message: z
      .string()
      .meta({ description: 'What is happening and what to check, e.g. "Cannot reach the RTMP host: check the server URL …".' }),
  })
  .meta({
    id: 'DestinationHealth',
    description: 'Whether media reaches the platform, from the data plane (relay progress, MediaLive alerts and metrics).',
  });

export const destinationWarningSchema = z
  .object({
    code: z.enum(SOURCE_WARNING_CODES),
    message: z.string().meta({
      example:
        'Twitch takes at most 6000 kbit/s of video at this resolution; the IVS source sends 8000 kbit/s. Pass-through sends the stream as it is: use transcode for this destination.',
    }),
    field: z.string().optional().meta({ description: 'The destination field that fixes it (`mode`: use transcode).', example: 'mode' }),
  })
  .meta({
    id: 'DestinationWarning',
    description:
      "A limit of the destination's platform that the IVS source (its last stream session, as IVS reported it) does not meet: a pass-through relay would send it as it is.",
  });

export const destinationSchema = z
  .object({
    id: z.string().meta({ example: '3f0b8c5e-8d7a-4c1e-9f2b-6a5d4c3b2a10' }),
    platform: z.enum(PLATFORMS),
    name: z.string(),
    enabled: z.boolean().meta({ description: 'Enabled destinations start when their IVS channel goes live.' }),
    status: z.enum(DESTINATION_STATUSES),
    statusSince: isoTime,
    channelArn: z.string(),
    rtmpUrl: z.string(),
    streamKeyMasked: z.string().meta({
      description: 'The stream key is never returned: only its end, at most a quarter of it and four characters.',
      example: '••••tKeY',
    }),
    profile: z.enum(PROFILES).meta({ description: 'The encoding of mode `transcode`; pass-through sends the IVS stream as it is.' }),
    mode: z.enum(RELAY_MODES).meta({ description: RELAY_MODE_DESCRIPTION }),
    lastError: destinationErrorSchema.nullable(),
    health: healthSchema,
    mediaLiveChannelId: z
      .string()
      .nullable()
      .meta({ description: 'The MediaLive channel of a `transcode` relay; null for none and for a pass-through relay.' }),
    pausedStreamId: z.string().nullable().meta({ description: 'Set by a manual stop: off for this IVS stream, on again for the next.' }),
    warnings: z.array(destinationWarningSchema).meta({
      description:
        "Why pass-through will not do: each platform limit (codec, H.264 profile, resolution, frame rate, video bit rate, keyframe interval, audio codec) the IVS channel's last stream session crosses. Empty when it fits or nothing is known yet.",
    }),
    version: z
      .number()
      .int()
      .meta({ description: 'Bumped by every write; also the ETag. Send it back in If-Match to change only this version.' }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Destination' }) satisfies z.ZodType<DestinationView>;

export const unreadableDestinationSchema = z
  .object({
    id: z.string(),
    code: z.literal('MALFORMED_ITEM'),
    message: z.string().meta({ description: 'What is wrong and the fix: correct the named attributes in the table, or delete the item.' }),
    fields: z.array(z.object({ field: z.string(), message: z.string() })),
  })
  .meta({ id: 'UnreadableDestination', description: 'A stored item that does not parse: left out of `destinations`, named here.' });

export const destinationListSchema = z
  .object({
    destinations: z.array(destinationSchema),
    problems: z.array(unreadableDestinationSchema).optional().meta({ description: 'Only when some stored item does not parse.' }),
  })
  .meta({ id: 'DestinationList' });

export const channelStatusSchema = z
  .object({
    channelArn: z.string(),
    channelId: z.string().meta({ description: 'The last part of the ARN: the `{channelId}` of the /channels routes.' }),
    state: z.enum(['LIVE', 'OFFLINE']),
    streamId: z.string().nullable(),
    since: isoTime.nullable(),
    stopsAt: isoTime.nullable().meta({
      description:
        'While the channel is offline inside its grace period: when what still runs for it stops (the offline time plus STOP_GRACE_SECONDS). null otherwise, and after POST /channels/{channelId}/end-grace.',
    }),
  })
  .meta({ id: 'ChannelStatus' }) satisfies z.ZodType<ChannelStatusView>;

export const channelSchema = z
  .object({
    channelArn: z.string(),
    channelId: z.string(),
    ingestServer: z.string().meta({
      description: "The encoder's server (OBS: Settings → Stream → Server).",
      example: 'rtmps://a1b2c3d4e5f6.global-contribute.live-video.net:443/app/',
    }),
    playbackUrl: z.string().meta({ description: "The channel's HLS playback URL, for a player." }),
  })
  .meta({ id: 'Channel' }) satisfies z.ZodType<ChannelView>;

export const channelStreamKeySchema = z
  .object({
    channelArn: z.string(),
    channelId: z.string(),
    ingestServer: z.string(),
    streamKey: z.string().meta({ description: "The IVS channel's stream key in clear: a credential. Sent with Cache-Control: no-store." }),
  })
  .meta({ id: 'ChannelStreamKey' }) satisfies z.ZodType<ChannelStreamKeyView>;

export const streamStatusSchema = z.object({ channels: z.array(channelStatusSchema) }).meta({ id: 'StreamStatus' });

const usd = (description: string) => z.number().min(0).meta({ description });
const priceSchema = z.object(
  Object.fromEntries(PRICE_KEYS.map((key) => [key, z.number().min(0)])) as Record<(typeof PRICE_KEYS)[number], z.ZodNumber>,
);

/** `GET /costs`. */
export const costReportSchema = z
  .object({
    currency: z.literal('USD'),
    prices: priceSchema.meta({
      description: 'The prices in effect: us-east-1 list prices (docs/costs.md) with the deployment’s overrides on top.',
    }),
    overridden: z.array(z.enum(PRICE_KEYS)).meta({ description: 'The prices the deployment set (deployment.config.ts `prices`).' }),
    running: z.object({
      hourlyUsd: usd('What the relays running now cost per hour, data transfer included.'),
      destinations: z.number().int().min(0),
      byMode: z.array(z.object({ mode: z.enum(RELAY_MODES), destinations: z.number().int().min(0), hourlyUsd: usd('Per hour.') })),
    }),
    month: z.object({
      from: z.iso.datetime().meta({ description: 'The 1st of the month, 00:00 UTC.' }),
      to: z.iso.datetime(),
      usd: usd('The month so far.'),
      destinationHours: z.number().min(0),
      byMode: z.array(
        z.object({ mode: z.enum(RELAY_MODES), hours: z.number().min(0), runs: z.number().int().min(0), usd: usd('The month so far.') }),
      ),
      basis: z.string().meta({ description: 'What the month’s figure is made of and what it leaves out.' }),
    }),
  })
  .meta({ id: 'Costs' }) satisfies z.ZodType<CostReport>;

const ERROR_CODE_LIST = Object.keys(STATUS_BY_CODE) as [ApiErrorCode, ...ApiErrorCode[]];

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODE_LIST),
      message: z.string().meta({ description: 'What went wrong and what to do; a 400 names each field.' }),
      details: z.unknown().meta({ description: 'null, or e.g. {"fields": [{"field", "message"}]} for a 400, {"requestId"} for a 500.' }),
    }),
  })
  .meta({ id: 'Error' });

/** The query of `GET /stream-destinations/{id}/events`, validated: `limit` and the opaque `nextToken`. */
export interface EventsQuery {
  limit: number;
  cursor?: string;
}

const EVENTS_QUERY_FIELDS = ['limit', 'nextToken'] as const;

/**
 * Parses the events query. Each problem is a field issue naming the parameter and the fix; a
 * value is never quoted back.
 */
export function parseEventsQuery(query: ReadonlyMap<string, string>): EventsQuery {
  const issues: FieldIssue[] = [];
  for (const name of query.keys()) {
    if (!(EVENTS_QUERY_FIELDS as readonly string[]).includes(name)) {
      const printable = name.replace(/\p{C}/gu, '?');
      issues.push({
        field: printable.length > 64 ? `${printable.slice(0, 64)}…` : printable,
        message: `is not a known query parameter; allowed are ${EVENTS_QUERY_FIELDS.join(', ')}`,
      });
    }
  }
  let limit = EVENTS_PAGE_DEFAULT;
  const rawLimit = query.get('limit');
  if (rawLimit !== undefined) {
    const n = /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= EVENTS_PAGE_MAX) limit = n;
    else
      issues.push({ field: 'limit', message: `must be a whole number from 1 to ${EVENTS_PAGE_MAX}, e.g. ?limit=${EVENTS_PAGE_DEFAULT}` });
  }
  const cursor = query.get('nextToken');
  if (cursor !== undefined) {
    try {
      decodeCursor(cursor);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  return cursor === undefined ? { limit } : { limit, cursor };
}

export const destinationEventSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'Time-ordered id, unique within the destination.', example: '2030-01-01T12:00:00.000Z_0a1b2c3d4e5f' }),
    at: isoTime,
    kind: z.enum(DESTINATION_EVENT_KINDS),
    source: z.enum(EVENT_SOURCES).meta({ description: '`api`: a call of this API; `monitor`: what the stream monitor observed or did.' }),
    message: z.string(),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]))
      .meta({ description: 'Field names of an edit, an error code, statuses. Never a stream key.' }),
  })
  .meta({ id: 'DestinationEvent' }) satisfies z.ZodType<DestinationEventView>;

export const destinationEventPageSchema = z
  .object({
    events: z.array(destinationEventSchema).meta({ description: 'Newest first.' }),
    nextToken: z.string().nullable().meta({ description: 'Send it as `?nextToken=` for the next (older) page; null on the last page.' }),
  })
  .meta({ id: 'DestinationEventPage' });
