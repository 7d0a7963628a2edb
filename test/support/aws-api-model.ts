/**
 * AWS's published API models (botocore's `service-2.json`, vendored in test/fixtures/aws-models/
 * with their origin, licence and refresh steps) and a request validator over them.
 *
 * Checked for every member of a request, at any depth: required members, unknown members, member
 * types (structure, list, map, string, integer/long, float/double, boolean, timestamp, blob) and
 * the member constraints the model states: `min`/`max` (numbers: the value; strings: Unicode
 * code points; blobs: bytes; lists and maps: entries), `enum` and `pattern` (model-pattern.ts
 * compiles them; a pattern that cannot be compiled is reported as a violation, never skipped).
 * aws-api-constraints.ts adds what the model lacks, each entry citing its AWS page: constraints
 * stated only in the documentation, and members newer than the model.
 *
 * Requests are the AWS SDK v3 input objects, whose member names are the model's member names.
 * Values of members the model marks `sensitive` (stream keys, parameter values) never appear in a
 * violation message.
 */
import { readFileSync } from 'node:fs';
import { AWS_API_CONSTRAINTS, AWS_API_NEWER_MEMBERS, type MemberConstraint } from './aws-api-constraints';
import { compileModelPattern } from './model-pattern';

/** A reference to a shape from a member, list member, map key or value, or operation input. */
export interface ShapeRef {
  shape: string;
  [trait: string]: unknown;
}

/** A botocore shape: its type, the structure's members, the list's member, the map's key and value, constraints. */
export interface ModelShape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  enum?: string[];
  pattern?: string;
  sensitive?: boolean;
  union?: boolean;
  [trait: string]: unknown;
}

export interface ServiceModel {
  metadata: { serviceId: string; apiVersion: string; uid?: string };
  operations: Record<string, { name: string; input?: ShapeRef }>;
  shapes: Record<string, ModelShape>;
}

/** One or more violations of the model, each with the member path (`CreateChannel.EncoderSettings.…`). */
export class AwsModelViolation extends Error {
  constructor(
    readonly service: string,
    readonly violations: string[],
  ) {
    super(`The request does not fit AWS's ${service} API model:\n- ${violations.join('\n- ')}`);
    this.name = 'AwsModelViolation';
  }
}

/** The directory of the vendored models (test/fixtures/aws-models/). */
export const MODELS_DIR = new URL('../fixtures/aws-models/', import.meta.url);

/** Reads a vendored model and adds the service's members newer than it (aws-api-constraints.ts). */
export function loadServiceModel(service: string, fileName: string): ServiceModel {
  const model = JSON.parse(readFileSync(new URL(`${fileName}.json`, MODELS_DIR), 'utf8')) as ServiceModel;
  for (const [path, newer] of Object.entries(AWS_API_NEWER_MEMBERS[service] ?? {})) {
    const [shapeName, memberName] = path.split('.') as [string, string];
    const shape = model.shapes[shapeName];
    if (!shape?.members) throw new Error(`${fileName}: no structure ${shapeName} to add ${memberName} to`);
    if (shape.members[memberName]) throw new Error(`${fileName}: ${path} is in the model now; drop it from AWS_API_NEWER_MEMBERS`);
    const added = `${shapeName}$${memberName}`;
    model.shapes[added] = newer.shape;
    shape.members[memberName] = { shape: added };
  }
  return model;
}

/** The path with list indexes and map keys generalised: `Op.Tags[2].key` → `Op.Tags[].key`. */
function tablePath(path: string): string {
  return path
    .replace(/\[\d+\]/g, '[]')
    .replace(/\[".*?"\]/g, '{}')
    .replace(/\{key ".*?"\}/g, '{key}');
}

class Validator {
  readonly out: string[] = [];

  constructor(
    readonly service: string,
    readonly model: ServiceModel,
  ) {}

  shape(ref: ShapeRef): ModelShape {
    const shape = this.model.shapes[ref.shape];
    if (!shape) throw new Error(`The ${this.service} model has no shape ${ref.shape}`);
    return shape;
  }

  bounds(path: string, n: number, c: { min?: number; max?: number }, what: string): void {
    if (c.min !== undefined && n < c.min) this.out.push(`${path}: ${what} ${n} is below the minimum ${c.min}`);
    if (c.max !== undefined && n > c.max) this.out.push(`${path}: ${what} ${n} is above the maximum ${c.max}`);
  }

  string(path: string, value: string, c: Pick<ModelShape, 'min' | 'max' | 'enum' | 'pattern' | 'sensitive'>): void {
    if (c.enum && !c.enum.includes(value)) {
      const shown = c.sensitive ? 'the (sensitive) value' : JSON.stringify(value);
      this.out.push(`${path}: ${shown} is not one of ${c.enum.join(', ')}`);
    }
    this.bounds(path, [...value].length, c, 'length');
    if (c.pattern !== undefined) {
      const compiled = compileModelPattern(c.pattern);
      if (!compiled.ok) {
        this.out.push(`${path}: the pattern ${c.pattern} cannot be compiled in JavaScript (${compiled.reason}), so the value is unchecked`);
      } else if (!compiled.regex.test(value)) {
        this.out.push(`${path}: does not match the pattern ${c.pattern}`);
      }
    }
  }

  /** The constraints aws-api-constraints.ts adds for this member path. */
  extra(path: string, value: unknown): void {
    const c: MemberConstraint | undefined = AWS_API_CONSTRAINTS[this.service]?.[tablePath(path)];
    if (!c) return;
    if (typeof value === 'string') this.string(path, value, c);
    else if (typeof value === 'number') this.bounds(path, value, c, 'value');
    else if (Array.isArray(value)) this.bounds(path, value.length, c, 'length');
  }

  value(ref: ShapeRef, value: unknown, path: string): void {
    if (value === undefined || value === null) return;
    const shape = this.shape(ref);
    this.extra(path, value);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, value, path);
      case 'list': {
        if (!Array.isArray(value)) {
          this.out.push(`${path}: expected a list, got ${typeof value}`);
          return;
        }
        this.bounds(path, value.length, shape, 'length');
        value.forEach((item, i) => this.value(shape.member as ShapeRef, item, `${path}[${i}]`));
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) {
          this.out.push(`${path}: expected a map, got ${Array.isArray(value) ? 'an array' : typeof value}`);
          return;
        }
        const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
        this.bounds(path, entries.length, shape, 'number of entries');
        for (const [k, v] of entries) {
          this.value(shape.key as ShapeRef, k, `${path}{key ${JSON.stringify(k)}}`);
          this.value(shape.value as ShapeRef, v, `${path}[${JSON.stringify(k)}]`);
        }
        return;
      }
      case 'string':
        if (typeof value !== 'string') this.out.push(`${path}: expected a string, got ${typeof value}`);
        else this.string(path, value, shape);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value))
          this.out.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
        else this.bounds(path, value, shape, 'value');
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) this.out.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
        else this.bounds(path, value, shape, 'value');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.out.push(`${path}: expected a boolean, got ${typeof value}`);
        return;
      case 'timestamp':
        if (!(value instanceof Date) && typeof value !== 'string' && typeof value !== 'number')
          this.out.push(`${path}: expected a timestamp`);
        return;
      case 'blob':
        if (value instanceof Uint8Array) this.bounds(path, value.byteLength, shape, 'size');
        else if (typeof value === 'string') this.bounds(path, Buffer.byteLength(value), shape, 'size');
        else this.out.push(`${path}: expected bytes`);
        return;
      default:
        this.out.push(`${path}: the validator does not know shape type ${shape.type}`);
    }
  }

  structure(shape: ModelShape, value: unknown, path: string): void {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array) {
      this.out.push(`${path}: expected a structure, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      return;
    }
    const members = shape.members ?? {};
    const record = value as Record<string, unknown>;
    for (const name of shape.required ?? []) {
      if (record[name] === undefined || record[name] === null) this.out.push(`${path}.${name}: required member is missing`);
    }
    const set = Object.keys(record).filter((name) => record[name] !== undefined && record[name] !== null);
    if (shape.union && set.length !== 1) this.out.push(`${path}: a union takes exactly one member, got ${set.length}`);
    for (const name of set) {
      const member = members[name];
      if (!member) this.out.push(`${path}.${name}: unknown member`);
      else this.value(member, record[name], `${path}.${name}`);
    }
  }
}

/**
 * The violations of `params` against the input of `operation` in `model`; empty when it fits.
 * `service` names the model in messages and keys aws-api-constraints.ts.
 */
export function modelViolations(service: string, model: ServiceModel, operation: string, params: unknown): string[] {
  const input = model.operations[operation]?.input;
  if (!input) throw new Error(`The ${service} model has no operation ${operation} with an input`);
  const validator = new Validator(service, model);
  if (params === undefined || params === null) validator.out.push(`${operation}: the request is empty`);
  else validator.value(input, params, operation);
  return validator.out;
}

/** A validator over one vendored model. */
export interface AwsApiModel {
  readonly service: string;
  /** The vendored model file (test/fixtures/aws-models/…). */
  readonly file: URL;
  /** The model with the newer members added (loaded on first use). */
  model(): ServiceModel;
  /** The violations of `params` against the operation's input shape; empty when it fits. */
  violations(operation: string, params: unknown): string[];
  /** Throws an AwsModelViolation listing every violation when `params` does not fit the model. */
  validate(operation: string, params: unknown): void;
}

/**
 * A validator over `test/fixtures/aws-models/<fileName>.json`. `service` names the model in
 * messages and keys aws-api-constraints.ts.
 */
export function awsApiModel(service: string, fileName: string): AwsApiModel {
  const file = new URL(`${fileName}.json`, MODELS_DIR);
  let loaded: ServiceModel | undefined;
  const model = (): ServiceModel => (loaded ??= loadServiceModel(service, fileName));
  const violations = (operation: string, params: unknown): string[] => modelViolations(service, model(), operation, params);
  return {
    service,
    file,
    model,
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
export const CLOUDWATCH_MODEL = awsApiModel('CloudWatch', 'cloudwatch-2010-08-01');
export const IVS_MODEL = awsApiModel('IVS', 'ivs-2020-07-14');
export const SNS_MODEL = awsApiModel('SNS', 'sns-2010-03-31');

/** Every vendored model. */
export const ALL_MODELS = [MEDIALIVE_MODEL, ECS_MODEL, SSM_MODEL, CLOUDWATCH_MODEL, IVS_MODEL, SNS_MODEL] as const;
