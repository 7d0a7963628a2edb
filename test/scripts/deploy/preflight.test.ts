import { beforeEach, describe, expect, it } from '@jest/globals';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DEPLOY_ERROR_CODES } from '../../../scripts/deploy/errors';
import { checkCredentials, checkNodeVersion } from '../../../scripts/deploy/preflight';

const stsMock = mockClient(STSClient);
const sts = new STSClient({ region: 'eu-central-1' });
const failWith = (name: string, message: string) =>
  stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error(message), { name }));

beforeEach(() => {
  stsMock.reset();
});

describe('checkCredentials', () => {
  it('returns the account STS reports', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/deployer' });
    await expect(checkCredentials(sts)).resolves.toEqual({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/deployer' });
  });

  it('says to log in again when the session has expired', async () => {
    failWith('ExpiredToken', 'The security token included in the request is expired');
    await expect(checkCredentials(sts)).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.credentialsMissing,
      message: expect.stringContaining('aws sso login'),
    });
  });

  it('says AWS rejected the credentials when the key is unknown', async () => {
    failWith('InvalidClientTokenId', 'The security token included in the request is invalid.');
    await expect(checkCredentials(sts)).rejects.toMatchObject({
      message: expect.stringMatching(/^AWS rejected the credentials \(InvalidClientTokenId\): set AWS_PROFILE/),
    });
  });

  it('tells a network failure apart from missing credentials', async () => {
    failWith('Error', 'getaddrinfo ENOTFOUND sts.eu-central-1.amazonaws.com');
    await expect(checkCredentials(sts)).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.awsUnreachable,
      message: expect.stringContaining('check the network'),
    });
  });
});

describe('checkNodeVersion', () => {
  it('accepts Node.js 20.19 and newer', () => {
    expect(checkNodeVersion('v22.11.0')).toBe('22.11.0');
    expect(checkNodeVersion('20.19.0')).toBe('20.19.0');
  });

  it('refuses an older Node.js with what to install', () => {
    expect(() => checkNodeVersion('18.20.4')).toThrow('Node.js 18.20.4 is too old: install Node.js 20.19.0 or newer (https://nodejs.org)');
  });
});
