/**
 * AWS's published MediaLive API model (shipped with the aws-sdk v2 package) and its request
 * validator: required members, unknown members and member types, as the v2 SDK checked them
 * before sending. The v2 model carries no enum lists; enum values are checked by tsc through
 * the v3 request types.
 */
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

interface Shape {
  type: string;
}
interface ApiModel {
  operations: Record<string, { input: Shape }>;
}
interface AwsV2 {
  MediaLive: new (options: { region: string }) => { api: ApiModel };
  ParamValidator: new (validation?: boolean | Record<string, boolean>) => {
    validate(shape: Shape, params: unknown, context?: string): true;
  };
}

let aws: AwsV2 | undefined;

async function loadAws(): Promise<AwsV2> {
  // Imported only after the maintenance-mode message is suppressed above.
  aws ??= ((await import('aws-sdk')) as unknown as { default: AwsV2 }).default;
  return aws;
}

/** Throws AWS's own validation error when `params` does not fit the operation's input shape. */
export async function validateMediaLiveRequest(operation: 'createChannel' | 'createInput', params: unknown): Promise<void> {
  const AWS = await loadAws();
  const api = new AWS.MediaLive({ region: 'us-east-1' }).api;
  const shape = api.operations[operation]?.input;
  if (!shape) throw new Error(`The MediaLive model has no operation ${operation}`);
  new AWS.ParamValidator({ min: true, max: true, pattern: true, enum: true }).validate(shape, params);
}
