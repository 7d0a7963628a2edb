import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENVIRONMENT_OVERRIDES, loadDeploymentConfig, parseBoolean, resolveDeploymentConfig } from '../../../scripts/deploy/config';
import { scheduleProblem } from '../../../scripts/deploy/config-schema';
import { DEPLOY_ERROR_CODES } from '../../../scripts/deploy/errors';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const resolveWith = (fileSettings: unknown, env: NodeJS.ProcessEnv = {}, flags = {}) =>
  resolveDeploymentConfig({ fileSettings, fileLabel: 'deployment.config.ts', env, flags });
const problemOf = (fileSettings: unknown, env: NodeJS.ProcessEnv = {}): string => {
  try {
    resolveWith(fileSettings, env);
  } catch (error) {
    expect(error).toMatchObject({ code: DEPLOY_ERROR_CODES.configInvalid });
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the repository deployment.config.ts', () => {
  it('is valid and restreams with a new IVS channel every minute', async () => {
    const config = await loadDeploymentConfig({ cwd: ROOT, env: {} });
    expect(config).toMatchObject({
      enableStreamRestreaming: true,
      ivs: { createChannel: true },
      reconcileSchedule: 'rate(1 minute)',
      terraformBackend: 'local',
    });
  });
});

describe('resolveDeploymentConfig', () => {
  it('fills every unset field from the defaults', () => {
    expect(resolveWith({})).toEqual({
      projectName: 'ivs-restreaming',
      region: 'eu-central-1',
      enableStreamRestreaming: true,
      ivs: { createChannel: true, existingChannelArns: [] },
      reconcileSchedule: 'rate(1 minute)',
      stopGraceSeconds: 120,
      idleChannelTtlSeconds: 600,
      logRetentionDays: 30,
      adminUsers: [],
      deletionProtection: true,
      apiAuth: 'jwt',
      acknowledgeUnauthenticatedApi: false,
      allowPrivateRtmpTargets: false,
      prices: {},
      enableRelays: true,
      terraformBackend: 'local',
      tags: {},
    });
  });

  it('takes price overrides for the cost panel and refuses an unknown price by name', () => {
    expect(resolveWith({ prices: { mediaLiveInputPerHour: 0.25 } }).prices).toEqual({ mediaLiveInputPerHour: 0.25 });
    expect(() => resolveWith({ prices: { medialiveInputPerHour: 0.25 } })).toThrow(/medialiveInputPerHour/);
    expect(() => resolveWith({ prices: { dataTransferOutPerGb: -1 } })).toThrow(/prices\.dataTransferOutPerGb/);
  });

  it('refuses passthrough as the default mode of a deployment without relays, naming the fix', () => {
    expect(() => resolveWith({ enableRelays: false, defaultRelayMode: 'passthrough' })).toThrow(/defaultRelayMode.*enableRelays: true/s);
    expect(resolveWith({ enableRelays: false, defaultRelayMode: 'transcode' })).toMatchObject({
      enableRelays: false,
      defaultRelayMode: 'transcode',
    });
    expect(resolveWith({}, { IVS_RESTREAMING_ENABLE_RELAYS: 'no' })).toMatchObject({ enableRelays: false });
  });

  it('lets flags win over the environment, the environment over the file and the file over the defaults', () => {
    const config = resolveWith(
      { projectName: 'from-file', region: 'us-west-2', stopGraceSeconds: 60, logRetentionDays: 14 },
      { IVS_RESTREAMING_REGION: 'us-east-1', IVS_RESTREAMING_STOP_GRACE_SECONDS: '300', IVS_RESTREAMING_PROJECT_NAME: 'from-env' },
      { projectName: 'from-flag' },
    );
    expect(config).toMatchObject({
      projectName: 'from-flag',
      region: 'us-east-1',
      stopGraceSeconds: 300,
      logRetentionDays: 14,
      reconcileSchedule: 'rate(1 minute)',
    });
  });

  it('reads booleans and comma-separated lists from the environment', () => {
    const arn = 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456';
    const config = resolveWith(
      { ivs: { createChannel: true } },
      {
        IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING: 'false',
        IVS_RESTREAMING_IVS_CHANNEL_ARNS: ` ${arn} ,`,
        IVS_RESTREAMING_ADMIN_USERS: 'a@example.com,b@example.com',
      },
    );
    expect(config.enableStreamRestreaming).toBe(false);
    expect(config.ivs).toEqual({ createChannel: true, existingChannelArns: [arn] });
    expect(config.adminUsers).toEqual(['a@example.com', 'b@example.com']);
  });

  it('returns frozen settings', () => {
    const config = resolveWith({ tags: { team: 'video' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tags)).toBe(true);
    expect(Object.isFrozen(config.ivs.existingChannelArns)).toBe(true);
  });

  it('names the file, the field, the value and the fix for an EventBridge schedule it would refuse', () => {
    expect(problemOf({ reconcileSchedule: 'rate(30 seconds)' })).toBe(
      'deployment.config.ts: reconcileSchedule: "rate(30 seconds)" — EventBridge rates are in minutes, hours or days; the minimum is rate(1 minute)',
    );
  });

  it('names the environment variable when the bad value came from there', () => {
    expect(problemOf({}, { IVS_RESTREAMING_STOP_GRACE_SECONDS: 'two minutes' })).toBe(
      'IVS_RESTREAMING_STOP_GRACE_SECONDS: stopGraceSeconds: "two minutes" — must be a number',
    );
    expect(problemOf({}, { IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING: 'maybe' })).toMatch(
      /^IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING: enableStreamRestreaming: "maybe"/,
    );
  });

  it('refuses log retention periods CloudWatch does not offer', () => {
    expect(problemOf({ logRetentionDays: 31 })).toMatch(
      /^deployment\.config\.ts: logRetentionDays: 31 — CloudWatch Logs accepts 1, 3, 5, 7, 14, 30,/,
    );
  });

  it('refuses IVS channels outside the deployment region', () => {
    expect(
      problemOf({ region: 'eu-central-1', ivs: { existingChannelArns: ['arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456'] } }),
    ).toMatch(/^deployment\.config\.ts: ivs\.existingChannelArns\.0: ".*" — the channel is in us-west-2 but region is eu-central-1/);
  });

  it('refuses a deployment with no IVS channel at all', () => {
    expect(problemOf({ ivs: { createChannel: false } })).toBe(
      'deployment.config.ts: ivs: {"createChannel":false} — set createChannel: true or list existingChannelArns',
    );
  });

  it('names an unknown setting instead of ignoring it', () => {
    expect(problemOf({ enableRestreaming: false })).toMatch(/^deployment\.config\.ts: enableRestreaming — unknown setting/);
  });

  it('names the missing field of an S3 backend', () => {
    expect(problemOf({ terraformBackend: { s3: { bucket: 'my-state' } } })).toBe(
      'deployment.config.ts: terraformBackend.s3.key — is required',
    );
  });

  it('says how many more problems there are', () => {
    expect(problemOf({ logRetentionDays: 31, stopGraceSeconds: -1, alarmEmail: 'nope' })).toMatch(/\(and 2 more problems\)$/);
  });
});

const BOOLEAN_VARIABLES = Object.entries(ENVIRONMENT_OVERRIDES)
  .filter(([, { kind }]) => kind === 'boolean')
  .map(([name, { path }]) => [name, path] as const);
const TRUE_SPELLINGS = ['true', 'TRUE', 'yes', 'Yes', '1', 'on', 'ON', ' true '];
const FALSE_SPELLINGS = ['false', 'False', 'no', 'NO', '0', 'off', 'Off'];

describe('boolean environment variables', () => {
  it('are all six of them', () => {
    expect(BOOLEAN_VARIABLES.map(([name]) => name).sort()).toEqual([
      'IVS_RESTREAMING_ACKNOWLEDGE_UNAUTHENTICATED_API',
      'IVS_RESTREAMING_ALLOW_PRIVATE_RTMP_TARGETS',
      'IVS_RESTREAMING_CREATE_IVS_CHANNEL',
      'IVS_RESTREAMING_DELETION_PROTECTION',
      'IVS_RESTREAMING_ENABLE_RELAYS',
      'IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING',
    ]);
  });

  // The file sets each field to the opposite, so a spelling that is read wrongly shows.
  const opposite = (path: readonly string[], value: boolean) =>
    path.length === 2
      ? { [path[0]!]: { [path[1]!]: !value, existingChannelArns: ['arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456'] } }
      : { [path[0]!]: !value };
  const valueAt = (config: Record<string, unknown>, path: readonly string[]) =>
    path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);

  for (const [name, path] of BOOLEAN_VARIABLES) {
    it.each(TRUE_SPELLINGS)(`${name}=%p is true`, (spelling) => {
      expect(valueAt(resolveWith(opposite(path, true), { [name]: spelling }), path)).toBe(true);
    });
    it.each(FALSE_SPELLINGS)(`${name}=%p is false`, (spelling) => {
      expect(valueAt(resolveWith(opposite(path, false), { [name]: spelling }), path)).toBe(false);
    });
    it(`${name}=maybe fails with one line naming the variable and the spellings`, () => {
      expect(problemOf({}, { [name]: 'maybe' })).toBe(`${name}: ${path.join('.')}: "maybe" — must be true/false, yes/no, 1/0 or on/off`);
    });
  }

  it('parseBoolean accepts exactly the documented spellings', () => {
    for (const s of TRUE_SPELLINGS) expect(parseBoolean(s)).toBe(true);
    for (const s of FALSE_SPELLINGS) expect(parseBoolean(s)).toBe(false);
    for (const s of ['', 'y', 'n', 'enabled', '2', 'truee']) expect(parseBoolean(s)).toBeUndefined();
  });
});

describe('unknown IVS_RESTREAMING_* variables', () => {
  it('fail with one line naming the variable and the closest known one', () => {
    expect(problemOf({}, { IVS_RESTREAMING_ENABLE_RESTREAMING: 'false' })).toBe(
      "Unknown environment variable IVS_RESTREAMING_ENABLE_RESTREAMING (did you mean IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING?): rename or unset it; the variables are listed in deployment.config.ts's header",
    );
  });

  it('name every unknown one', () => {
    const problem = problemOf({}, { IVS_RESTREAMING_REGOIN: 'us-east-1', IVS_RESTREAMING_ADMIN_USER: 'a@example.com', OTHER: 'x' });
    expect(problem).toMatch(
      /^Unknown environment variables IVS_RESTREAMING_ADMIN_USER \(did you mean IVS_RESTREAMING_ADMIN_USERS\?\), IVS_RESTREAMING_REGOIN \(did you mean IVS_RESTREAMING_REGION\?\)/,
    );
    expect(problem).not.toContain('\n');
  });

  it('ignore other variables', () => {
    expect(resolveWith({}, { IVS_RESTREAMINGX: '1', AWS_REGION: 'us-east-1', LOCAL_IVS_RESTREAMING_FOO: 'x' }).region).toBe('eu-central-1');
  });
});

describe('apiAuth', () => {
  it("refuses apiAuth: 'none' without the acknowledgement, saying what it risks and how to accept it", () => {
    expect(problemOf({ apiAuth: 'none' })).toMatch(
      /^deployment\.config\.ts: apiAuth: "none" — an API without authentication lets anyone with its URL add a destination and receive the live stream; .*acknowledgeUnauthenticatedApi: true/,
    );
    expect(problemOf({}, { IVS_RESTREAMING_API_AUTH: 'none' })).toMatch(/^IVS_RESTREAMING_API_AUTH: apiAuth: "none" — /);
  });

  it("accepts apiAuth: 'none' with the acknowledgement from the file or the environment", () => {
    expect(resolveWith({ apiAuth: 'none', acknowledgeUnauthenticatedApi: true }).apiAuth).toBe('none');
    expect(resolveWith({ apiAuth: 'none' }, { IVS_RESTREAMING_ACKNOWLEDGE_UNAUTHENTICATED_API: 'yes' }).apiAuth).toBe('none');
  });

  it('refuses values other than jwt and none', () => {
    expect(problemOf({ apiAuth: 'iam' })).toBe("deployment.config.ts: apiAuth: \"iam\" — must be 'jwt' or 'none'");
  });
});

describe('scheduleProblem', () => {
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'cron(0/5 * * * ? *)',
    'cron(0 8 ? * MON-FRI *)',
  ])('accepts %s', (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(30 seconds)', 'EventBridge rates are in minutes, hours or days; the minimum is rate(1 minute)'],
    ['rate(1 minutes)', 'use the singular for 1: rate(1 minute)'],
    ['rate(2 hour)', 'use the plural above 1: rate(2 hours)'],
    ['rate(0 minutes)', 'the rate must be a whole number of at least 1, e.g. rate(1 minute)'],
    ['cron(* * * * *)', expect.stringContaining('cron has 6 fields')],
    ['cron(0 12 * * MON *)', expect.stringContaining('exactly one of day-of-month and day-of-week must be "?"')],
    ['every minute', expect.stringContaining('must be rate(')],
  ])('refuses %s', (expression, problem) => {
    expect(scheduleProblem(expression)).toEqual(problem);
  });
});

describe('loadDeploymentConfig', () => {
  it('loads the file named by --config', async () => {
    await writeFile(join(dir, 'staging.config.ts'), "export default { projectName: 'staging', reconcileSchedule: 'rate(2 minutes)' };\n");
    const config = await loadDeploymentConfig({ cwd: dir, file: 'staging.config.ts', env: {} });
    expect(config).toMatchObject({ projectName: 'staging', reconcileSchedule: 'rate(2 minutes)' });
  });

  it('uses the defaults and the environment when there is no deployment.config.ts', async () => {
    const config = await loadDeploymentConfig({ cwd: dir, env: { IVS_RESTREAMING_PROJECT_NAME: 'env-only' } });
    expect(config.projectName).toBe('env-only');
  });

  it('fails with one line when --config names a missing file', async () => {
    await expect(loadDeploymentConfig({ cwd: dir, file: 'nope.config.ts', env: {} })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.configNotFound,
      message: expect.stringMatching(/^nope\.config\.ts: no such file/),
    });
  });

  it('fails with one line when the file has no default export', async () => {
    await writeFile(join(dir, 'named.config.ts'), "export const settings = { projectName: 'x' };\n");
    await expect(loadDeploymentConfig({ cwd: dir, file: 'named.config.ts', env: {} })).rejects.toMatchObject({
      message: 'named.config.ts: has no default export: export default defineConfig({ ... })',
    });
  });
});
