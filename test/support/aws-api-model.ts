/**
 * AWS's published API models (the Smithy JSON models of aws/api-models-aws, vendored in
 * test/fixtures/aws-api-models with their licence) and a request validator over them: required
 * members, unknown members, member types, enum values, and the constraint traits `range`,
 * `length` and `pattern` — the member constraints the aws-sdk v2 model does not carry.
 *
 * Requests are the AWS SDK v3 input objects, whose member names are the model's member names.
 */
import { readFileSync } from 'node:fs';

interface ShapeRef {
  target: string;
  traits?: Record<string, unknown>;
}
interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  input?: { target: string };
  traits?: Record<string, unknown>;
}
interface SmithyModel {
  smithy: string;
  shapes: Record<string, Shape>;
}

const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Integer': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#Double': 'double',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#Timestamp': 'timestamp',
  'smithy.api#Unit': 'structure',
};

/** One violation of the model, with the member path (`CreateChannel.EncoderSettings.…`). */
export class AwsModelViolation extends Error {
  constructor(
    readonly service: string,
    readonly violations: string[],
  ) {
    super(`The request does not fit AWS's ${service} API model:\n- ${violations.join('\n- ')}`);
    this.name = 'AwsModelViolation';
  }
}

interface Range {
  min?: number;
  max?: number;
}

function shapeOf(model: SmithyModel, target: string): Shape {
  const prelude = PRELUDE[target];
  if (prelude) return { type: prelude };
  const shape = model.shapes[target];
  if (!shape) throw new Error(`The model has no shape ${target}`);
  return shape;
}

function constraint(ref: ShapeRef, shape: Shape, trait: string): unknown {
  return ref.traits?.[trait] ?? shape.traits?.[trait];
}

function checkRange(path: string, n: number, range: Range | undefined, what: string, out: string[]): void {
  if (!range) return;
  if (range.min !== undefined && n < range.min) out.push(`${path}: ${what} ${n} is below the minimum ${range.min}`);
  if (range.max !== undefined && n > range.max) out.push(`${path}: ${what} ${n} is above the maximum ${range.max}`);
}

function validate(model: SmithyModel, ref: ShapeRef, value: unknown, path: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const shape = shapeOf(model, ref.target);
  const range = constraint(ref, shape, 'smithy.api#range') as Range | undefined;
  const length = constraint(ref, shape, 'smithy.api#length') as Range | undefined;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${path}: expected a structure, got ${Array.isArray(value) ? 'an array' : typeof value}`);
        return;
      }
      const members = shape.members ?? {};
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(members)) {
        if (member.traits?.['smithy.api#required'] !== undefined && (record[name] === undefined || record[name] === null)) {
          out.push(`${path}.${name}: required member is missing`);
        }
      }
      for (const [name, memberValue] of Object.entries(record)) {
        const member = members[name];
        if (!member) {
          if (memberValue !== undefined) out.push(`${path}.${name}: unknown member`);
          continue;
        }
        validate(model, member, memberValue, `${path}.${name}`, out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list, got ${typeof value}`);
        return;
      }
      checkRange(path, value.length, length, 'length', out);
      value.forEach((item, i) => validate(model, shape.member as ShapeRef, item, `${path}[${i}]`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${path}: expected a map, got ${typeof value}`);
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      checkRange(path, entries.length, length, 'size', out);
      for (const [k, v] of entries) {
        validate(model, shape.key as ShapeRef, k, `${path}{key ${JSON.stringify(k)}}`, out);
        validate(model, shape.value as ShapeRef, v, `${path}[${JSON.stringify(k)}]`, out);
      }
      return;
    }
    case 'enum': {
      const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue'] as string);
      if (typeof value !== 'string' || !allowed.includes(value)) {
        out.push(`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        out.push(`${path}: expected a string, got ${typeof value}`);
        return;
      }
      checkRange(path, [...value].length, length, 'length', out);
      const pattern = constraint(ref, shape, 'smithy.api#pattern') as string | undefined;
      if (pattern !== undefined && !new RegExp(pattern, 'u').test(value)) out.push(`${path}: does not match the pattern ${pattern}`);
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        out.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
        return;
      }
      checkRange(path, value, range, 'value', out);
      return;
    }
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
        return;
      }
      checkRange(path, value, range, 'value', out);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected a boolean, got ${typeof value}`);
      return;
    case 'timestamp':
      if (!(value instanceof Date) && typeof value !== 'string') out.push(`${path}: expected a timestamp`);
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string') out.push(`${path}: expected bytes`);
      return;
    default:
      out.push(`${path}: the validator does not know shape type ${shape.type}`);
  }
}

/** A validator over one vendored model file (`ecs-2014-11-13.json`) and its namespace. */
export interface AwsApiModel {
  readonly service: string;
  readonly file: URL;
  /** The violations of `params` against the operation's input shape; empty when it fits. */
  violations(operation: string, params: unknown): string[];
  /** Throws an AwsModelViolation listing every violation when `params` does not fit the model. */
  validate(operation: string, params: unknown): void;
}

export function awsApiModel(service: string, fileName: string, namespace: string): AwsApiModel {
  const file = new URL(`../fixtures/aws-api-models/${fileName}`, import.meta.url);
  let model: SmithyModel | undefined;
  const load = (): SmithyModel => (model ??= JSON.parse(readFileSync(file, 'utf8')) as SmithyModel);
  const violations = (operation: string, params: unknown): string[] => {
    const op = load().shapes[`${namespace}#${operation}`];
    if (!op?.input) throw new Error(`The ${service} model has no operation ${operation}`);
    const out: string[] = [];
    validate(load(), { target: op.input.target }, params, operation, out);
    if (params === undefined || params === null) out.push(`${operation}: the request is empty`);
    return out;
  };
  return {
    service,
    file,
    violations,
    validate(operation, params) {
      const found = violations(operation, params);
      if (found.length > 0) throw new AwsModelViolation(service, found);
    },
  };
}

export const MEDIALIVE_MODEL = awsApiModel('MediaLive', 'medialive-2017-10-14.json', 'com.amazonaws.medialive');
export const ECS_MODEL = awsApiModel('ECS', 'ecs-2014-11-13.json', 'com.amazonaws.ecs');
export const SSM_MODEL = awsApiModel('SSM', 'ssm-2014-11-06.json', 'com.amazonaws.ssm');
