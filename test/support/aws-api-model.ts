/**
 * AWS's API models as the `aws-sdk` v2 package ships them (`aws-sdk/apis/<service>.min.json`,
 * installed from the npm registry as a devDependency) and a request validator over them: required
 * members, unknown members and member types. The v2 "min" models carry no enum, range, length or
 * pattern information, so those are checked only where aws-api-constraints.ts names them, each
 * entry citing the AWS page it was read on.
 *
 * Requests are the AWS SDK v3 input objects, whose member names are the model's member names.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AWS_API_CONSTRAINTS, type MemberConstraint } from './aws-api-constraints';

/** A member or shape of an aws-sdk v2 model: `shape` names a shared shape, no `type` = string. */
interface V2Shape {
  shape?: string;
  type?: string;
  members?: Record<string, V2Shape>;
  required?: string[];
  member?: V2Shape;
  key?: V2Shape;
  value?: V2Shape;
}
interface V2Model {
  operations: Record<string, { input?: V2Shape }>;
  shapes: Record<string, V2Shape>;
}

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

function resolve(model: V2Model, ref: V2Shape): V2Shape {
  if (!ref.shape) return ref;
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`The model has no shape ${ref.shape}`);
  return shape;
}

/** The path with list indexes and map keys generalised: `Op.Tags[2].key` → `Op.Tags[].key`. */
function tablePath(path: string): string {
  return path
    .replace(/\[\d+\]/g, '[]')
    .replace(/\[".*?"\]/g, '{}')
    .replace(/\{key ".*?"\}/g, '{key}');
}

function checkBounds(path: string, n: number, c: MemberConstraint, what: string, out: string[]): void {
  if (c.min !== undefined && n < c.min) out.push(`${path}: ${what} ${n} is below the minimum ${c.min}`);
  if (c.max !== undefined && n > c.max) out.push(`${path}: ${what} ${n} is above the maximum ${c.max}`);
}

function checkConstraint(service: string, path: string, value: unknown, out: string[]): void {
  const c = AWS_API_CONSTRAINTS[service]?.[tablePath(path)];
  if (!c) return;
  if (typeof value === 'string') {
    if (c.enum && !c.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of ${c.enum.join(', ')}`);
    checkBounds(path, [...value].length, c, 'length', out);
    if (c.pattern && !new RegExp(c.pattern, 'u').test(value)) out.push(`${path}: does not match the pattern ${c.pattern}`);
  } else if (typeof value === 'number') {
    checkBounds(path, value, c, 'value', out);
  } else if (Array.isArray(value)) {
    checkBounds(path, value.length, c, 'length', out);
  }
}

function validate(service: string, model: V2Model, ref: V2Shape, value: unknown, path: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const shape = resolve(model, ref);
  switch (shape.type ?? 'string') {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${path}: expected a structure, got ${Array.isArray(value) ? 'an array' : typeof value}`);
        return;
      }
      const members = shape.members ?? {};
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) out.push(`${path}.${name}: required member is missing`);
      }
      for (const [name, memberValue] of Object.entries(record)) {
        const member = members[name];
        if (!member) {
          if (memberValue !== undefined) out.push(`${path}.${name}: unknown member`);
          continue;
        }
        validate(service, model, member, memberValue, `${path}.${name}`, out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list, got ${typeof value}`);
        return;
      }
      checkConstraint(service, path, value, out);
      value.forEach((item, i) => validate(service, model, shape.member as V2Shape, item, `${path}[${i}]`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${path}: expected a map, got ${typeof value}`);
        return;
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        validate(service, model, shape.key ?? {}, k, `${path}{key ${JSON.stringify(k)}}`, out);
        validate(service, model, shape.value as V2Shape, v, `${path}[${JSON.stringify(k)}]`, out);
      }
      return;
    }
    case 'string':
      if (typeof value !== 'string') out.push(`${path}: expected a string, got ${typeof value}`);
      else checkConstraint(service, path, value, out);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) out.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
      else checkConstraint(service, path, value, out);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
      else checkConstraint(service, path, value, out);
      return;
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

/** A validator over one aws-sdk v2 model (`ecs-2014-11-13`). */
export interface AwsApiModel {
  readonly service: string;
  /** The model file inside node_modules (aws-sdk/apis/…). */
  readonly file: URL;
  /** The violations of `params` against the operation's input shape; empty when it fits. */
  violations(operation: string, params: unknown): string[];
  /** Throws an AwsModelViolation listing every violation when `params` does not fit the model. */
  validate(operation: string, params: unknown): void;
}

const require = createRequire(import.meta.url);

export function awsApiModel(service: string, modelName: string): AwsApiModel {
  const file = pathToFileURL(require.resolve(`aws-sdk/apis/${modelName}.min.json`));
  let model: V2Model | undefined;
  const load = (): V2Model => (model ??= JSON.parse(readFileSync(file, 'utf8')) as V2Model);
  const violations = (operation: string, params: unknown): string[] => {
    const input = load().operations[operation]?.input;
    if (!input) throw new Error(`The ${service} model has no operation ${operation}`);
    const out: string[] = [];
    validate(service, load(), input, params, operation, out);
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

export const MEDIALIVE_MODEL = awsApiModel('MediaLive', 'medialive-2017-10-14');
export const ECS_MODEL = awsApiModel('ECS', 'ecs-2014-11-13');
export const SSM_MODEL = awsApiModel('SSM', 'ssm-2014-11-06');
export const CLOUDWATCH_MODEL = awsApiModel('CloudWatch', 'monitoring-2010-08-01');
export const IVS_MODEL = awsApiModel('IVS', 'ivs-2020-07-14');
export const SNS_MODEL = awsApiModel('SNS', 'sns-2010-03-31');
