/**
 * The local stack's `/_local/*` controls: switch the simulated IVS stream on and off, and look at
 * the simulated MediaLive channels (never their stream keys).
 *
 *   POST /_local/ivs/live        body {"channelArn"} optional: without it, every local channel
 *   POST /_local/ivs/offline     body {"channelArn"} optional
 *   GET  /_local/ivs/channels
 *   GET  /_local/medialive/channels
 *
 * Answers use the API's shapes: `{"channels": [...]}`, errors `{"error": {code, message, details}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TAG_DESTINATION } from '../../lambdas/core/ports';
import type { AwsSimulator } from '../../lambdas/testing/simulator';
import { BodyTooLargeError, readBody, sendJson } from './api-gateway-http';
import type { LocalMedia } from './media/local-media';

/** The largest control request body (they are tiny). */
const MAX_CONTROL_BODY_BYTES = 16 * 1024;

/** One simulated IVS channel as `/_local/ivs/*` reports it. */
export interface LocalIvsChannelView {
  channelArn: string;
  state: 'LIVE' | 'OFFLINE';
  streamId: string | null;
  /** ISO-8601 start of the current stream, null while offline. */
  since: string | null;
}

/** One simulated MediaLive channel as `/_local/medialive/channels` reports it: no spec, no key. */
export interface LocalMediaLiveChannelView {
  id: string;
  name: string;
  arn: string;
  state: string;
  stateSince: string;
  createdAt: string;
  /** Successful starts of this channel. */
  starts: number;
  inputIds: string[];
  destinationId: string | null;
}

export interface LocalControls {
  /** Answers a request whose path starts with `/_local/`; `segments` are the parts after it. */
  handle(req: IncomingMessage, res: ServerResponse, segments: readonly string[]): Promise<void>;
  ivsChannels(): Promise<LocalIvsChannelView[]>;
  mediaLiveChannels(): LocalMediaLiveChannelView[];
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function errorBody(error: ControlError): unknown {
  return {
    error: {
      code: error.code,
      message: error.message,
      details: error.field === undefined ? null : { fields: [{ field: error.field, message: error.message }] },
    },
  };
}

async function readChannelArn(req: IncomingMessage): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readBody(req, MAX_CONTROL_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ControlError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${MAX_CONTROL_BODY_BYTES} bytes.`);
    throw error;
  }
  const text = bytes.toString('utf8').trim();
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlError(
      400,
      'MALFORMED_REQUEST',
      'Request body is not valid JSON: send {"channelArn": "arn:aws:ivs:…"} or nothing.',
      'body',
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ControlError(
      400,
      'MALFORMED_REQUEST',
      'Request body must be a JSON object: send {"channelArn": "arn:aws:ivs:…"} or nothing.',
      'body',
    );
  }
  const channelArn = (value as Record<string, unknown>)['channelArn'];
  if (channelArn === undefined) return undefined;
  if (typeof channelArn !== 'string') throw new ControlError(400, 'VALIDATION_FAILED', 'channelArn must be a string.', 'channelArn');
  return channelArn;
}

/**
 * @param settle resolves once the monitor runs triggered by a stream change have finished, so a
 *   control answers after the system has reacted (as IVS's event rule makes it react in AWS).
 * @param media with real media, going live pushes the test pattern into the channel's ingest (unless
 *   an encoder is live already) and going offline ends the ingest's session; the simulated IVS
 *   follows the ingest.
 */
export function createLocalControls(
  simulator: AwsSimulator,
  channelArns: readonly string[],
  settle: () => Promise<unknown> = () => Promise.resolve(),
  media?: LocalMedia,
): LocalControls {
  const view = async (channelArn: string): Promise<LocalIvsChannelView> => {
    const stream = await simulator.ivs.getStream(channelArn);
    return { channelArn, state: stream ? 'LIVE' : 'OFFLINE', streamId: stream?.streamId ?? null, since: stream?.startTime ?? null };
  };

  const targets = (channelArn: string | undefined): readonly string[] => {
    if (channelArn === undefined) return channelArns;
    if (!channelArns.includes(channelArn)) {
      throw new ControlError(
        400,
        'VALIDATION_FAILED',
        `channelArn is not a channel of the local stack; known: ${channelArns.join(', ')} (set IVS_CHANNEL_ARNS to change them).`,
        'channelArn',
      );
    }
    return [channelArn];
  };

  const controls: LocalControls = {
    ivsChannels: () => Promise.all(channelArns.map(view)),

    mediaLiveChannels: () =>
      simulator.channels().map((c) => ({
        id: c.id,
        name: c.name,
        arn: c.arn,
        state: c.state,
        stateSince: c.stateSince,
        createdAt: c.createdAt,
        starts: c.starts,
        inputIds: [...c.inputIds],
        destinationId: c.tags[TAG_DESTINATION] ?? null,
      })),

    async handle(req, res, segments) {
      const route = segments.join('/');
      const method = (req.method ?? 'GET').toUpperCase();
      const allowed: Record<string, string> = {
        'ivs/live': 'POST',
        'ivs/offline': 'POST',
        'ivs/channels': 'GET',
        'medialive/channels': 'GET',
      };
      try {
        const expected = allowed[route];
        if (expected === undefined) {
          throw new ControlError(
            404,
            'ROUTE_NOT_FOUND',
            `No local control at /_local/${route}; there are POST /_local/ivs/live, POST /_local/ivs/offline, GET /_local/ivs/channels and GET /_local/medialive/channels.`,
          );
        }
        if (method !== expected && !(expected === 'GET' && method === 'HEAD')) {
          res.setHeader('allow', expected);
          throw new ControlError(405, 'METHOD_NOT_ALLOWED', `Use ${expected} /_local/${route}.`);
        }
        if (route === 'ivs/channels') return sendJson(req, res, 200, { channels: await controls.ivsChannels() });
        if (route === 'medialive/channels') return sendJson(req, res, 200, { channels: controls.mediaLiveChannels() });

        const chosen = targets(await readChannelArn(req));
        const ingests = media?.ingests;
        if (ingests) {
          const results = await Promise.all(
            chosen.map((arn) => (route === 'ivs/live' ? ingests.get(arn)?.goLive() : ingests.get(arn)?.goOffline())),
          );
          if (results.some((ok) => ok === false)) {
            throw new ControlError(
              504,
              'MEDIA_TIMEOUT',
              route === 'ivs/live'
                ? 'The test pattern did not reach the local RTMP ingest in time; see the terminal for ffmpeg errors.'
                : 'The local RTMP ingest did not end its session in time; see the terminal.',
            );
          }
          // The ingest's live change reaches the simulated IVS in a moment; wait for it.
          for (let i = 0; i < 50; i += 1) {
            const states = await Promise.all(chosen.map((arn) => simulator.ivs.getStream(arn)));
            if (states.every((s) => (s !== undefined) === (route === 'ivs/live'))) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          await settle();
          return sendJson(req, res, 200, { channels: await Promise.all(chosen.map(view)) });
        }
        for (const channelArn of chosen) {
          const live = (await simulator.ivs.getStream(channelArn)) !== undefined;
          // Idempotent: going live while live keeps the current stream (a new one would end a pause).
          if (route === 'ivs/live' && !live) simulator.goLive(channelArn);
          if (route === 'ivs/offline' && live) simulator.goOffline(channelArn);
        }
        await settle();
        return sendJson(req, res, 200, { channels: await Promise.all(chosen.map(view)) });
      } catch (error) {
        if (error instanceof ControlError) return sendJson(req, res, error.status, errorBody(error));
        throw error;
      }
    },
  };
  return controls;
}
