import { describe, expect, it } from '@jest/globals';
import {
  ChannelLiveError,
  ChannelNotFoundError,
  ChannelOfflineError,
  DestinationDeletingError,
  DestinationDisabledError,
  DestinationNotFoundError,
  ERROR_CODES,
  InvalidConfigurationError,
  itemProblemFields,
  MalformedItemError,
  NotOwnedError,
  PreconditionFailedError,
  QuotaExceededError,
  RelayModeUnavailableError,
  ResourceNotFoundError,
  RestreamingError,
  ServiceUnavailableError,
  ThrottledError,
  ValidationError,
  VersionConflictError,
  WrongStateError,
} from '../../../lambdas/core/errors';

/** Every domain error with the code the HTTP layer and the monitor read from it. */
const ERRORS: [string, RestreamingError][] = [
  ['INTERNAL', new RestreamingError('m')],
  ['VALIDATION_FAILED', new ValidationError('m', [])],
  ['DESTINATION_NOT_FOUND', new DestinationNotFoundError('d1')],
  ['CHANNEL_OFFLINE', new ChannelOfflineError('m')],
  ['CHANNEL_LIVE', new ChannelLiveError('m')],
  ['CHANNEL_NOT_FOUND', new ChannelNotFoundError('m')],
  ['DESTINATION_DISABLED', new DestinationDisabledError('m')],
  ['VERSION_CONFLICT', new VersionConflictError('m')],
  ['PRECONDITION_FAILED', new PreconditionFailedError('m')],
  ['DESTINATION_DELETING', new DestinationDeletingError('m')],
  ['RESOURCE_NOT_FOUND', new ResourceNotFoundError('m')],
  ['WRONG_STATE', new WrongStateError('m')],
  ['THROTTLED', new ThrottledError('m')],
  ['QUOTA_EXCEEDED', new QuotaExceededError('m')],
  ['INVALID_CONFIGURATION', new InvalidConfigurationError('m')],
  ['SERVICE_UNAVAILABLE', new ServiceUnavailableError('m')],
  ['MALFORMED_ITEM', new MalformedItemError('d1', 'status: invalid')],
  ['NOT_OWNED', new NotOwnedError('m')],
  ['RELAY_MODE_UNAVAILABLE', new RelayModeUnavailableError('m')],
];

describe('domain errors', () => {
  it.each(ERRORS)('%s is carried by its error, which is named after its class', (code, error) => {
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(RestreamingError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(error.constructor.name);
  });

  it('ERROR_CODES lists exactly the codes the errors carry, once each', () => {
    expect([...ERROR_CODES].sort()).toEqual(ERRORS.map(([code]) => code).sort());
  });

  it('keeps the cause and the details it is given, and has no cause when given none', () => {
    const cause = new Error('socket hang up');
    const error = new ServiceUnavailableError('MediaLive did not answer; retrying.', { cause, details: { attempt: 2 } });
    expect(error.message).toBe('MediaLive did not answer; retrying.');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ attempt: 2 });
    const plain = new ThrottledError('Throttled.');
    expect('cause' in plain).toBe(false);
    expect(plain.details).toBeUndefined();
  });

  it('a validation error carries its field issues as details', () => {
    const issues = [{ field: 'name', message: 'must not be empty or only spaces' }];
    const error = new ValidationError('name: must not be empty or only spaces', issues);
    expect(error.issues).toBe(issues);
    expect(error.details).toEqual({ fields: issues });
  });

  it('an unknown destination names the id and where to find the ids', () => {
    const error = new DestinationNotFoundError('dest-0042');
    expect(error.destinationId).toBe('dest-0042');
    expect(error.message).toBe('No destination with id "dest-0042". List destinations with GET /stream-destinations.');
  });
});

describe('malformed stored items', () => {
  it('names the item, its invalid attributes and the fix', () => {
    const error = new MalformedItemError('dest-7', 'status: must be one of inactive, active; version: expected a number');
    expect(error.message).toBe(
      'The stored destination item "dest-7" is invalid (status: must be one of inactive, active; version: expected a number). Fix the named attributes of the item in the destinations table (DynamoDB) or delete the item; the other destinations are not affected.',
    );
    expect(error.destinationId).toBe('dest-7');
    expect(error.problems).toBe('status: must be one of inactive, active; version: expected a number');
    expect(error.details).toEqual({
      destinationId: 'dest-7',
      fields: [
        { field: 'status', message: 'must be one of inactive, active' },
        { field: 'version', message: 'expected a number' },
      ],
    });
  });

  it('reads a problem without a field name as one about the whole item, and skips empty ones', () => {
    expect(itemProblemFields('not an object')).toEqual([{ field: 'item', message: 'not an object' }]);
    expect(itemProblemFields('')).toEqual([]);
    expect(itemProblemFields('name: too long; ; lease.until: not a date: 2030')).toEqual([
      { field: 'name', message: 'too long' },
      { field: 'lease.until', message: 'not a date: 2030' },
    ]);
    expect(itemProblemFields(': no field')).toEqual([{ field: '', message: 'no field' }]);
  });
});
