/**
 * What the vendored AWS models (test/fixtures/aws-models/, botocore 1.29.27, December 2022) lack
 * for the requests this project builds, each entry citing the AWS page it was read on:
 *
 * - AWS_API_NEWER_MEMBERS: members AWS added after the model was published, with their shape in
 *   the model's own format (so the validator checks them like any other member);
 * - AWS_API_CONSTRAINTS: constraints that AWS's documentation states but the model does not carry.
 *
 * Everything else — tag lengths and patterns, enums, numeric ranges — comes from the model itself.
 * When a refreshed model has a member listed here, loading it fails and says so: drop the entry.
 */
import type { ModelShape } from './aws-api-model';

/** Constraints on one member path, in the model's own terms. */
export interface MemberConstraint {
  /** Minimum value (numbers) or length (strings, lists). */
  min?: number;
  /** Maximum value (numbers) or length (strings, lists). */
  max?: number;
  /** An ECMA-262 regular expression (Unicode mode) the string must match (not implicitly anchored). */
  pattern?: string;
  /** The allowed string values. */
  enum?: string[];
  /** The AWS page the values were read on. */
  source: string;
}

/** A member newer than the vendored model: its shape and the AWS page that documents it. */
export interface NewerMember {
  shape: ModelShape;
  source: string;
}

/**
 * By service (as aws-api-model.ts names it), then `<structure shape>.<member>`.
 */
export const AWS_API_NEWER_MEMBERS: Record<string, Record<string, NewerMember>> = {
  ECS: {
    // RunTask gained `clientToken` in 2023. API_RunTask: "clientToken — An identifier that you
    // provide to ensure the idempotency of the request. It must be unique and is case sensitive.
    // Up to 64 characters are allowed. The valid characters are characters in the range of 33-126,
    // inclusive." ECS_Idempotency: "RunTask: The client token can be up to 64 ASCII characters in
    // the range of 33-126 (inclusive)."
    'RunTaskRequest.clientToken': {
      shape: { type: 'string', min: 1, max: 64, pattern: '^[\\x21-\\x7e]+$', idempotencyToken: true },
      source:
        'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html and https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html',
    },
  },
};

/**
 * By service, then member path as the validator reports it, with list indexes written `[]`
 * (`PutParameter.Name`, `RunTask.tags[].key`).
 */
export const AWS_API_CONSTRAINTS: Record<string, Record<string, MemberConstraint>> = {
  SNS: {
    // The model's Publish `Subject` and `Message` are plain strings. API_Publish: Subject "must be
    // ASCII text that begins with a letter, number, or punctuation mark; must not include line
    // breaks or control characters; and must be less than 100 characters long"; Message "at most
    // 256 KB in size (262,144 bytes, not 262,144 characters)" (checked as characters here, a lower
    // bound of the byte size).
    'Publish.Subject': {
      min: 1,
      max: 99,
      pattern: '^[A-Za-z0-9\\p{P}][\\x20-\\x7e]*$',
      source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html',
    },
    'Publish.Message': { min: 1, max: 262_144, source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html' },
  },
  SSM: {
    // The model gives PutParameter's Name a length of 1–2048 only. The naming rules: only
    // a-zA-Z0-9_.- and "/" for hierarchies, no "aws"/"ssm" prefix (case-insensitive), no spaces.
    'PutParameter.Name': {
      pattern: '^(?!/?(?:[aA][wW][sS]|[sS][sS][mM]))[a-zA-Z0-9_.\\-/]+$',
      source:
        'https://docs.aws.amazon.com/goto/aws-cli/ssm-2014-11-06/PutParameter and https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ssm/aws.sdk.kotlin.services.ssm.model/-put-parameter-request/name.html',
    },
  },
};
