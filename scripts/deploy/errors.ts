/**
 * Errors of the deploy CLI. A `DeployUserError` is something the user fixes (a config value, a
 * missing tool, missing credentials): `deploy.ts` prints its one-line message without a stack.
 * A `DeployStepError` is a failed step: it names the step and carries the tail of the output.
 */

export const DEPLOY_ERROR_CODES = {
  usage: 'USAGE',
  configInvalid: 'CONFIG_INVALID',
  configNotFound: 'CONFIG_NOT_FOUND',
  nodeTooOld: 'NODE_TOO_OLD',
  terraformMissing: 'TERRAFORM_MISSING',
  terraformTooOld: 'TERRAFORM_TOO_OLD',
  credentialsMissing: 'AWS_CREDENTIALS_MISSING',
  awsUnreachable: 'AWS_UNREACHABLE',
  confirmationRequired: 'CONFIRMATION_REQUIRED',
  aborted: 'ABORTED',
  outputsMissing: 'TERRAFORM_OUTPUTS_MISSING',
  frontendMissing: 'FRONTEND_BUILD_MISSING',
  adminMissing: 'ADMIN_USER_MISSING',
  deletionProtected: 'DELETION_PROTECTION_ON',
  leftovers: 'RUNTIME_RESOURCES_LEFT',
} as const;

export type DeployErrorCode = (typeof DEPLOY_ERROR_CODES)[keyof typeof DEPLOY_ERROR_CODES];

export class DeployUserError extends Error {
  override name = 'DeployUserError';
  constructor(
    readonly code: DeployErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class DeployStepError extends Error {
  override name = 'DeployStepError';
  constructor(
    /** Title of the step that failed. */
    readonly step: string,
    message: string,
    /** Last lines of the child process's output, if the step ran one. */
    readonly outputTail: readonly string[] = [],
    options?: { cause?: unknown; logFile?: string },
  ) {
    super(message, options);
    this.logFile = options?.logFile;
  }

  /** The file with the step's whole output, relative to the repository root. */
  readonly logFile: string | undefined;
  /** The command that runs the failed deploy again (set by runDeploy). */
  retry: string | undefined;
}
