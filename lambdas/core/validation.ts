/**
 * Validation of the destination request bodies. Pure.
 *
 * Every message names the field and says what to send instead. No message ever contains a value
 * from the request (a stream key must not come back in an error), only its JSON type; the zod
 * messages, which can quote received values, are all replaced.
 *
 * Destination ids are not validated here: the HTTP layer answers an id that is not in the shape
 * we generate with 404 DESTINATION_NOT_FOUND, like any id that does not exist.
 */
import { z } from 'zod';
import { IVS_CHANNEL_ARN, PLATFORMS, PROFILES, RELAY_MODES } from './destination';
import type { CreateDestinationInput, Platform, UpdateDestinationInput } from './destination';
import { ValidationError } from './errors';
import type { FieldIssue } from './errors';
import { PLATFORM_PRESETS } from './platforms';
import { classifyPushHost } from './push-targets';

export const NAME_MAX_LENGTH = 100;
export const STREAM_KEY_MAX_LENGTH = 512;
export const RTMP_URL_MAX_LENGTH = 2048;

const FIELDS = ['platform', 'name', 'streamKey', 'rtmpUrl', 'enabled', 'channelArn', 'profile', 'mode'] as const;
type Field = (typeof FIELDS)[number];

const EXAMPLE_URL = 'rtmps://live.example.com/app';
const EXAMPLE_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl';

/** What to send, per field: used after "send" in messages about missing or mistyped fields. */
const WHAT_TO_SEND: Record<Field, string> = {
  platform: `one of ${PLATFORMS.join(', ')}`,
  name: `a name of 1-${NAME_MAX_LENGTH} characters`,
  streamKey: 'the stream key exactly as the platform shows it',
  rtmpUrl: `an rtmp:// or rtmps:// URL with a host, e.g. ${EXAMPLE_URL}`,
  enabled: 'true or false',
  channelArn: `an IVS channel ARN, e.g. ${EXAMPLE_ARN}`,
  profile: `one of ${PROFILES.join(', ')}`,
  mode: `passthrough (copy the IVS stream as it is) or transcode (MediaLive, with the profile)`,
};

/** The rule broken, per field: used when the type is right but the value is not. */
const RULE: Record<Field, string> = {
  platform: `must be one of ${PLATFORMS.join(', ')}`,
  name: `must be 1-${NAME_MAX_LENGTH} characters (spaces at either end do not count) without control or text-direction characters`,
  streamKey: `must be 1-${STREAM_KEY_MAX_LENGTH} visible characters without spaces or control characters; paste the key exactly as the platform shows it`,
  rtmpUrl: `must start with rtmp:// or rtmps:// and include a host, e.g. ${EXAMPLE_URL}`,
  enabled: 'must be true or false',
  channelArn: `must be an IVS channel ARN (arn:aws:ivs:<region>:<12-digit account>:channel/<id>), e.g. ${EXAMPLE_ARN}`,
  profile: `must be one of ${PROFILES.join(', ')}`,
  mode: `must be one of ${RELAY_MODES.join(', ')}: passthrough copies the IVS stream as it is, transcode encodes it again with the profile (MediaLive)`,
};

/** Why a push target is always refused (see push-targets.ts). */
const FORBIDDEN_TARGET = {
  'link-local':
    "must not point at a link-local address (169.254.0.0/16, fe80::/10): those reach the machine the engine runs on, not a streaming server; use the platform's ingest URL",
  metadata:
    "must not point at a cloud metadata service (169.254.169.254, fd00:ec2::254, metadata.google.internal): use the platform's ingest URL",
  'not-unicast': 'must point at one server, not a multicast or broadcast address',
} as const;

/** Shown when a private or loopback target is refused (AWS, unless the deployment allows them). */
export const PRIVATE_TARGET_MESSAGE =
  'must point at a public address: loopback and private networks (127.0.0.0/8, ::1, localhost, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7, 0.0.0.0) are refused by this deployment. To push to a server in your own network, deploy with allow_private_rtmp_targets = true';

/**
 * Control characters, and the invisible marks that reorder text (bidirectional overrides,
 * isolates and marks, line/paragraph separators): a name with them can display as another name.
 */
const CONTROL_CHARACTER = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;
const VISIBLE_ONLY = /^[^\s\p{C}]+$/u;
function rtmpUrlProblem(value: string): string | undefined {
  if (value.length > RTMP_URL_MAX_LENGTH) return `must be at most ${RTMP_URL_MAX_LENGTH} characters`;
  if (!/^rtmps?:\/\//.test(value) || /[\s\p{C}]/u.test(value)) return RULE.rtmpUrl;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return RULE.rtmpUrl;
  }
  if (url.hostname === '') return RULE.rtmpUrl;
  if (url.username !== '' || url.password !== '') {
    return `must not contain a user name or password; send the endpoint only, e.g. ${EXAMPLE_URL}, and the key in streamKey`;
  }
  const target = classifyPushHost(url.hostname);
  if (target.kind === 'invalid') return RULE.rtmpUrl;
  if (target.kind === 'forbidden') return FORBIDDEN_TARGET[target.reason];
  return undefined;
}

/**
 * Refuses a URL whose host is loopback or in a private network. The service calls it unless the
 * deployment allows such targets (ALLOW_PRIVATE_RTMP_TARGETS); link-local and metadata
 * addresses are refused for every deployment by the field's own rule.
 */
export function assertPublicRtmpTarget(rtmpUrl: string): void {
  let hostname: string;
  try {
    hostname = new URL(rtmpUrl).hostname;
  } catch {
    fail([{ field: 'rtmpUrl', message: RULE.rtmpUrl }]);
  }
  if (classifyPushHost(hostname).kind !== 'public') fail([{ field: 'rtmpUrl', message: PRIVATE_TARGET_MESSAGE }]);
}

const fields = {
  platform: z.enum(PLATFORMS),
  name: z
    .string()
    .trim()
    .min(1)
    .max(NAME_MAX_LENGTH)
    .refine((v) => !CONTROL_CHARACTER.test(v), { message: RULE.name }),
  streamKey: z
    .string()
    .min(1)
    .max(STREAM_KEY_MAX_LENGTH)
    .refine((v) => VISIBLE_ONLY.test(v), { message: RULE.streamKey }),
  rtmpUrl: z.string().superRefine((v, ctx) => {
    const problem = rtmpUrlProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  enabled: z.boolean(),
  channelArn: z.string().refine((v) => IVS_CHANNEL_ARN.test(v), { message: RULE.channelArn }),
  profile: z.enum(PROFILES),
  mode: z.enum(RELAY_MODES),
};

/** The `POST /stream-destinations` body; also the source of the OpenAPI document. */
export const createSchema = z.strictObject({
  platform: fields.platform,
  name: fields.name,
  streamKey: fields.streamKey,
  rtmpUrl: fields.rtmpUrl.optional(),
  enabled: fields.enabled.optional(),
  channelArn: fields.channelArn.optional(),
  profile: fields.profile.optional(),
  mode: fields.mode.optional(),
});

/** The `PUT /stream-destinations/{id}` body; also the source of the OpenAPI document. */
export const updateSchema = z.strictObject({
  platform: fields.platform.optional(),
  name: fields.name.optional(),
  streamKey: fields.streamKey.optional(),
  rtmpUrl: fields.rtmpUrl.optional(),
  enabled: fields.enabled.optional(),
  channelArn: fields.channelArn.optional(),
  profile: fields.profile.optional(),
  mode: fields.mode.optional(),
});

/** The JSON type of a value, never the value. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isField(name: unknown): name is Field {
  return typeof name === 'string' && (FIELDS as readonly string[]).includes(name);
}

const EXPECTED_WORD: Record<string, string> = {
  string: 'a string',
  boolean: 'a boolean',
  object: 'a JSON object',
};

/**
 * Replaces every zod message with one of ours, built from the issue's kind and the field name,
 * so no received value can reach a message.
 */
function messageFor(issue: z.core.$ZodRawIssue): string {
  const field = issue.path?.[0];
  if (!isField(field)) {
    if (issue.code === 'invalid_type') return `expected a JSON object, got ${jsonType(issue.input)}`;
    return 'is not valid';
  }
  if (issue.input === undefined) return `is required: send ${WHAT_TO_SEND[field]}`;
  const expected = field === 'enabled' ? 'boolean' : 'string';
  if (jsonType(issue.input) !== expected) {
    return `expected ${EXPECTED_WORD[expected]}, got ${jsonType(issue.input)}; send ${WHAT_TO_SEND[field]}`;
  }
  if (issue.code === 'too_big' && field !== 'platform' && field !== 'profile' && field !== 'mode') {
    return `must be at most ${String(issue.maximum)} characters`;
  }
  if (issue.code === 'too_small' && field === 'name') return 'must not be empty or only spaces';
  if (issue.code === 'too_small' && field === 'streamKey') return 'must not be empty; paste the key exactly as the platform shows it';
  return RULE[field];
}

/** Keys the client sent that we do not know, shown clipped and printable only. */
function displayKey(key: string): string {
  const printable = key.replace(/[\p{C}]/gu, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

/** One issue per field (the first rule it breaks), unknown fields one by one. */
function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ field: displayKey(key), message: `is not a known field; allowed fields are ${FIELDS.join(', ')}` });
      }
      continue;
    }
    const field = issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ field, message: issue.message });
  }
  return issues;
}

function fail(issues: FieldIssue[]): never {
  throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body, { error: messageFor });
  if (!result.success) fail(toFieldIssues(result.error));
  return result.data;
}

/**
 * The cross-field rules: platforms that only take RTMPS refuse `rtmp://`, and `custom` needs a
 * URL. Returns the broken rules as issues; empty when the pair is fine.
 */
export function platformUrlIssues(platform: Platform, rtmpUrl: string | undefined): FieldIssue[] {
  const preset = PLATFORM_PRESETS[platform];
  if (rtmpUrl === undefined) {
    if (preset.defaultRtmpUrl !== null) return [];
    return [
      {
        field: 'rtmpUrl',
        message: `is required for platform ${platform}: send the endpoint of your RTMP(S) server, e.g. ${EXAMPLE_URL}`,
      },
    ];
  }
  if (preset.defaultRtmpUrl !== null && hasKeySegment(preset.defaultRtmpUrl, rtmpUrl)) {
    return [
      {
        field: 'rtmpUrl',
        message: `looks like it ends with the stream key: send ${preset.label}'s ingest URL without it, e.g. ${preset.defaultRtmpUrl}, and the key in streamKey`,
      },
    ];
  }
  if (preset.requiresRtmps && !rtmpUrl.startsWith('rtmps://')) {
    return [
      {
        field: 'rtmpUrl',
        message: `${preset.label} accepts only RTMPS: use an rtmps:// URL, e.g. ${preset.defaultRtmpUrl ?? EXAMPLE_URL}`,
      },
    ];
  }
  return [];
}

/** The last two labels of a host name (`a.rtmps.youtube.com` → `youtube.com`). */
function siteOf(hostname: string): string {
  return hostname.toLowerCase().split('.').slice(-2).join('.');
}

function pathSegments(url: URL): string[] {
  return url.pathname.split('/').filter((s) => s !== '');
}

/**
 * True when `rtmpUrl` is the platform's ingest (same site, same path) with more path after it:
 * the usual way a stream key gets pasted into the URL (`…/live2/<key>`).
 */
function hasKeySegment(presetUrl: string, rtmpUrl: string): boolean {
  let preset: URL;
  let given: URL;
  try {
    preset = new URL(presetUrl);
    given = new URL(rtmpUrl);
  } catch {
    return false;
  }
  if (siteOf(given.hostname) !== siteOf(preset.hostname)) return false;
  const base = pathSegments(preset);
  const path = pathSegments(given);
  return path.length > base.length && base.every((segment, i) => path[i] === segment);
}

/** Keys shorter than this are not looked for in the URL: they would match by chance. */
const KEY_IN_URL_MIN_LENGTH = 6;

/** The issue when the URL holds the key itself (never quoting either). */
function keyInUrlIssues(streamKey: string | undefined, rtmpUrl: string | undefined): FieldIssue[] {
  if (streamKey === undefined || rtmpUrl === undefined || streamKey.length < KEY_IN_URL_MIN_LENGTH) return [];
  let decoded = rtmpUrl;
  try {
    decoded = decodeURIComponent(rtmpUrl);
  } catch {
    // Keep the raw URL: a malformed escape cannot hide the key in the raw form.
  }
  if (!rtmpUrl.includes(streamKey) && !decoded.includes(streamKey)) return [];
  return [{ field: 'rtmpUrl', message: 'must not contain the stream key: send the URL without it, and the key in streamKey only' }];
}

/**
 * Throws ValidationError when the platform and URL do not go together. The service calls it on
 * the merged state of an update, where the body may carry only one of the two.
 */
export function assertPlatformAcceptsUrl(platform: Platform, rtmpUrl: string | undefined): void {
  const issues = platformUrlIssues(platform, rtmpUrl);
  if (issues.length > 0) fail(issues);
}

/** Validates a `POST /stream-destinations` body. Throws ValidationError naming every bad field. */
export function parseCreateDestination(body: unknown): CreateDestinationInput {
  const input = parseWith(createSchema, body);
  const keyInUrl = keyInUrlIssues(input.streamKey, input.rtmpUrl);
  if (keyInUrl.length > 0) fail(keyInUrl);
  assertPlatformAcceptsUrl(input.platform, input.rtmpUrl);
  const result: CreateDestinationInput = { platform: input.platform, name: input.name, streamKey: input.streamKey };
  if (input.rtmpUrl !== undefined) result.rtmpUrl = input.rtmpUrl;
  if (input.enabled !== undefined) result.enabled = input.enabled;
  if (input.channelArn !== undefined) result.channelArn = input.channelArn;
  if (input.profile !== undefined) result.profile = input.profile;
  if (input.mode !== undefined) result.mode = input.mode;
  return result;
}

/**
 * Validates a `PUT /stream-destinations/{id}` body: any non-empty subset of the writable fields.
 * When both platform and rtmpUrl are present their pairing is checked here; otherwise the service
 * checks the merged state with `assertPlatformAcceptsUrl`.
 */
export function parseUpdateDestination(body: unknown): UpdateDestinationInput {
  const input = parseWith(updateSchema, body);
  const keyInUrl = keyInUrlIssues(input.streamKey, input.rtmpUrl);
  if (keyInUrl.length > 0) fail(keyInUrl);
  const result: UpdateDestinationInput = {};
  for (const field of FIELDS) {
    const value = input[field];
    if (value !== undefined) Object.assign(result, { [field]: value });
  }
  if (Object.keys(result).length === 0) {
    fail([{ field: 'body', message: `must contain at least one field to change: ${FIELDS.join(', ')}` }]);
  }
  if (result.platform !== undefined && result.rtmpUrl !== undefined) {
    const issues = platformUrlIssues(result.platform, result.rtmpUrl);
    if (issues.length > 0) fail(issues);
  }
  return result;
}
