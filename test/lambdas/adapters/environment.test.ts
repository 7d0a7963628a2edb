import { describe, expect, it } from '@jest/globals';
import { readEnvironment, relayModes } from '../../../lambdas/adapters/environment';
import { LAMBDA_ENVIRONMENT, RELAY_ENVIRONMENT } from '../../support/fixtures';

const ENV = LAMBDA_ENVIRONMENT;

describe('readEnvironment: WORK_QUEUE_URL', () => {
  it('is required by both functions, as the https URL of the queue', () => {
    expect(readEnvironment(ENV).WORK_QUEUE_URL).toBe(ENV.WORK_QUEUE_URL);
    const { WORK_QUEUE_URL: _omitted, ...without } = ENV;
    expect(() => readEnvironment(without)).toThrow('WORK_QUEUE_URL');
    expect(() => readEnvironment({ ...ENV, WORK_QUEUE_URL: 'acme-reconcile-work' })).toThrow('must be the https URL of the SQS work queue');
  });
});

describe('readEnvironment: ALLOW_PRIVATE_RTMP_TARGETS', () => {
  it('refuses private push targets unless the variable says true', () => {
    expect(readEnvironment(ENV).ALLOW_PRIVATE_RTMP_TARGETS).toBe(false);
    expect(readEnvironment({ ...ENV, ALLOW_PRIVATE_RTMP_TARGETS: 'false' }).ALLOW_PRIVATE_RTMP_TARGETS).toBe(false);
    expect(readEnvironment({ ...ENV, ALLOW_PRIVATE_RTMP_TARGETS: 'true' }).ALLOW_PRIVATE_RTMP_TARGETS).toBe(true);
  });

  it.each(['yes', '1', 'TRUE ', ''])('fails naming the variable for %j instead of guessing', (value) => {
    expect(() => readEnvironment({ ...ENV, ALLOW_PRIVATE_RTMP_TARGETS: value })).toThrow(
      'Invalid Lambda environment: ALLOW_PRIVATE_RTMP_TARGETS: must be true or false',
    );
  });
});

describe('readEnvironment: IDLE_CHANNEL_TTL_SECONDS', () => {
  it('defaults to ten minutes and takes whole seconds from 0 to a day', () => {
    expect(readEnvironment(ENV).IDLE_CHANNEL_TTL_SECONDS).toBe(600);
    expect(readEnvironment({ ...ENV, IDLE_CHANNEL_TTL_SECONDS: '0' }).IDLE_CHANNEL_TTL_SECONDS).toBe(0);
    expect(readEnvironment({ ...ENV, IDLE_CHANNEL_TTL_SECONDS: '86400' }).IDLE_CHANNEL_TTL_SECONDS).toBe(86_400);
  });

  it.each([
    ['-1', 'must be 0 or more seconds'],
    ['86401', 'at most 86400 seconds (one day)'],
    ['1.5', 'must be a whole number of seconds, e.g. 600'],
    ['ten minutes', 'must be a whole number of seconds, e.g. 600'],
  ])('fails naming the variable and the fix for %j', (value, message) => {
    expect(() => readEnvironment({ ...ENV, IDLE_CHANNEL_TTL_SECONDS: value })).toThrow(`IDLE_CHANNEL_TTL_SECONDS: ${message}`);
  });
});

describe('readEnvironment: PRICES', () => {
  it('is optional and parses a JSON object of known prices', () => {
    expect(readEnvironment(ENV).PRICES).toBeUndefined();
    expect(readEnvironment({ ...ENV, PRICES: '{"mediaLiveInputPerHour":0.25,"passthroughKbps":4500}' }).PRICES).toEqual({
      mediaLiveInputPerHour: 0.25,
      passthroughKbps: 4500,
    });
  });

  it.each([
    ['not JSON', 'must be a JSON object'],
    ['{"medialiveInputPerHour":1}', 'medialiveInputPerHour'],
    ['{"dataTransferOutPerGb":-0.1}', 'PRICES.dataTransferOutPerGb: must be 0 or more'],
    ['{"dataTransferOutPerGb":"0.1"}', 'PRICES.dataTransferOutPerGb'],
  ])('fails naming the price for %s', (value, message) => {
    expect(() => readEnvironment({ ...ENV, PRICES: value })).toThrow(message);
  });
});

describe('readEnvironment: DEFAULT_RELAY_MODE and the modes offered', () => {
  const RELAYS = RELAY_ENVIRONMENT;

  it('offers transcode only without RELAY_CLUSTER_ARN, both with it', () => {
    expect(relayModes(readEnvironment(ENV))).toEqual({ offered: ['transcode'], defaultMode: 'transcode' });
    expect(relayModes(readEnvironment({ ...ENV, ...RELAYS, DEFAULT_RELAY_MODE: 'passthrough' }))).toEqual({
      offered: ['passthrough', 'transcode'],
      defaultMode: 'passthrough',
    });
  });

  it('refuses passthrough as the default of a deployment without relays, and unknown modes', () => {
    expect(() => readEnvironment({ ...ENV, DEFAULT_RELAY_MODE: 'passthrough' })).toThrow(
      'DEFAULT_RELAY_MODE: passthrough needs RELAY_CLUSTER_ARN',
    );
    expect(() => readEnvironment({ ...ENV, DEFAULT_RELAY_MODE: 'copy' })).toThrow(
      'DEFAULT_RELAY_MODE: must be one of passthrough, transcode',
    );
  });
});
