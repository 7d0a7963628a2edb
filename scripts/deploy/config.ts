/**
 * Loads the deployment settings, in one place, once.
 *
 * Precedence, highest first:
 *   1. CLI flags (`--project-name`, `--region`, `--restreaming` / `--no-restreaming`)
 *   2. environment variables `IVS_RESTREAMING_*` (see `ENVIRONMENT_OVERRIDES`)
 *   3. the config file (`deployment.config.ts`, or `--config <file>`)
 *   4. the defaults in `./config-schema.ts`
 *
 * The merged settings are validated once and frozen. A bad value fails with one line that names
 * where it came from, the field, the value and the fix:
 *   deployment.config.ts: reconcileSchedule: "rate(30 seconds)" — EventBridge rates are in
 *   minutes, hours or days; the minimum is rate(1 minute)
 */
import { existsSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { deploymentConfigSchema, type DeploymentConfig } from './config-schema';
import { DEPLOY_ERROR_CODES, DeployUserError } from './errors';

export const DEFAULT_CONFIG_FILE = 'deployment.config.ts';

type Kind = 'string' | 'boolean' | 'number' | 'list';

/** Environment variables that override the file, with the field each one sets. */
export const ENVIRONMENT_OVERRIDES = {
  IVS_RESTREAMING_PROJECT_NAME: { path: ['projectName'], kind: 'string' },
  IVS_RESTREAMING_REGION: { path: ['region'], kind: 'string' },
  IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING: { path: ['enableStreamRestreaming'], kind: 'boolean' },
  IVS_RESTREAMING_CREATE_IVS_CHANNEL: { path: ['ivs', 'createChannel'], kind: 'boolean' },
  /** Comma-separated IVS channel ARNs. */
  IVS_RESTREAMING_IVS_CHANNEL_ARNS: { path: ['ivs', 'existingChannelArns'], kind: 'list' },
  IVS_RESTREAMING_RECONCILE_SCHEDULE: { path: ['reconcileSchedule'], kind: 'string' },
  IVS_RESTREAMING_STOP_GRACE_SECONDS: { path: ['stopGraceSeconds'], kind: 'number' },
  IVS_RESTREAMING_IDLE_CHANNEL_TTL_SECONDS: { path: ['idleChannelTtlSeconds'], kind: 'number' },
  IVS_RESTREAMING_DEFAULT_PROFILE: { path: ['defaultProfile'], kind: 'string' },
  IVS_RESTREAMING_ENABLE_RELAYS: { path: ['enableRelays'], kind: 'boolean' },
  IVS_RESTREAMING_DEFAULT_RELAY_MODE: { path: ['defaultRelayMode'], kind: 'string' },
  IVS_RESTREAMING_LOG_RETENTION_DAYS: { path: ['logRetentionDays'], kind: 'number' },
  IVS_RESTREAMING_ALARM_EMAIL: { path: ['alarmEmail'], kind: 'string' },
  IVS_RESTREAMING_ALERT_WEBHOOK_PARAMETER: { path: ['alertWebhookParameter'], kind: 'string' },
  /** Comma-separated e-mail addresses. */
  IVS_RESTREAMING_ADMIN_USERS: { path: ['adminUsers'], kind: 'list' },
  IVS_RESTREAMING_DELETION_PROTECTION: { path: ['deletionProtection'], kind: 'boolean' },
  IVS_RESTREAMING_API_AUTH: { path: ['apiAuth'], kind: 'string' },
  IVS_RESTREAMING_ACKNOWLEDGE_UNAUTHENTICATED_API: { path: ['acknowledgeUnauthenticatedApi'], kind: 'boolean' },
  IVS_RESTREAMING_ALLOW_PRIVATE_RTMP_TARGETS: { path: ['allowPrivateRtmpTargets'], kind: 'boolean' },
} as const satisfies Record<string, { path: readonly string[]; kind: Kind }>;

/** The spellings every boolean flag and environment variable accepts, case-insensitive. */
export const BOOLEAN_SPELLINGS = 'true/false, yes/no, 1/0 or on/off';
const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

/** `true`/`false` for an accepted spelling (see `BOOLEAN_SPELLINGS`), `undefined` for anything else. */
export function parseBoolean(raw: string): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Settings that CLI flags may override. */
export interface ConfigFlags {
  projectName?: string;
  region?: string;
  enableStreamRestreaming?: boolean;
  adminUsers?: string[];
}

const FLAG_NAMES: Record<keyof ConfigFlags, string> = {
  projectName: '--project-name',
  region: '--region',
  enableStreamRestreaming: '--restreaming',
  adminUsers: '--admin-email',
};

/** Edit distance of two strings (Levenshtein), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name closest to `name`. */
export function closestName(name: string, known: readonly string[]): string {
  return [...known].sort((x, y) => editDistance(name, x) - editDistance(name, y))[0] ?? '';
}

/**
 * Refuses `IVS_RESTREAMING_*` variables the deploy does not know: a misspelt override would
 * otherwise be ignored without a word.
 */
function checkUnknownVariables(env: NodeJS.ProcessEnv): void {
  const known = Object.keys(ENVIRONMENT_OVERRIDES);
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('IVS_RESTREAMING_') && !known.includes(name))
    .sort();
  if (unknown.length === 0) return;
  const described = unknown.map((name) => `${name} (did you mean ${closestName(name, known)}?)`).join(', ');
  throw new DeployUserError(
    DEPLOY_ERROR_CODES.configInvalid,
    `Unknown environment variable${unknown.length > 1 ? 's' : ''} ${described}: rename or unset ${unknown.length > 1 ? 'them' : 'it'}; the variables are listed in ${DEFAULT_CONFIG_FILE}'s header`,
  );
}

export interface LoadConfigOptions {
  /** `--config <file>`; without it `deployment.config.ts` in `cwd`, if present. */
  file?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  flags?: ConfigFlags;
}

type Json = Record<string, unknown>;

/** A layer of settings and, per field path, the name of its source for error messages. */
interface Layer {
  values: Json;
  sources: Map<string, string>;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Json;
  });
  node[path[path.length - 1] as string] = value;
}

function parseEnvValue(raw: string, kind: Kind): unknown {
  const value = raw.trim();
  switch (kind) {
    case 'string':
      return value;
    case 'boolean':
      // Anything else is left as a string: validation reports it with the variable's name.
      return parseBoolean(value) ?? value;
    case 'number':
      return value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'list':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
  }
}

function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  checkUnknownVariables(env);
  const layer: Layer = { values: {}, sources: new Map() };
  for (const [name, { path, kind }] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(layer.values, path, parseEnvValue(raw, kind));
    layer.sources.set(path.join('.'), name);
  }
  return layer;
}

function flagLayer(flags: ConfigFlags): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  for (const [key, value] of Object.entries(flags) as [keyof ConfigFlags, unknown][]) {
    if (value === undefined) continue;
    layer.values[key] = value;
    layer.sources.set(key, FLAG_NAMES[key]);
  }
  return layer;
}

function fileLayer(values: Json, label: string): Layer {
  const sources = new Map<string, string>();
  const walk = (node: Json, prefix: string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = [...prefix, key];
      sources.set(path.join('.'), label);
      if (key === 'ivs' && isPlainObject(value)) walk(value, path);
    }
  };
  walk(values, []);
  return { values, sources };
}

/** Later layers win; `ivs` merges field by field, everything else is replaced whole. */
function merge(layers: Layer[]): Layer {
  const merged: Layer = { values: {}, sources: new Map() };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      const current = merged.values[key];
      merged.values[key] = key === 'ivs' && isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
    }
    for (const [path, source] of layer.sources) {
      if (!path.includes('.')) for (const old of [...merged.sources.keys()]) if (old.startsWith(`${path}.`)) merged.sources.delete(old);
      merged.sources.set(path, source);
    }
  }
  return merged;
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (isPlainObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    values,
  );
}

function sourceOf(sources: Map<string, string>, path: readonly PropertyKey[]): string {
  for (let n = path.length; n > 0; n -= 1) {
    const source = sources.get(path.slice(0, n).map(String).join('.'));
    if (source) return source;
  }
  return 'defaults';
}

/** The branch of a failed union that got furthest into the value, so its message is the useful one. */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const candidates = issue.errors
    .flat()
    .map((inner) => deepestIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue));
  const best = candidates.sort((a, b) => b.path.length - a.path.length)[0];
  return best && best.path.length > issue.path.length ? best : issue;
}

function describeIssue(original: z.core.$ZodIssue, merged: Layer): string {
  const issue = deepestIssue(original);
  let path: readonly PropertyKey[] = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0] ?? ''];
    message = `unknown setting; the settings are listed in ${DEFAULT_CONFIG_FILE}'s comments`;
  }
  const value = issue.code === 'unrecognized_keys' ? undefined : valueAt(merged.values, path);
  if (issue.code === 'invalid_type')
    message =
      value === undefined
        ? 'is required'
        : issue.expected === 'boolean' && typeof value === 'string'
          ? `must be ${BOOLEAN_SPELLINGS}`
          : `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_union')
    message = path.join('.') === 'terraformBackend' ? "must be 'local' or { s3: { bucket, key } }" : message;
  const field = path.length > 0 ? path.map(String).join('.') : '(settings)';
  const shown = value === undefined ? '' : `: ${JSON.stringify(value)}`;
  return `${sourceOf(merged.sources, path)}: ${field}${shown} — ${message}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Merges and validates settings that are already in memory (the file's default export as
 * `fileSettings`). Pure; `loadDeploymentConfig` is the same with the file read.
 */
export function resolveDeploymentConfig(input: {
  fileSettings: unknown;
  fileLabel: string;
  env: NodeJS.ProcessEnv;
  flags?: ConfigFlags;
}): DeploymentConfig {
  if (input.fileSettings !== undefined && !isPlainObject(input.fileSettings)) {
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.configInvalid,
      `${input.fileLabel}: the default export must be an object: export default defineConfig({ ... })`,
    );
  }
  const merged = merge([fileLayer(input.fileSettings ?? {}, input.fileLabel), environmentLayer(input.env), flagLayer(input.flags ?? {})]);
  const parsed = deploymentConfigSchema.safeParse(merged.values);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    const problem = first === undefined ? 'the configuration is invalid' : describeIssue(first, merged);
    throw new DeployUserError(DEPLOY_ERROR_CODES.configInvalid, `${problem}${more}`);
  }
  return deepFreeze(parsed.data);
}

/** Reads the config file (if any), merges flags and environment over it, validates, freezes. */
export async function loadDeploymentConfig(options: LoadConfigOptions): Promise<DeploymentConfig> {
  const file = resolve(options.cwd, options.file ?? DEFAULT_CONFIG_FILE);
  const label = options.file ? relative(options.cwd, file) || basename(file) : DEFAULT_CONFIG_FILE;
  let fileSettings: unknown;
  if (existsSync(file)) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new DeployUserError(DEPLOY_ERROR_CODES.configInvalid, `${label}: cannot be loaded: ${reason}`, { cause: error });
    }
    fileSettings = module.default;
    if (fileSettings === undefined) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.configInvalid, `${label}: has no default export: export default defineConfig({ ... })`);
    }
  } else if (options.file) {
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.configNotFound,
      `${label}: no such file; pass --config with an existing file or omit it to use ${DEFAULT_CONFIG_FILE}`,
    );
  }
  return resolveDeploymentConfig({ fileSettings, fileLabel: label, env: options.env, flags: options.flags });
}
