/**
 * One contract, two languages: the values TypeScript and Terraform must agree on, compared the way
 * least-privilege.test.ts compares IAM with the code. Terraform's side is what it plans
 * (modules/stream-restreaming/tests/contract.tftest.hcl, mocked provider) or, for input
 * validations, the regex in variables.tf; TypeScript's side is the exported constants and the code
 * itself (the environment schema, the API handler, the admin UI's API client).
 *
 * - the Lambda environment: names in both directions, and Terraform's values pass the code's schema;
 * - the IVS channel ARN and project_name patterns: every variables.tf accepts exactly what the code
 *   accepts, over valid values and every one-character edit of them;
 * - the metric namespace, metric name and `service` dimension the alarm watches;
 * - the API routes: each one Terraform routes is served by the handler, and each call the admin UI
 *   makes has a route; the unauthenticated preflight route is answered by the function;
 * - the table keys and the GSI; the MediaLive tag keys the IAM conditions allow.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ENVIRONMENT_VARIABLES,
  MONITOR_ENVIRONMENT_VARIABLES,
  environmentSchema,
  readEnvironment,
} from '../../lambdas/adapters/environment';
import {
  BY_CHANNEL_INDEX,
  DESTINATION_EVENTS_TABLE_SUFFIX,
  DESTINATIONS_TABLE_SUFFIX,
  EVENTS_TTL_ATTRIBUTE,
  destinationEventsTableDefinition,
  STREAM_STATE_TABLE_SUFFIX,
  destinationsTableDefinition,
  streamStateTableDefinition,
} from '../../lambdas/adapters/dynamodb/tables';
import { DynamoDestinationEventLog } from '../../lambdas/adapters/dynamodb/destination-event-log';
import { DESTINATION_FAILURES_METRIC, METRICS_NAMESPACE } from '../../lambdas/adapters/lambda/observability';
import { resourceTags } from '../../lambdas/adapters/medialive/requests';
import { PRICE_KEYS } from '../../lambdas/core/costs';
import { IVS_CHANNEL_ARN } from '../../lambdas/core/destination';
import { TAG_PROJECT } from '../../lambdas/core/ports';
import { scopeOf } from '../../lambdas/monitor/handler';
import { ApiClient } from '../../frontend/src/api';
import { deploymentConfigSchema } from '../../scripts/deploy/config-schema';
import { planModule, variableRegex, type PlannedModule } from '../support/terraform-plan';
import { startSystem, type System } from '../support/system';

const root = resolve(import.meta.dirname, '../..');
const moduleDir = join(root, 'modules/stream-restreaming');
const FUNCTIONS = ['api', 'monitor'] as const;
/** Set for the platform, not read by lambdas/adapters/environment.ts. */
const PLATFORM_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];
/** Where a project_name / an IVS channel ARN is validated on the Terraform side. */
const VARIABLES_FILES = {
  project_name: ['modules/stream-restreaming/variables.tf', 'modules/admin-site/variables.tf', 'infra/variables.tf'],
  ivs_channel_arns: ['modules/stream-restreaming/variables.tf', 'infra/variables.tf'],
};

/** Every string one edit away from `value`: each character dropped, replaced or doubled. */
function oneEditAway(value: string, alphabet: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < value.length; i += 1) {
    out.add(value.slice(0, i) + value.slice(i + 1));
    out.add(value.slice(0, i) + value[i]! + value.slice(i));
    for (const c of alphabet) out.add(value.slice(0, i) + c + value.slice(i + 1));
  }
  for (const c of alphabet) out.add(value + c);
  return [...out];
}

/** The samples on which `a` and `b` disagree. */
function disagreements(samples: string[], a: (s: string) => boolean, b: (s: string) => boolean): string[] {
  return samples.filter((s) => a(s) !== b(s));
}

describe('TypeScript and Terraform agree', () => {
  let plan: PlannedModule;
  const planned = (address: string): Record<string, any> => {
    const values = plan.resources.get(address);
    if (!values) throw new Error(`${address} is not in the plan; planned: ${[...plan.resources.keys()].join(', ')}`);
    return values;
  };
  const environment = (fn: string): Record<string, string> => planned(`aws_lambda_function.this["${fn}"]`).environment[0].variables;

  beforeAll(async () => {
    plan = await planModule(moduleDir, 'tests/contract.tftest.hcl');
  }, 300_000);

  describe('the Lambda environment', () => {
    it.each(FUNCTIONS)('%s: Terraform sets only variables the code reads, and every one it requires', (fn) => {
      const set = Object.keys(environment(fn));
      const read = Object.keys(environmentSchema.shape);
      expect({
        setButNotRead: set.filter((name) => !read.includes(name) && !PLATFORM_VARIABLES.includes(name)),
        requiredButNotSet: [...ENVIRONMENT_VARIABLES, ...(fn === 'monitor' ? MONITOR_ENVIRONMENT_VARIABLES : [])].filter(
          (name) => !set.includes(name),
        ),
      }).toEqual({ setButNotRead: [], requiredButNotSet: [] });
    });

    it.each(FUNCTIONS)("%s: the values Terraform plans pass the code's validation", (fn) => {
      const env = readEnvironment(environment(fn));
      expect(env.IVS_CHANNEL_ARNS).toEqual([
        'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456',
        'arn:aws-us-gov:ivs:us-gov-west-1:123456789012:channel/ZyXwVu987654',
      ]);
      expect(env.PROJECT_NAME).toBe('contract-check');
      expect(env.CORS_ALLOW_ORIGINS).toEqual(['https://admin.example.com']);
      // Terraform's default and the code's default agree, so an unset variable changes nothing.
      expect(env.IDLE_CHANNEL_TTL_SECONDS).toBe(600);
      expect(environmentSchema.shape.IDLE_CHANNEL_TTL_SECONDS.parse(undefined)).toBe(600);
    });

    it('the idle channel TTL: Terraform accepts exactly the values the code accepts', async () => {
      const variables = await readFile(join(moduleDir, 'variables.tf'), 'utf8');
      const block = /variable "idle_channel_ttl_seconds" \{[\s\S]*?\n\}/.exec(variables)?.[0] ?? '';
      expect(block).toContain('var.idle_channel_ttl_seconds >= 0 && var.idle_channel_ttl_seconds <= 86400');
      const code = environmentSchema.shape.IDLE_CHANNEL_TTL_SECONDS;
      expect([0, 600, 86_400].map((v) => code.safeParse(String(v)).success)).toEqual([true, true, true]);
      expect([-1, 86_401, 1.5].map((v) => code.safeParse(String(v)).success)).toEqual([false, false, false]);
    });

    it.each(FUNCTIONS)('%s: the prices Terraform plans are what the code parses', (fn) => {
      const env = readEnvironment(environment(fn));
      // Terraform's jsonencode of `prices` is what the API parses; the monitor gets none.
      expect(env.PRICES).toEqual(fn === 'api' ? { mediaLiveInputPerHour: 0.25, passthroughKbps: 4500 } : undefined);
    });

    it('prices: variables.tf accepts exactly the price names of lambdas/core/costs.ts', async () => {
      const text = await readFile(join(moduleDir, 'variables.tf'), 'utf8');
      const block = text.slice(text.indexOf('variable "prices"'));
      const names = /contains\(\[([^\]]*)\]/
        .exec(block)?.[1]
        ?.match(/"([^"]+)"/g)
        ?.map((n) => n.slice(1, -1));
      expect(names).toEqual([...PRICE_KEYS]);
      expect(block.slice(0, block.indexOf('type'))).toContain(PRICE_KEYS.join(', '));
    });
  });

  describe('input patterns', () => {
    const validArns = [
      'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456',
      'arn:aws-us-gov:ivs:us-gov-west-1:123456789012:channel/x',
      'arn:aws-cn:ivs:cn-north-1:123456789012:channel/Z9',
      'arn:aws:ivs:ap-southeast-12:123456789012:channel/abc',
    ];
    const arnSamples = [
      ...validArns,
      ...validArns.flatMap((arn) => oneEditAway(arn, 'a-:/0Z_. ')),
      'arn:awsfoo:ivs:eu-central-1:123456789012:channel/a',
      'arn:aws:ivs:1:123456789012:channel/a',
      'arn:aws:ivs:eu-central-1:123456789012:stream-key/a',
    ];
    const validNames = ['a', 'acme-live', '0-9', 'a'.repeat(40), 'ivs-restreaming'];
    const nameSamples = [...validNames, ...validNames.flatMap((n) => oneEditAway(n, 'aZ0-_ .')), '', '-a', 'a'.repeat(41)];
    const codeAcceptsName = (s: string): boolean => environmentSchema.shape.PROJECT_NAME.safeParse(s).success;

    it.each(VARIABLES_FILES.ivs_channel_arns)('%s accepts exactly the IVS channel ARNs the code accepts', async (file) => {
      const terraform = variableRegex(await readFile(join(root, file), 'utf8'), 'ivs_channel_arns');
      expect(validArns.every((arn) => IVS_CHANNEL_ARN.test(arn))).toBe(true);
      expect(
        disagreements(
          arnSamples,
          (s) => terraform.test(s),
          (s) => IVS_CHANNEL_ARN.test(s),
        ),
      ).toEqual([]);
    });

    it.each(VARIABLES_FILES.project_name)('%s accepts exactly the project names the code accepts', async (file) => {
      const terraform = variableRegex(await readFile(join(root, file), 'utf8'), 'project_name');
      expect(validNames.every(codeAcceptsName)).toBe(true);
      expect(disagreements(nameSamples, (s) => terraform.test(s), codeAcceptsName)).toEqual([]);
    });

    it("deployment.config.ts's projectName accepts exactly the names the Lambdas accept", () => {
      const configAccepts = (s: string): boolean => deploymentConfigSchema.shape.projectName.safeParse(s).success;
      expect(disagreements(nameSamples, configAccepts, codeAcceptsName)).toEqual([]);
    });
  });

  describe('metrics', () => {
    it('the failure alarm watches the namespace, metric and service dimension the functions emit', () => {
      const alarm = planned('aws_cloudwatch_metric_alarm.destination_failures');
      const metrics = (
        alarm.metric_query as { metric: { namespace: string; metric_name: string; dimensions: Record<string, string> }[] }[]
      ).flatMap((q) => q.metric);
      // Each function emits with its POWERTOOLS_SERVICE_NAME as `service` (lambdas/*/handler.ts).
      const services = FUNCTIONS.map((fn) => environment(fn).POWERTOOLS_SERVICE_NAME);
      expect(
        metrics
          .map((m) => ({ namespace: m.namespace, name: m.metric_name, service: m.dimensions.service }))
          .sort((a, b) => a.service!.localeCompare(b.service!)),
      ).toEqual(
        services
          .map((service) => ({ namespace: METRICS_NAMESPACE, name: DESTINATION_FAILURES_METRIC, service }))
          .sort((a, b) => a.service!.localeCompare(b.service!)),
      );
      for (const fn of FUNCTIONS) {
        expect(environment(fn).POWERTOOLS_SERVICE_NAME).toBe(planned(`aws_lambda_function.this["${fn}"]`).function_name);
        expect(environment(fn).POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
      }
    });
  });

  describe('the API routes', () => {
    let system: System;
    const routeKeys = (): string[] =>
      [...plan.resources.keys()].filter((a) => a.startsWith('aws_apigatewayv2_route.')).map((a) => planned(a).route_key as string);

    beforeAll(async () => {
      system = await startSystem();
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('the handler serves every route Terraform sends it', async () => {
      const unserved: string[] = [];
      for (const key of routeKeys().filter((k) => !k.startsWith('OPTIONS '))) {
        const [method, template] = key.split(' ') as [string, string];
        const response = await system.api(
          method,
          template.replace('{id}', 'no-such-destination'),
          method === 'GET' || method === 'DELETE' ? undefined : {},
        );
        if (['ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED'].includes(response.json?.error?.code))
          unserved.push(`${key}: ${response.statusCode} ${response.json.error.code}`);
      }
      expect(unserved).toEqual([]);
    });

    it('every call of the admin UI has a route', async () => {
      const calls: string[] = [];
      const client = new ApiClient({
        baseUrl: 'https://api.example.com',
        fetch: (async (url: string | URL, init?: RequestInit) => {
          calls.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
          return new Response(JSON.stringify({ destinations: [], channels: [] }), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          });
        }) as typeof fetch,
      });
      await client.listDestinations();
      await client.getDestination('d1');
      await client.createDestination({ platform: 'youtube', name: 'x', streamKey: 'k' } as never);
      await client.updateDestination('d1', {});
      await client.deleteDestination('d1');
      await client.startDestination('d1');
      await client.stopDestination('d1');
      await client.streamStatus();
      await client.listDestinationEvents('d1', { limit: 5, nextToken: 'e1.x' });
      const routes = routeKeys();
      expect(calls.map((c) => c.replace('/d1', '/{id}')).filter((c) => !routes.includes(c))).toEqual([]);
    });

    it('the preflight route Terraform leaves without an authorizer is answered by the function, with CORS for the allowed origin', async () => {
      const preflight = planned('aws_apigatewayv2_route.preflight');
      expect(preflight).toMatchObject({ route_key: 'OPTIONS /{proxy+}', authorization_type: 'NONE' });
      expect(planned('aws_apigatewayv2_api.this').cors_configuration ?? []).toEqual([]);
      for (const path of ['/stream-destinations', '/stream-destinations/abc/start', '/stream-status']) {
        const response = await system.api('OPTIONS', path);
        expect({ path, status: response.statusCode, origin: response.headers?.['Access-Control-Allow-Origin'] }).toEqual({
          path,
          status: 204,
          origin: 'http://localhost:8787',
        });
      }
    });
  });

  describe('tables', () => {
    it('the destinations table has the key and GSI the code queries', () => {
      const table = planned('aws_dynamodb_table.destinations');
      const ts = destinationsTableDefinition('x');
      expect(table.name).toBe(`contract-check${DESTINATIONS_TABLE_SUFFIX}`);
      expect(table.hash_key).toBe(ts.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName);
      expect(table.range_key ?? undefined).toBe(ts.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName);
      expect(new Set((table.attribute as { name: string; type: string }[]).map((a) => `${a.name}:${a.type}`))).toEqual(
        new Set(ts.AttributeDefinitions!.map((a) => `${a.AttributeName}:${a.AttributeType}`)),
      );
      const gsi = (
        table.global_secondary_index as { name: string; hash_key: string; range_key: string | null; projection_type: string }[]
      ).map((g) => ({
        name: g.name,
        hash: g.hash_key,
        range: g.range_key ?? undefined,
        projection: g.projection_type,
      }));
      expect(gsi).toEqual(
        ts.GlobalSecondaryIndexes!.map((g) => ({
          name: g.IndexName,
          hash: g.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName,
          range: g.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName,
          projection: g.Projection!.ProjectionType,
        })),
      );
      expect(gsi.map((g) => g.name)).toEqual([BY_CHANNEL_INDEX]);
    });

    it('the stream state table has the key the code uses', () => {
      const table = planned('aws_dynamodb_table.stream_state');
      const ts = streamStateTableDefinition('x');
      expect(table.name).toBe(`contract-check${STREAM_STATE_TABLE_SUFFIX}`);
      expect(table.hash_key).toBe(ts.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName);
      expect(table.range_key ?? undefined).toBe(ts.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName);
      expect((table.global_secondary_index as unknown[]).length).toBe(ts.GlobalSecondaryIndexes?.length ?? 0);
    });

    it('the history table has the keys the code writes and queries, and expires items on the attribute the code sets', async () => {
      const table = planned('aws_dynamodb_table.destination_events');
      const ts = destinationEventsTableDefinition('x');
      expect(table.name).toBe(`contract-check${DESTINATION_EVENTS_TABLE_SUFFIX}`);
      expect({ hash: table.hash_key, range: table.range_key }).toEqual({
        hash: ts.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName,
        range: ts.KeySchema!.find((k) => k.KeyType === 'RANGE')!.AttributeName,
      });
      expect(new Set((table.attribute as { name: string; type: string }[]).map((a) => `${a.name}:${a.type}`))).toEqual(
        new Set(ts.AttributeDefinitions!.map((a) => `${a.AttributeName}:${a.AttributeType}`)),
      );
      expect(table.ttl).toEqual([{ enabled: true, attribute_name: EVENTS_TTL_ATTRIBUTE }]);
      // What the adapter writes: the TTL attribute is a number (epoch seconds), as DynamoDB's TTL needs.
      const written: Record<string, unknown>[] = [];
      const doc = { send: async (command: { input: { Item: Record<string, unknown> } }) => written.push(command.input.Item) };
      await new DynamoDestinationEventLog(doc as never, 'x', { now: () => new Date() }).record({
        destinationId: 'd1',
        at: '2030-01-01T00:00:00.000Z',
        kind: 'created',
        source: 'api',
        message: 'Created.',
      });
      expect(written[0]?.[EVENTS_TTL_ATTRIBUTE]).toBe(Date.parse('2030-01-31T00:00:00.000Z') / 1000);
      expect(Object.keys(written[0]!)).toEqual(expect.arrayContaining([table.hash_key, table.range_key]));
    });
  });

  describe('EventBridge rules', () => {
    /** A MediaLive event of `detailType` about a channel, shaped like AWS's documented examples. */
    const medialiveEvent = (detailType: string) => ({
      source: 'aws.medialive',
      'detail-type': detailType,
      time: '2030-01-01T12:00:00Z',
      resources: ['arn:aws:medialive:eu-central-1:123456789012:channel:123456'],
      detail: {
        channel_arn: 'arn:aws:medialive:eu-central-1:123456789012:channel:123456',
        state: 'RUNNING',
        alarm_state: 'SET',
        alarm_id: '7ad616bd389832yue90aab1324bffab5b834a',
        alert_type: 'Failed to Create Output File or Socket',
        message: 'unable to open output',
        pipeline: '0',
      },
    });

    it('every MediaLive event the rules send the monitor is one it acts on, and it acts on no other', () => {
      const rules = [...plan.resources.keys()]
        .filter((a) => a.startsWith('aws_cloudwatch_event_rule.') && planned(a).event_pattern)
        .map((a) => JSON.parse(planned(a).event_pattern as string) as { source?: string[]; 'detail-type'?: string[] })
        .filter((p) => p.source?.includes('aws.medialive'));
      const routed = rules.flatMap((p) => p['detail-type'] ?? []).sort();
      expect(routed).toEqual(['MediaLive Channel Alert', 'MediaLive Channel State Change']);
      for (const detailType of routed) expect(scopeOf(medialiveEvent(detailType)).kind).not.toBe('ignore');
      // MediaLive's other events (EventBridge reference) are not routed, and ignored if they came.
      for (const other of ['MediaLive Multiplex State Change', 'MediaLive Multiplex Alert', 'MediaLive Channel Input Change']) {
        expect(scopeOf(medialiveEvent(other)).kind).toBe('ignore');
      }
    });
  });

  describe('MediaLive tags', () => {
    // Only the monitor drives MediaLive; the API's role has no MediaLive action at all.
    it.each(['monitor'] as const)('%s: the IAM conditions allow exactly the tag keys the code puts on inputs and channels', (fn) => {
      const statements = planned(`data.aws_iam_policy_document.lambda_medialive["${fn}"]`).statement as {
        sid: string;
        actions: string[];
        condition: { test: string; variable: string; values: string[] }[];
      }[];
      const tagKeys = Object.keys(resourceTags({ projectName: 'contract-check', destinationId: 'd1', configRevision: 1 } as never)).sort();
      const creating = statements.filter((s) =>
        s.actions.some((a) => ['medialive:CreateChannel', 'medialive:CreateInput', 'medialive:CreateTags'].includes(a)),
      );
      expect(creating.length).toBeGreaterThan(0);
      for (const s of creating) {
        expect({
          sid: s.sid,
          keys: s.condition
            .find((c) => c.variable === 'aws:TagKeys')
            ?.values.slice()
            .sort(),
        }).toEqual({ sid: s.sid, keys: tagKeys });
        expect({ sid: s.sid, project: s.condition.find((c) => c.variable === `aws:RequestTag/${TAG_PROJECT}`)?.values }).toEqual({
          sid: s.sid,
          project: ['contract-check'],
        });
      }
    });
  });
});
