/**
 * Maps AWS SDK errors of MediaLive and IVS to the domain errors of `core/errors.ts`.
 * Secrets (stream keys) handed to the mapper never reach a message or a cause.
 */
import { MASK } from '../../core/destination';
import {
  InvalidConfigurationError,
  QuotaExceededError,
  ResourceNotFoundError,
  RestreamingError,
  ServiceUnavailableError,
  ThrottledError,
  WrongStateError,
} from '../../core/errors';

export interface AwsCallContext {
  /** `MediaLive` or `IVS`. */
  service: string;
  /** The API action, e.g. `CreateChannel`. */
  operation: string;
  /** Values that must not appear in the mapped error (the stream key). */
  secrets?: readonly string[];
}

const NOT_FOUND = new Set(['NotFoundException', 'ResourceNotFoundException']);
const WRONG_STATE = new Set(['ConflictException']);
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);
const QUOTA = new Set(['ServiceQuotaExceededException', 'LimitExceededException']);
const INVALID = new Set(['BadRequestException', 'UnprocessableEntityException', 'ValidationException', 'PendingVerification']);
const ACCESS_DENIED = new Set(['ForbiddenException', 'AccessDeniedException', 'AccessDenied']);
const UNAVAILABLE = new Set([
  'InternalServerErrorException',
  'InternalServerException',
  'BadGatewayException',
  'GatewayTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * MediaLive has no dedicated quota exception and does not document which client error an
 * exhausted quota (channels, inputs per region) comes back as, so the message decides. A rate
 * limit is throttling, not a quota.
 */
const QUOTA_MESSAGE =
  /quota|maximum number of (?:\w+ )?(?:channels|inputs|resources)|limit (?:has been |was )?(?:exceeded|reached)|(?:exceeded|reached) (?:the |your )?(?:\w+ )?limit/i;
const RATE_MESSAGE = /\brate\b|too many requests/i;

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  ValidationErrors?: unknown;
}

/** Replaces every occurrence of each secret (also URL-encoded) with the mask. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(MASK);
  }
  return out;
}

function validationDetails(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { ElementPath, ErrorMessage } = e as { ElementPath?: unknown; ErrorMessage?: unknown };
    if (typeof ErrorMessage !== 'string') return [];
    return [typeof ElementPath === 'string' && ElementPath ? `${ElementPath}: ${ErrorMessage}` : ErrorMessage];
  });
}

/** AWS's own message plus MediaLive's per-field validation errors, secrets masked. */
function awsMessage(e: SdkErrorLike, secrets: readonly string[]): string {
  const base = typeof e.message === 'string' && e.message.trim() ? e.message.trim() : String(e.name ?? 'error');
  const details = validationDetails(e.ValidationErrors).filter((d) => !base.includes(d));
  return scrub(details.length > 0 ? `${base} (${details.join('; ')})` : base, secrets);
}

/**
 * The cause handed on: the SDK error itself when no secret was involved in the call, otherwise a
 * copy that keeps only the masked message and the request metadata (the SDK error may hold the
 * raw HTTP response, which can echo the request).
 */
function safeCause(error: unknown, e: SdkErrorLike, message: string, secrets: readonly string[]): unknown {
  if (secrets.every((s) => s.length === 0)) return error;
  const copy = new Error(message);
  copy.name = typeof e.name === 'string' ? e.name : 'Error';
  return Object.assign(copy, { $fault: e.$fault, $metadata: e.$metadata });
}

/** Maps any error thrown by an SDK call to a RestreamingError subclass. Domain errors pass through. */
export function toDomainError(error: unknown, context: AwsCallContext): RestreamingError {
  if (error instanceof RestreamingError) return error;
  const secrets = context.secrets ?? [];
  const e: SdkErrorLike = typeof error === 'object' && error !== null ? (error as SdkErrorLike) : { message: String(error) };
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const status = e.$metadata?.httpStatusCode;
  const message = awsMessage(e, secrets);
  const what = `${context.service} ${context.operation}`;
  const options = { cause: safeCause(error, e, message, secrets) };

  if (NOT_FOUND.has(name)) return new ResourceNotFoundError(`${what}: not found. ${message}`, options);
  if (QUOTA.has(name)) return quotaExceededError(context.service, context.operation, message, options);
  if (THROTTLED.has(name)) {
    if (QUOTA_MESSAGE.test(message) && !RATE_MESSAGE.test(message)) {
      return quotaExceededError(context.service, context.operation, message, options);
    }
    return new ThrottledError(`${what} was throttled; it is retried on the next reconcile. ${message}`, options);
  }
  if (WRONG_STATE.has(name)) return new WrongStateError(`${what} is not possible in the current state: ${message}`, options);
  if (INVALID.has(name)) {
    if (QUOTA_MESSAGE.test(message)) return quotaExceededError(context.service, context.operation, message, options);
    return new InvalidConfigurationError(`${what} rejected the configuration: ${message}`, options);
  }
  if (ACCESS_DENIED.has(name)) {
    return new InvalidConfigurationError(
      `${what} was denied: check the IAM policy of the function and the MediaLive role. ${message}`,
      options,
    );
  }
  if (UNAVAILABLE.has(name) || e.$fault === 'server' || (status !== undefined && status >= 500) || NETWORK_CODES.has(code)) {
    return new ServiceUnavailableError(`${what} is unavailable; it is retried on the next reconcile. ${message}`, options);
  }
  return new RestreamingError(`${what} failed with ${name || 'an unexpected error'}: ${message}`, options);
}

/**
 * Where each service's quotas are raised: the Service Quotas console, per service code (the
 * console opens it in the account's current region). MediaLive's quotas (channels and inputs per
 * region, among others) are listed at https://docs.aws.amazon.com/medialive/latest/ug/limits.html,
 * and increases are requested in Service Quotas
 * (https://docs.aws.amazon.com/servicequotas/latest/userguide/request-quota-increase.html).
 */
export const SERVICE_QUOTAS_URLS: Record<string, string> = {
  MediaLive: 'https://console.aws.amazon.com/servicequotas/home/services/medialive/quotas',
  IVS: 'https://console.aws.amazon.com/servicequotas/home/services/ivs/quotas',
};

function quotaMessage(service: string, what: string, message: string): string {
  const where = SERVICE_QUOTAS_URLS[service] ?? 'https://console.aws.amazon.com/servicequotas/home';
  return (
    `${what}: an account quota is exhausted. Delete unused resources, or request a quota increase in ` +
    `Service Quotas: ${where} . ${message}`
  );
}

/**
 * The error an exhausted quota becomes: what happened, the fix (the service's Service Quotas
 * page) and AWS's own message. The one place that words it, for the mapping above and for the
 * simulator that stands in for MediaLive, so the API and the console show the same fix.
 */
export function quotaExceededError(service: string, operation: string, awsMessage: string, options?: ErrorOptions): QuotaExceededError {
  return new QuotaExceededError(quotaMessage(service, `${service} ${operation}`, awsMessage), options);
}

/** AWS refused the call for lack of permission (MediaLive ForbiddenException, STS AccessDenied). */
export function isAccessDenied(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ACCESS_DENIED.has(String((error as { name?: unknown }).name));
}

/**
 * BatchUpdateSchedule refused an action because one with the same name is already in the
 * channel's schedule. MediaLive documents no dedicated error for it; it answers a client error
 * (BadRequest or UnprocessableEntity) whose message names the duplicate action, so the message
 * decides. Verify the wording in a real account (docs/aws-notes.md).
 */
export function isDuplicateScheduleAction(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return (
    (name === 'BadRequestException' || name === 'UnprocessableEntityException') &&
    typeof message === 'string' &&
    /already exists|duplicate|not unique|unique/i.test(message)
  );
}
