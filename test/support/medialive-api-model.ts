/**
 * AWS's MediaLive API model (botocore's, vendored in test/fixtures/aws-models/) and a request
 * validator over it (see aws-api-model.ts): required and unknown members, member types and the
 * model's member constraints (min/max, enum, pattern).
 */
import { AwsModelViolation, MEDIALIVE_MODEL } from './aws-api-model';

/** Where the model comes from, for messages and docs. */
export const MEDIALIVE_MODEL_FILE = MEDIALIVE_MODEL.file;

/** A violation of the MediaLive model (the generic class, under the name the tests know). */
export { AwsModelViolation as MediaLiveModelViolation };

/** The MediaLive operations whose requests this project builds. */
export type MediaLiveOperation = 'CreateChannel' | 'CreateInput' | 'BatchUpdateSchedule';

/** The violations of `params` against the operation's input shape; empty when it fits. */
export function mediaLiveModelViolations(operation: MediaLiveOperation, params: unknown): string[] {
  return MEDIALIVE_MODEL.violations(operation, params);
}

/** Throws a MediaLiveModelViolation listing every violation when `params` does not fit the model. */
export function validateMediaLiveRequest(operation: MediaLiveOperation, params: unknown): void {
  MEDIALIVE_MODEL.validate(operation, params);
}
