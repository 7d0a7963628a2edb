/**
 * A destination's history: every start, stop, failure, recovery, edit and manual action is one
 * event, stored per destination (`{project}-destination-events`, key `destinationId` + `eventId`)
 * and kept for 30 days. Pure: the ids, cursors and the events a reconcile's write implies.
 *
 * Recording is never on the essential path: `recordEvents` logs and meters a failed write and
 * returns, so a slow or failing history table never stops a destination from starting or stopping.
 * An event never carries a stream key: edits name the fields that changed, not their values, and
 * failure messages are the domain errors' own (which never contain a key).
 */
import type { Destination, DestinationError, DestinationStatus } from './destination';
import { ValidationError } from './errors';
import type { DestinationEventLog, Log, Metrics } from './ports';

/** What happened. API actions, then what the reconciler observed, then health and alerts. */
export const DESTINATION_EVENT_KINDS = [
  'created',
  'edited',
  'delete-requested',
  'deleted',
  'start-requested',
  'stop-requested',
  'starting',
  'running',
  'stopping',
  'stopped',
  'failed',
  'recovered',
  'health-failing',
  'health-recovered',
  'alert-sent',
] as const;
export type DestinationEventKind = (typeof DESTINATION_EVENT_KINDS)[number];

/** Who caused it: a call of the API, or the stream monitor (reconciler, health). */
export const EVENT_SOURCES = ['api', 'monitor'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Flat, small details: field names, error codes, statuses. Never a stream key. */
export type EventDetails = Record<string, string | number | boolean | null | string[]>;

/** An event to record. */
export interface DestinationEvent {
  destinationId: string;
  /** ISO-8601 time it happened. */
  at: string;
  kind: DestinationEventKind;
  source: EventSource;
  /** One sentence for a person. */
  message: string;
  details?: EventDetails;
}

/** An event as stored: with its time-ordered id, unique within the destination. */
export interface StoredDestinationEvent extends DestinationEvent {
  eventId: string;
}

/** One page of a destination's history, newest first. */
export interface DestinationEventPage {
  events: StoredDestinationEvent[];
  /** Opaque: pass it back for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/** What `GET /stream-destinations/{id}/events` returns per event. */
export interface DestinationEventView {
  id: string;
  at: string;
  kind: DestinationEventKind;
  source: EventSource;
  message: string;
  details: EventDetails;
}

/** Items expire (DynamoDB TTL on `expiresAt`) this long after the event. */
export const EVENT_RETENTION_DAYS = 30;
export const EVENTS_PAGE_DEFAULT = 20;
export const EVENTS_PAGE_MAX = 100;

/**
 * An event id: the ISO time (fixed width, so ids sort by time as strings) and a random suffix
 * that keeps two events of the same millisecond apart.
 */
export const EVENT_ID = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z_[0-9a-f]{8,32}$/;

/** The id of an event at `at` with a random hex `suffix` (the adapter supplies the randomness). */
export function eventIdOf(at: string, suffix: string): string {
  const id = `${new Date(at).toISOString()}_${suffix}`;
  if (!EVENT_ID.test(id)) throw new Error(`Not an event id: ${id}`);
  return id;
}

/** The TTL attribute's value: epoch seconds, EVENT_RETENTION_DAYS after the event. */
export function expiresAtOf(at: string): number {
  return Math.floor(Date.parse(at) / 1000) + EVENT_RETENTION_DAYS * 24 * 60 * 60;
}

const CURSOR_PREFIX = 'e1.';

/** The cursor that continues after `eventId` (a base64url token, opaque to callers). */
export function encodeCursor(eventId: string): string {
  return CURSOR_PREFIX + Buffer.from(eventId, 'utf8').toString('base64url');
}

/** The event id a cursor continues after; a ValidationError on `nextToken` for anything we did not issue. */
export function decodeCursor(token: string): string {
  const invalid = (): ValidationError => {
    const message = 'is not a token this API issued: send the nextToken of the previous page unchanged, or none for the first page';
    return new ValidationError(`nextToken: ${message}`, [{ field: 'nextToken', message }]);
  };
  // Only a cursor this module issued encodes back to itself: the round trip rejects a missing
  // prefix, characters outside base64url and anything appended, and EVENT_ID what decodes to
  // something other than an event id. A long token costs one linear decode, nothing more.
  const eventId = Buffer.from(token.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
  if (!EVENT_ID.test(eventId) || encodeCursor(eventId) !== token) throw invalid();
  return eventId;
}

export function toEventView(event: StoredDestinationEvent): DestinationEventView {
  return {
    id: event.eventId,
    at: event.at,
    kind: event.kind,
    source: event.source,
    message: event.message,
    details: event.details ?? {},
  };
}

/** Where a recording goes and where its failure is reported. */
export interface EventRecording {
  events: DestinationEventLog;
  log: Log;
  metrics: Pick<Metrics, 'auxiliaryReadFailed'>;
}

/**
 * Records events, never throwing: a failed write is logged (with the destination id and the
 * error's name, never the event's details) and counted as `AuxiliaryReadFailures` (what =
 * `recordEvent`). The essential path goes on either way.
 */
export async function recordEvents(recording: EventRecording, events: readonly DestinationEvent[]): Promise<void> {
  await Promise.all(
    events.map(async (event) => {
      try {
        await recording.events.record(event);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const errorCode = typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNEXPECTED';
        recording.log.warn('Could not record a destination event; the destination is not affected', {
          destinationId: event.destinationId,
          eventKind: event.kind,
          errorCode,
        });
        recording.metrics.auxiliaryReadFailed('recordEvent', errorCode);
      }
    }),
  );
}

const STATUS_EVENTS: Partial<Record<DestinationStatus, { kind: DestinationEventKind; message: string }>> = {
  starting: { kind: 'starting', message: 'Starting the relay.' },
  active: { kind: 'running', message: 'The relay is running.' },
  stopping: { kind: 'stopping', message: 'Stopping the relay.' },
  inactive: { kind: 'stopped', message: 'The relay stopped.' },
};

const sameError = (a: DestinationError | undefined, b: DestinationError | undefined): boolean =>
  a?.code === b?.code && a?.message === b?.message;

/**
 * The events a reconciler write implies, comparing the item before and after: a status change
 * (starting, running, stopping, stopped), a new error (failed, with its code and message) or an
 * error that went away (recovered). A retry that records the same error again is not a new event.
 */
export function reconcilerEvents(before: Destination, after: Destination, at: string): DestinationEvent[] {
  const out: DestinationEvent[] = [];
  const base = { destinationId: after.id, at, source: 'monitor' as const };
  if (after.status !== before.status) {
    const described = STATUS_EVENTS[after.status];
    if (described) out.push({ ...base, ...described, details: { previousStatus: before.status, status: after.status } });
  }
  if (after.lastError && !sameError(before.lastError, after.lastError)) {
    out.push({
      ...base,
      kind: 'failed',
      message: after.lastError.message,
      details: { code: after.lastError.code, status: after.status },
    });
  } else if (!after.lastError && before.lastError) {
    out.push({
      ...base,
      kind: 'recovered',
      message: `Recovered from ${before.lastError.code}.`,
      details: { previousCode: before.lastError.code, status: after.status },
    });
  }
  return out;
}
