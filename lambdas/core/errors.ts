/**
 * Domain errors. One base class, one subclass per condition; constructors never log.
 * `httpStatus` is how the API maps them; the monitor only reads `code`.
 */
export class RestreamingError extends Error {
  readonly code: string = 'INTERNAL';
  readonly httpStatus: number = 500;
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
  override readonly httpStatus = 400;
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message, { details: { fields: issues } });
  }
}

export class MalformedRequestError extends RestreamingError {
  override readonly code = 'MALFORMED_REQUEST';
  override readonly httpStatus = 400;
}

export class PayloadTooLargeError extends RestreamingError {
  override readonly code = 'PAYLOAD_TOO_LARGE';
  override readonly httpStatus = 413;
}

export class RouteNotFoundError extends RestreamingError {
  override readonly code = 'ROUTE_NOT_FOUND';
  override readonly httpStatus = 404;
}

export class MethodNotAllowedError extends RestreamingError {
  override readonly code = 'METHOD_NOT_ALLOWED';
  override readonly httpStatus = 405;
}

export class DestinationNotFoundError extends RestreamingError {
  override readonly code = 'DESTINATION_NOT_FOUND';
  override readonly httpStatus = 404;
  constructor(readonly destinationId: string) {
    super(`No destination with id "${destinationId}". List destinations with GET /stream-destinations.`);
  }
}

/** The IVS channel is not live, so a manual start has nothing to send. */
export class ChannelOfflineError extends RestreamingError {
  override readonly code = 'CHANNEL_OFFLINE';
  override readonly httpStatus = 409;
}

/** A conditional write lost against a concurrent writer. */
export class VersionConflictError extends RestreamingError {
  override readonly code = 'VERSION_CONFLICT';
  override readonly httpStatus = 409;
}

/** A destination that is being deleted cannot be changed. */
export class DestinationDeletingError extends RestreamingError {
  override readonly code = 'DESTINATION_DELETING';
  override readonly httpStatus = 409;
}

// ---- errors of the outside services, as the adapters report them ----

/** The MediaLive or IVS resource does not exist (any more). */
export class ResourceNotFoundError extends RestreamingError {
  override readonly code = 'RESOURCE_NOT_FOUND';
  override readonly httpStatus = 404;
}

/** The resource is in a state that does not allow the call (e.g. start while STOPPING). */
export class WrongStateError extends RestreamingError {
  override readonly code = 'WRONG_STATE';
  override readonly httpStatus = 409;
}

/** Throttled by the service: safe to retry later. */
export class ThrottledError extends RestreamingError {
  override readonly code = 'THROTTLED';
  override readonly httpStatus = 429;
}

/** An account quota (e.g. MediaLive channels per region) is exhausted. */
export class QuotaExceededError extends RestreamingError {
  override readonly code = 'QUOTA_EXCEEDED';
  override readonly httpStatus = 429;
}

/** The service rejected the configuration; the message is AWS's (it never contains the key). */
export class InvalidConfigurationError extends RestreamingError {
  override readonly code = 'INVALID_CONFIGURATION';
  override readonly httpStatus = 409;
}

/** A 5xx or network failure of the service: safe to retry later. */
export class ServiceUnavailableError extends RestreamingError {
  override readonly code = 'SERVICE_UNAVAILABLE';
  override readonly httpStatus = 503;
}
