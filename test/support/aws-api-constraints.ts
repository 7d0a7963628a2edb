/**
 * Member constraints the aws-sdk v2 models (aws-api-model.ts) do not carry, for the members of
 * the requests this project builds. Every entry names the AWS page its values were read on; a
 * member without an entry here is checked for presence, known name and type only.
 *
 * Keys are member paths as the validator reports them, with list indexes written `[]`
 * (`RunTask.tags[].key`).
 */
export interface MemberConstraint {
  /** Minimum value (numbers) or length (strings, lists). */
  min?: number;
  /** Maximum value (numbers) or length (strings, lists). */
  max?: number;
  /** A regular expression (Unicode mode) the whole string must match. */
  pattern?: string;
  /** The allowed string values. */
  enum?: readonly string[];
  /** The AWS page the values were read on. */
  source: string;
}

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html — key: length 1–128,
// pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$; value: length 0–256, same pattern.
const ECS_TAG = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html';
const ECS_TAG_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
const ecsTagConstraints = (operation: string): Record<string, MemberConstraint> => ({
  [`${operation}.tags[].key`]: { min: 1, max: 128, pattern: ECS_TAG_PATTERN, source: ECS_TAG },
  [`${operation}.tags[].value`]: { min: 0, max: 256, pattern: ECS_TAG_PATTERN, source: ECS_TAG },
  // "Maximum number of tags per resource - 50" (same page).
  [`${operation}.tags`]: { max: 50, source: ECS_TAG },
});

// H.264 profile values: the AWS SDK for Kotlin's H264Profile (Baseline, High, High10Bit, High422,
// High422_10_Bit, Main) and the CDK's H264Profile, whose static members are the wire values.
const H264_PROFILE = {
  enum: ['BASELINE', 'HIGH', 'HIGH_10BIT', 'HIGH_422', 'HIGH_422_10BIT', 'MAIN'],
  source:
    'https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/medialive/aws.sdk.kotlin.services.medialive.model/-h264-profile and https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-medialive-alpha.H264Profile.html',
} as const;
// The AWS SDK for Ruby v2 reference lists each H264Settings enum ("# accepts …").
const RUBY_V2_H264 = 'https://docs.aws.amazon.com/sdk-for-ruby/v2/api/Aws/MediaLive/Types/H264Settings.html';
const H264 = 'CreateChannel.EncoderSettings.VideoDescriptions[].CodecSettings.H264Settings';
const RTMP_OUTPUT = 'CreateChannel.EncoderSettings.OutputGroups[].Outputs[].OutputSettings.RtmpOutputSettings';

export const AWS_API_CONSTRAINTS: Record<string, Record<string, MemberConstraint>> = {
  MediaLive: {
    [`${H264}.Profile`]: H264_PROFILE,
    [`${H264}.AdaptiveQuantization`]: { enum: ['HIGH', 'HIGHER', 'LOW', 'MAX', 'MEDIUM', 'OFF'], source: RUBY_V2_H264 },
    [`${H264}.EntropyEncoding`]: { enum: ['CABAC', 'CAVLC'], source: RUBY_V2_H264 },
    [`${H264}.FlickerAq`]: { enum: ['DISABLED', 'ENABLED'], source: RUBY_V2_H264 },
    [`${H264}.FramerateControl`]: { enum: ['INITIALIZE_FROM_SOURCE', 'SPECIFIED'], source: RUBY_V2_H264 },
    [`${RTMP_OUTPUT}.CertificateMode`]: {
      enum: ['SELF_SIGNED', 'VERIFY_AUTHENTICITY'],
      source: 'https://docs.amazonaws.cn/sdkforruby/api/Aws/MediaLive/Types/RtmpOutputSettings.html',
    },
  },
  ECS: {
    // "RunTask: The client token can be up to 64 ASCII characters in the range of 33-126 (inclusive)."
    'RunTask.clientToken': {
      min: 1,
      max: 64,
      pattern: '^[\\x21-\\x7e]+$',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html',
    },
    ...ecsTagConstraints('RunTask'),
    ...ecsTagConstraints('RegisterTaskDefinition'),
  },
  SNS: {
    // Subject: "must be ASCII text that begins with a letter, number, or punctuation mark; must not
    // include line breaks or control characters; and must be less than 100 characters long".
    // Message: "at most 256 KB in size (262,144 bytes, not 262,144 characters)".
    'Publish.Subject': {
      min: 1,
      max: 99,
      pattern: '^[A-Za-z0-9\\p{P}][\\x20-\\x7e]*$',
      source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html',
    },
    'Publish.Message': { min: 1, max: 262_144, source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html' },
  },
  SSM: {
    // Naming constraints: only a-zA-Z0-9_.- and "/" for hierarchies, no "aws"/"ssm" prefix
    // (case-insensitive), no spaces; "maximum length of 2048 characters" (1037 reserved).
    'PutParameter.Name': {
      min: 1,
      max: 2048,
      pattern: '^(?!/?(?:[aA][wW][sS]|[sS][sS][mM]))[a-zA-Z0-9_.\\-/]+$',
      source:
        'https://docs.aws.amazon.com/goto/aws-cli/ssm-2014-11-06/PutParameter and https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ssm/aws.sdk.kotlin.services.ssm.model/-put-parameter-request/name.html',
    },
  },
};
