import { describe, expect, it } from '@jest/globals';
import { ChannelOfflineError, QuotaExceededError, ServiceUnavailableError, ThrottledError } from '../../../../lambdas/core/errors';
import { scrub, toDomainError } from '../../../../lambdas/adapters/medialive/errors';

const context = { service: 'MediaLive', operation: 'CreateChannel' };

function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

describe('toDomainError', () => {
  it.each([
    ['BadRequestException', 'You have reached the maximum number of channels in this region'],
    ['UnprocessableEntityException', 'Channel limit exceeded'],
    ['TooManyRequestsException', 'Quota of 5 channels reached'],
    ['ServiceQuotaExceededException', 'anything'],
  ])('reports %s "%s" as an exhausted quota', (name, message) => {
    expect(toDomainError(awsError(name, message), context)).toBeInstanceOf(QuotaExceededError);
  });

  it('says how to fix an exhausted quota: the Service Quotas page of the service, and AWS’s own message', () => {
    const error = toDomainError(awsError('BadRequestException', 'You have reached the maximum number of channels'), context);
    expect(error.message).toContain('https://console.aws.amazon.com/servicequotas/home/services/medialive/quotas');
    expect(error.message).toMatch(/request a quota increase/);
    expect(error.message).toContain('You have reached the maximum number of channels');
    const ivs = toDomainError(awsError('ServiceQuotaExceededException', 'Too many channels'), { service: 'IVS', operation: 'X' });
    expect(ivs.message).toContain('/servicequotas/home/services/ivs/quotas');
  });

  it('reports a rate limit as throttling, not as a quota', () => {
    expect(toDomainError(awsError('TooManyRequestsException', 'Rate limit exceeded'), context)).toBeInstanceOf(ThrottledError);
  });

  it('reports any server fault as ServiceUnavailableError', () => {
    expect(toDomainError(awsError('SomethingNew', 'boom', 503), context)).toBeInstanceOf(ServiceUnavailableError);
  });

  it('passes domain errors through unchanged', () => {
    const domain = new ChannelOfflineError('offline');
    expect(toDomainError(domain, context)).toBe(domain);
  });

  it('names the service and the operation in the message', () => {
    expect(toDomainError(awsError('BadRequestException', 'Invalid role'), context).message).toMatch(
      /^MediaLive CreateChannel .*Invalid role/,
    );
  });
});

describe('scrub', () => {
  it('masks every occurrence of each secret, plain and URL-encoded', () => {
    expect(scrub('a k/y b k/y c k%2Fy', ['k/y'])).toBe('a •••• b •••• c ••••');
  });

  it('ignores empty secrets', () => {
    expect(scrub('unchanged', [''])).toBe('unchanged');
  });
});
