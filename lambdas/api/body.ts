/**
 * Reading a request body as a JSON object. Bodies hold stream keys: no message here ever quotes
 * the body (the JSON parser's own message does, so it is never passed on).
 */
import { HttpError, malformedBody } from './errors';

/** Largest accepted request body, counted after base64 decoding. */
export const MAX_BODY_BYTES = 16 * 1024;

const EXAMPLE_BODY = '{"platform":"youtube","name":"My channel","streamKey":"..."}';

/** Refuses a body over MAX_BODY_BYTES with 413, before anything reads it. */
export function assertBodySize(body: Buffer | undefined): void {
  if (body !== undefined && body.length > MAX_BODY_BYTES) {
    throw new HttpError(
      'PAYLOAD_TOO_LARGE',
      `Request body is ${body.length} bytes; the limit is ${MAX_BODY_BYTES} bytes (16 KiB). Send only the destination fields.`,
      { limitBytes: MAX_BODY_BYTES },
    );
  }
}

/**
 * The body as a JSON object; throws a 400 naming the body otherwise. With `optional`, a missing or
 * blank body is `{}` (the start and stop actions take an optional body).
 */
export function readJsonObject(bytes: Buffer | undefined, options: { optional?: boolean; example?: string } = {}): Record<string, unknown> {
  const example = options.example ?? EXAMPLE_BODY;
  if (bytes === undefined) {
    if (options.optional) return {};
    throw malformedBody(`Request body is missing: send a JSON object, e.g. ${example}.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformedBody('Request body is not valid UTF-8 text: send a JSON object encoded as UTF-8.');
  }
  if (text.trim() === '') {
    if (options.optional) return {};
    throw malformedBody(`Request body is empty: send a JSON object, e.g. ${example}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformedBody(`Request body is not valid JSON: check quotes, commas and braces, e.g. ${example}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw malformedBody(`Request body must be a JSON object, got ${type}: send e.g. ${example}.`);
  }
  return value as Record<string, unknown>;
}
