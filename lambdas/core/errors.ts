/**
 * Domain errors. One base class, one subclass per condition; constructors never log.
 * An error carries a `code` (one of ERROR_CODES) and no transport detail: the API's HTTP layer
 * maps codes to statuses (lambdas/api/errors.ts), the monitor records the code on the item.
 */

/** Every code a RestreamingError can carry; the HTTP layer maps each one to a status. */
export const ERROR_CODES = [
  'INTERNAL',
  'VALIDATION_FAILED',
  'DESTINATION_NOT_FOUND',
  'CHANNEL_OFFLINE',
  'CHANNEL_LIVE',
  'CHANNEL_NOT_FOUND',
  'DESTINATION_DISABLED',
  'VERSION_CONFLICT',
  'PRECONDITION_FAILED',
  'DESTINATION_DELETING',
  'RESOURCE_NOT_FOUND',
  'WRONG_STATE',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'INVALID_CONFIGURATION',
  'SERVICE_UNAVAILABLE',
  'MALFORMED_ITEM',
  'NOT_OWNED',
  'RELAY_MODE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class RestreamingError extends Error {
  readonly code: ErrorCode = 'INTERNAL';
  readonly details: unknown;
  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/** One invalid field of a request. `field` is a dotted path such as `rtmpUrl`. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends RestreamingError {
  override readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message, { details: { fields: issues } });
  }
}

export class DestinationNotFoundError extends RestreamingError {
  override readonly code = 'DESTINATION_NOT_FOUND';
  constructor(readonly destinationId: string) {
    super(`No destination with id "${destinationId}". List destinations with GET /stream-destinations.`);
  }
}

/** The IVS channel is not live, so a manual start has nothing to send. */
export class ChannelOfflineError extends RestreamingError {
  override readonly code = 'CHANNEL_OFFLINE';
}

/** The IVS channel is live, so it has no grace period to end. */
export class ChannelLiveError extends RestreamingError {
  override readonly code = 'CHANNEL_LIVE';
}

/** No IVS channel of this deployment has the id a request named. */
export class ChannelNotFoundError extends RestreamingError {
  override readonly code = 'CHANNEL_NOT_FOUND';
}

/** A manual start of a disabled destination: it must be enabled first (a start never enables silently). */
export class DestinationDisabledError extends RestreamingError {
  override readonly code = 'DESTINATION_DISABLED';
}

/** A conditional write lost against a concurrent writer. */
export class VersionConflictError extends RestreamingError {
  override readonly code = 'VERSION_CONFLICT';
}

/** The caller asked to change the version it read (HTTP If-Match), and the item has moved on since. */
export class PreconditionFailedError extends RestreamingError {
  override readonly code = 'PRECONDITION_FAILED';
}

/** A destination that is being deleted cannot be changed. */
export class DestinationDeletingError extends RestreamingError {
  override readonly code = 'DESTINATION_DELETING';
}

/** A destination asked for a relay mode this deployment does not run (pass-through without relays). */
export class RelayModeUnavailableError extends RestreamingError {
  override readonly code = 'RELAY_MODE_UNAVAILABLE';
}

// ---- errors of the outside services, as the adapters report them ----

/** The MediaLive or IVS resource does not exist (any more). */
export class ResourceNotFoundError extends RestreamingError {
  override readonly code = 'RESOURCE_NOT_FOUND';
}

/** The resource is in a state that does not allow the call (e.g. start while STOPPING). */
export class WrongStateError extends RestreamingError {
  override readonly code = 'WRONG_STATE';
}

/** Throttled by the service: safe to retry later. */
export class ThrottledError extends RestreamingError {
  override readonly code = 'THROTTLED';
}

/** An account quota (e.g. MediaLive channels per region) is exhausted. */
export class QuotaExceededError extends RestreamingError {
  override readonly code = 'QUOTA_EXCEEDED';
}

/** The service rejected the configuration; the message is AWS's (it never contains the key). */
export class InvalidConfigurationError extends RestreamingError {
  override readonly code = 'INVALID_CONFIGURATION';
}

/** A 5xx or network failure of the service: safe to retry later. */
export class ServiceUnavailableError extends RestreamingError {
  override readonly code = 'SERVICE_UNAVAILABLE';
}

/**
 * The invalid attributes of a stored item, from the "field: message; field: message" problems
 * the item schema reports.
 */
export function itemProblemFields(problems: string): FieldIssue[] {
  return problems
    .split('; ')
    .filter((p) => p.length > 0)
    .map((p) => {
      const at = p.indexOf(': ');
      return at < 0 ? { field: 'item', message: p } : { field: p.slice(0, at), message: p.slice(at + 2) };
    });
}

/**
 * A stored destination item does not parse (written by hand, by an older version or a bug).
 * Nothing the caller sent is wrong, and nothing the server can retry fixes it: the item conflicts
 * with what this version reads, so the API answers 409 naming the attributes and the fix.
 */
export class MalformedItemError extends RestreamingError {
  override readonly code = 'MALFORMED_ITEM';
  constructor(
    readonly destinationId: string,
    readonly problems: string,
  ) {
    super(
      `The stored destination item "${destinationId}" is invalid (${problems}). Fix the named attributes of the item in the destinations table (DynamoDB) or delete the item; the other destinations are not affected.`,
      { details: { destinationId, fields: itemProblemFields(problems) } },
    );
  }
}

/** A resource exists but is not this project's (IAM denies it): ignored, never acted on. */
export class NotOwnedError extends RestreamingError {
  override readonly code = 'NOT_OWNED';
}
