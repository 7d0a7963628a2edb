/**
 * Maps DynamoDB failures to the domain errors. The messages name the operation and table only:
 * an SDK message is kept on `cause`, never copied into the domain message.
 */
import { RestreamingError, ServiceUnavailableError, ThrottledError, VersionConflictError } from '../../core/errors';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** The error's AWS name (`ConditionalCheckFailedException`, ...), or undefined for non-service errors. */
export function awsErrorName(error: unknown): string | undefined {
  if (error instanceof Error && typeof error.name === 'string') return error.name;
  return undefined;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return awsErrorName(error) === 'ConditionalCheckFailedException';
}

/**
 * Throttling → ThrottledError, anything else → ServiceUnavailableError (a retry later may work),
 * domain errors pass through unchanged. The original error is the `cause`.
 */
export function toDomainError(error: unknown, operation: string, table: string): RestreamingError {
  if (error instanceof RestreamingError) return error;
  const name = awsErrorName(error) ?? 'UnknownError';
  if (THROTTLING.has(name)) {
    return new ThrottledError(`DynamoDB throttled ${operation} on table ${table} (${name}); retry later.`, { cause: error });
  }
  return new ServiceUnavailableError(`DynamoDB ${operation} on table ${table} failed (${name}).`, { cause: error });
}

/** A conditional write that lost: the item changed (or appeared, or vanished) since it was read. */
export function versionConflict(error: unknown, message: string): VersionConflictError {
  return new VersionConflictError(message, { cause: error });
}
