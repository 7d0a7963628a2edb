/**
 * The destinations API as a route table: each route parses what it needs from the request, calls
 * one use case of the DestinationService and says how to answer. No business rule lives here.
 *
 * A destination id that is not in the shape we generate (UUIDs; any 1-128 letters, digits, `-`
 * or `_`) is answered 404 DESTINATION_NOT_FOUND without calling the service, like an id that
 * does not exist.
 */
import type { DestinationService, DestinationView } from '../core/destination';
import { DestinationNotFoundError } from '../core/errors';
import { parseCreateDestination, parseUpdateDestination } from '../core/validation';
import { readJsonObject } from './body';
import type { HttpRequest } from './converters';
import { displayable, route } from './router';
import type { Route, RouteResult } from './router';

const ID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;

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

function bodyWithSecrets(request: HttpRequest, notes: RequestNotes): Record<string, unknown> {
  const body = readJsonObject(request.body);
  if (typeof body.streamKey === 'string' && body.streamKey !== '') notes.secrets.push(body.streamKey);
  return body;
}

const ok = (body: DestinationView, status = 200): RouteResult => ({ status, body });

/** The routes of the destinations API. `notes` is per request (see createApiHandler). */
export function destinationRoutes(service: DestinationService, notesOf: (request: HttpRequest) => RequestNotes): Route[] {
  return [
    route('GET', '/stream-destinations', async () => ({ status: 200, body: { destinations: await service.list() } })),
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
      return ok(await service.update(id, parseUpdateDestination(bodyWithSecrets(request, notes))));
    }),
    route('DELETE', '/stream-destinations/{id}', async ({ request, params }) => {
      const result = await service.remove(destinationId(params.id, notesOf(request)));
      return result.done ? { status: 204 } : ok(result.destination, 202);
    }),
    route('POST', '/stream-destinations/{id}/start', async ({ request, params }) =>
      ok(await service.start(destinationId(params.id, notesOf(request))), 202),
    ),
    route('POST', '/stream-destinations/{id}/stop', async ({ request, params }) =>
      ok(await service.stop(destinationId(params.id, notesOf(request))), 202),
    ),
    route('GET', '/stream-status', async () => ({ status: 200, body: await service.streamStatus() })),
  ];
}
