/** Checks that must pass before the deploy changes anything. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DEPLOY_ERROR_CODES, DeployUserError } from './errors';
import { compareVersions } from './terraform';

/** The oldest Node.js the deploy tooling (tsx, execa, vite) runs on; package.json `engines`. */
export const MINIMUM_NODE_VERSION = '20.19.0';

export function checkNodeVersion(version: string): string {
  const plain = version.replace(/^v/, '');
  if (compareVersions(plain, MINIMUM_NODE_VERSION) < 0) {
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.nodeTooOld,
      `Node.js ${plain} is too old: install Node.js ${MINIMUM_NODE_VERSION} or newer (https://nodejs.org)`,
    );
  }
  return plain;
}

export const CREDENTIALS_HINT =
  'set AWS_PROFILE to a profile from `aws configure` / `aws configure sso` (then `aws sso login`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)';

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'AccessDenied',
  'AccessDeniedException',
]);

/** Asks STS who we are; turns every credentials problem into one line that says what to set. */
export async function checkCredentials(sts: STSClient): Promise<{ account: string; arn: string }> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account ?? 'unknown', arn: identity.Arn ?? 'unknown' };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(error instanceof Error ? error.message : '')) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.credentialsMissing, `No AWS credentials found: ${CREDENTIALS_HINT}`, { cause: error });
    }
    if (EXPIRED.has(name) || /expired/i.test(error instanceof Error ? error.message : '')) {
      throw new DeployUserError(
        DEPLOY_ERROR_CODES.credentialsMissing,
        `The AWS credentials have expired: run \`aws sso login\` for an SSO profile, or ${CREDENTIALS_HINT}`,
        { cause: error },
      );
    }
    if (INVALID.has(name)) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.credentialsMissing, `AWS rejected the credentials (${name}): ${CREDENTIALS_HINT}`, {
        cause: error,
      });
    }
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.awsUnreachable,
      `Could not verify the AWS credentials with STS (${reason}): check the network, then ${CREDENTIALS_HINT}`,
      { cause: error },
    );
  }
}
