/**
 * Every example of the published API document, replayed against the local stack: the document is
 * fetched from the running stack's GET /openapi.json, each named request example is sent, and the
 * answer must have the documented status and match the documented response schema (and, for an
 * error, the documented code and fields).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_OPERATIONS } from '../../lambdas/api/openapi';
import { LOCAL_CHANNEL_ARN, type LocalStack } from '../../scripts/local-stack';
import { QUIET_LOG, startStackHarness, type StackHarness } from '../support/local-stack-harness';

interface Exchange {
  operationId: string;
  method: string;
  path: string;
  name: string;
  status: number;
  body: unknown;
  pathId: string | undefined;
  /** Query parameters, from the query parameters' examples of this name. */
  query: Record<string, string>;
  ifMatch: string | undefined;
  replay: { channel?: 'live' | 'offline' } | undefined;
  response: any;
  /** Operation, then the example's place among the operation's request examples. */
  order: [number, number];
}

/** The exchanges a document describes: request and response examples joined by name. */
function exchangesOf(doc: any): Exchange[] {
  const exchanges: Exchange[] = [];
  let operation = 0;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      operation += 1;
      const requests = op.requestBody?.content?.['application/json']?.examples ?? {};
      const names = Object.keys(requests);
      const param = (where: string, name: string) => (op.parameters ?? []).find((p: any) => p.in === where && p.name === name);
      for (const [status, response] of Object.entries<any>(op.responses)) {
        for (const [name, example] of Object.entries<any>(response.content?.['application/json']?.examples ?? {})) {
          exchanges.push({
            operationId: op.operationId,
            method: method.toUpperCase(),
            path,
            name,
            status: Number(status),
            body: requests[name]?.value,
            pathId: (param('path', 'id') ?? param('path', 'channelId'))?.examples?.[name]?.value,
            query: Object.fromEntries(
              (op.parameters ?? [])
                .filter((p: any) => p.in === 'query' && p.examples?.[name] !== undefined)
                .map((p: any) => [p.name, String(p.examples[name].value)]),
            ),
            ifMatch: param('header', 'If-Match')?.examples?.[name]?.value,
            replay: example['x-replay'],
            response: example.value,
            order: [operation, names.indexOf(name)],
          });
        }
      }
    }
  }
  // Creates first (they give the other examples a destination), deletes last; otherwise in the
  // order the document lists the operations and their request examples (an offline start before
  // the one that goes live).
  const rank = (e: Exchange) => (e.operationId === 'createDestination' ? 0 : e.method === 'DELETE' ? 2 : 1);
  return exchanges.sort((a, b) => rank(a) - rank(b) || a.order[0] - b.order[0] || a.order[1] - b.order[1]);
}

describe('the API document examples, replayed against the local stack', () => {
  let harness: StackHarness;
  let stack: LocalStack;
  let doc: any;

  beforeAll(async () => {
    harness = await startStackHarness('api-examples', {
      timescale: 1000,
      graceSeconds: 0,
      reconcileIntervalSeconds: 0.2,
      channelArns: [LOCAL_CHANNEL_ARN],
      log: QUIET_LOG,
    });
    stack = harness.stack;
    const response = await fetch(`${stack.url}/openapi.json`);
    expect(response.status).toBe(200);
    doc = await response.json();
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('answers every documented exchange with its documented status and shape', async () => {
    const exchanges = exchangesOf(doc);
    let destinationId: string | undefined;
    const outcomes: string[] = [];

    for (const exchange of exchanges) {
      if (exchange.replay?.channel === 'live' && !(await stack.simulator.ivs.getStream(LOCAL_CHANNEL_ARN))) {
        stack.simulator.goLive(LOCAL_CHANNEL_ARN);
        await stack.reconcileNow(); // the stream-state table (which POST …/start reads) knows it is live
      }
      if (exchange.replay?.channel === 'offline' && (await stack.simulator.ivs.getStream(LOCAL_CHANNEL_ARN))) {
        stack.simulator.goOffline(LOCAL_CHANNEL_ARN);
        await stack.reconcileNow();
      }
      const id = exchange.pathId ?? destinationId ?? 'none-created-yet';
      const headers: Record<string, string> = {};
      if (exchange.body !== undefined) headers['content-type'] = 'application/json';
      if (exchange.ifMatch !== undefined) headers['if-match'] = exchange.ifMatch;
      const search = new URLSearchParams(exchange.query).toString();
      const path = exchange.path
        .replace('{id}', encodeURIComponent(id))
        .replace('{channelId}', encodeURIComponent(exchange.pathId ?? LOCAL_CHANNEL_ARN.slice(LOCAL_CHANNEL_ARN.lastIndexOf('/') + 1)));
      const response = await fetch(stack.url + path + (search ? `?${search}` : ''), {
        method: exchange.method,
        headers,
        ...(exchange.body === undefined ? {} : { body: JSON.stringify(exchange.body) }),
      });
      const text = await response.text();
      const body = text ? JSON.parse(text) : undefined;
      if (exchange.operationId === 'createDestination' && response.status === 201) destinationId ??= body.id;

      const label = `${exchange.operationId}/${exchange.name}`;
      const problems: string[] = [];
      if (response.status !== exchange.status)
        problems.push(`status ${response.status}, documented ${exchange.status}: ${text.slice(0, 300)}`);
      const schema = API_OPERATIONS.find((op) => op.operationId === exchange.operationId)?.responses[exchange.status]?.schema;
      const parsed = schema?.safeParse(body);
      if (!parsed?.success) problems.push(`answer does not match the documented schema: ${parsed?.error.message ?? 'no schema'}`);
      if (exchange.status >= 400) {
        if (body?.error?.code !== exchange.response.error.code)
          problems.push(`code ${body?.error?.code}, documented ${exchange.response.error.code}`);
        const fields = (b: any) => (b?.error?.details?.fields ?? []).map((f: { field: string }) => f.field);
        if (JSON.stringify(fields(body)) !== JSON.stringify(fields(exchange.response)))
          problems.push(`fields ${fields(body)}, documented ${fields(exchange.response)}`);
      } else if (exchange.body && typeof exchange.body === 'object') {
        for (const [key, value] of Object.entries(exchange.body)) {
          if (key in exchange.response && key !== 'streamKey' && body?.[key] !== value)
            problems.push(`${key} is ${body?.[key]}, sent ${String(value)}`);
        }
      }
      outcomes.push(`${label}: ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
    }

    expect(outcomes).toEqual(exchanges.map((e) => `${e.operationId}/${e.name}: ok`));
    // Every operation with an answer body has at least one example, so nothing is documented untried.
    const documented = API_OPERATIONS.reduce((n, op) => n + Object.keys(op.examples).length, 0);
    expect(exchanges).toHaveLength(documented);
    expect(documented).toBeGreaterThanOrEqual(15);
  }, 60_000);
});
