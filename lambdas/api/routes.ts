/**
 * The destinations API as a route table: each route parses what it needs from the request, calls
 * one use case of the DestinationService and says how to answer. No business rule lives here.
 *
 * A destination id that is not in the shape we generate (UUIDs; any 1-128 letters, digits, `-`
 * or `_`) is answered 404 DESTINATION_NOT_FOUND without calling the service, like an id that
 * does not exist.
 */
import type { CostReporter } from '../core/costs';
import type { DestinationService, DestinationView } from '../core/destination';
import { ChannelNotFoundError, DestinationNotFoundError, PreconditionFailedError } from '../core/errors';
import { parseCreateDestination, parseUpdateDestination } from '../core/validation';
import { readJsonObject } from './body';
import type { HttpRequest } from './converters';
import { apiDocument } from './openapi';
import { endGraceBodySchema, parseActionBody, parseEventsQuery, startBodySchema, stopBodySchema } from './schemas';
import { displayable, route } from './router';
import type { Route, RouteResult } from './router';

const ID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * An IVS channel id: the resource part of a channel ARN, `[a-zA-Z0-9-]+` in IVS's ARN pattern
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetChannel.html).
 */
const CHANNEL_ID_SHAPE = /^[A-Za-z0-9-]{1,128}$/;
const START_EXAMPLE = '{"enable": true}';

/** What a route learnt that the request log and the error log should name. */
export interface RequestNotes {
  destinationId?: string;
  /** Values of the request that must not reach a log line (the stream key). */
  secrets: string[];
}

/** The decoded `{id}`; 404 for an id we could never have generated. */
export function destinationId(raw: string, notes: RequestNotes): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new DestinationNotFoundError(displayable(raw));
  }
  if (!ID_SHAPE.test(id)) throw new DestinationNotFoundError(displayable(id));
  notes.destinationId = id;
  return id;
}

/** The decoded `{channelId}`; 404 with the fix for anything that cannot be an IVS channel id (an ARN, say). */
export function channelId(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    id = raw;
  }
  if (!CHANNEL_ID_SHAPE.test(id)) {
    throw new ChannelNotFoundError(
      `"${displayable(id)}" is not an IVS channel id: use the last part of the channel ARN (letters, digits and -), as GET /stream-status lists it in channelId.`,
    );
  }
  return id;
}

function bodyWithSecrets(request: HttpRequest, notes: RequestNotes): Record<string, unknown> {
  const body = readJsonObject(request.body);
  if (typeof body.streamKey === 'string' && body.streamKey !== '') notes.secrets.push(body.streamKey);
  return body;
}

/** A destination answer carries its version as a strong ETag (RFC 9110 §8.8.3). */
export function etagOf(view: DestinationView): string {
  return `"${view.version}"`;
}

const ok = (body: DestinationView, status = 200): RouteResult => ({ status, body, headers: { ETag: etagOf(body) } });

/**
 * The version an `If-Match` header asks for: undefined without the header or for `*` (any
 * version of an existing destination). A weak or malformed tag can never match (If-Match
 * compares strongly), so it is a 412 that says what to send.
 */
export function ifMatchVersion(request: HttpRequest): number | undefined {
  const header = request.headers.get('if-match')?.trim();
  if (header === undefined || header === '' || header === '*') return undefined;
  const match = /^"(\d{1,15})"$/.exec(header);
  if (!match?.[1]) {
    throw new PreconditionFailedError(
      'If-Match must be one ETag exactly as a destination answer sent it, e.g. "7" (with the quotes), or *.',
    );
  }
  return Number(match[1]);
}

/** The routes of the destinations API. `notes` is per request (see createApiHandler). */
export function destinationRoutes(
  service: DestinationService,
  notesOf: (request: HttpRequest) => RequestNotes,
  costs?: CostReporter,
): Route[] {
  return [
    ...(costs ? [route('GET', '/costs', async () => ({ status: 200, body: await costs.report() }), { conditional: true })] : []),
    route('GET', '/stream-destinations', async () => ({ status: 200, body: await service.list() }), {
      conditional: true,
    }),
    route('POST', '/stream-destinations', async ({ request }) => {
      const notes = notesOf(request);
      const view = await service.create(parseCreateDestination(bodyWithSecrets(request, notes)));
      notes.destinationId = view.id;
      return ok(view, 201);
    }),
    route('GET', '/stream-destinations/{id}', async ({ request, params }) =>
      ok(await service.get(destinationId(params.id, notesOf(request)))),
    ),
    route('PUT', '/stream-destinations/{id}', async ({ request, params }) => {
      const notes = notesOf(request);
      const id = destinationId(params.id, notes);
      const ifVersion = ifMatchVersion(request);
      const input = parseUpdateDestination(bodyWithSecrets(request, notes));
      return ok(await service.update(id, input, ifVersion === undefined ? {} : { ifVersion }));
    }),
    route('DELETE', '/stream-destinations/{id}', async ({ request, params }) => {
      const result = await service.remove(destinationId(params.id, notesOf(request)));
      return result.done ? { status: 204 } : ok(result.destination, 202);
    }),
    route('POST', '/stream-destinations/{id}/start', async ({ request, params }) => {
      const id = destinationId(params.id, notesOf(request));
      const body = parseActionBody(startBodySchema, readJsonObject(request.body, { optional: true, example: START_EXAMPLE }), ['enable']);
      return ok(await service.start(id, body.enable === undefined ? {} : { enable: body.enable }), 202);
    }),
    route('POST', '/stream-destinations/{id}/stop', async ({ request, params }) => {
      const id = destinationId(params.id, notesOf(request));
      parseActionBody(stopBodySchema, readJsonObject(request.body, { optional: true, example: '{}' }), []);
      return ok(await service.stop(id), 202);
    }),
    route('GET', '/stream-destinations/{id}/events', async ({ request, params }) => {
      const id = destinationId(params.id, notesOf(request));
      return { status: 200, body: await service.events(id, parseEventsQuery(request.query)) };
    }),
    route('GET', '/stream-status', async () => ({ status: 200, body: await service.streamStatus() }), { conditional: true }),
    route('GET', '/channels/{channelId}', async ({ params }) => ({
      status: 200,
      body: await service.channel(channelId(params.channelId)),
    })),
    // A credential: never stored by a browser or a proxy (RFC 9111 §5.2.2.5), never logged.
    route('GET', '/channels/{channelId}/stream-key', async ({ params }) => ({
      status: 200,
      body: await service.streamKey(channelId(params.channelId)),
      headers: { 'Cache-Control': 'no-store' },
    })),
    route('POST', '/channels/{channelId}/end-grace', async ({ request, params }) => {
      const id = channelId(params.channelId);
      parseActionBody(endGraceBodySchema, readJsonObject(request.body, { optional: true, example: '{}' }), []);
      return { status: 202, body: await service.endGrace(id) };
    }),
    // The published contract; public (it holds no data). Cached by browsers for a minute.
    route('GET', '/openapi.json', async () => ({ status: 200, body: apiDocument(), headers: { 'Cache-Control': 'public, max-age=60' } }), {
      public: true,
    }),
  ];
}
