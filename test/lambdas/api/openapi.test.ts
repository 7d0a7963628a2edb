/**
 * The published API document: valid OpenAPI 3.1 by Redocly's linter (recommended rules, no
 * problem of any severity), generated from the validating schemas, served by the handler without
 * authentication, and in step with the route table.
 */
import { describe, expect, it } from '@jest/globals';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { API_OPERATIONS, apiDocument } from '../../../lambdas/api/openapi';
import { createApiHandler } from '../../../lambdas/api/http';
import type { DestinationService } from '../../../lambdas/core/destination';
import { createSchema, parseCreateDestination, parseUpdateDestination } from '../../../lambdas/core/validation';
import { httpApiEvent } from '../../support/api-gateway-events';

const unused = (): never => {
  throw new Error('the document route must not call the service');
};
const service: DestinationService = {
  list: unused,
  get: unused,
  create: unused,
  update: unused,
  remove: unused,
  start: unused,
  stop: unused,
  streamStatus: unused,
  events: unused,
  endGrace: unused,
  channel: unused,
  streamKey: unused,
};
const costs = { report: unused };
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Redocly's recommended rules, but for one: the 400 examples send invalid bodies on purpose, which
 * `no-invalid-media-type-examples` reports. The tests below check every request example against
 * the real validation instead (and every response example against its schema).
 */
const lintConfig = () => createConfig({ extends: ['recommended'], rules: { 'no-invalid-media-type-examples': 'off' } });

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended rules without a single problem", async () => {
    const config = await lintConfig();

    const problems = await lintFromString({ source: JSON.stringify(apiDocument()), absoluteRef: 'openapi.json', config });

    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`)).toEqual([]);
  });

  it('fails the linter when the document is broken, so the check above can fail', async () => {
    const config = await lintConfig();
    const broken = structuredClone(apiDocument()) as unknown as { info?: unknown };
    delete broken.info;

    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: 'openapi.json', config });

    expect(problems.filter((p) => p.severity === 'error').length).toBeGreaterThan(0);
  });

  it('is OpenAPI 3.1 with the request body schemas generated from the validating zod schemas', () => {
    const doc = apiDocument() as any;

    expect(doc.openapi).toBe('3.1.0');
    const create = doc.components.schemas.CreateDestinationRequest;
    expect(create.required).toEqual(['platform', 'name', 'streamKey']);
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(create.properties)).toEqual(Object.keys(createSchema.shape));
    expect(create.properties.name.maxLength).toBe(100);
    expect(doc.components.schemas.StartRequest).toEqual(expect.objectContaining({ additionalProperties: false }));
  });

  it('documents exactly the routes the handler serves', async () => {
    const handler = createApiHandler({ service, costs, corsAllowOrigins: [], log });
    const documented = Object.entries((apiDocument() as any).paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(documented.sort()).toEqual(API_OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort());
    // Every documented route exists (no 404/405); an undocumented method on it is a 405.
    for (const op of API_OPERATIONS) {
      const result = await handler(httpApiEvent({ method: 'PATCH', path: op.path.replace('{id}', 'd-1') }));
      expect(result.statusCode).toBe(405);
      expect(result.headers['Allow']).toContain(op.method.toUpperCase());
    }
  });

  it('has request examples the validation accepts or refuses as their documented status says', () => {
    for (const op of API_OPERATIONS) {
      for (const [name, example] of Object.entries(op.examples)) {
        if (example.request === undefined || example.status === 412) continue;
        const parse =
          op.operationId === 'createDestination'
            ? parseCreateDestination
            : op.operationId === 'updateDestination'
              ? parseUpdateDestination
              : null;
        if (!parse) continue;
        const accepted = (() => {
          try {
            parse(example.request);
            return true;
          } catch {
            return false;
          }
        })();
        expect([`${op.operationId}/${name}`, accepted]).toEqual([`${op.operationId}/${name}`, example.status < 400]);
      }
    }
  });

  it('has response examples that match their response schemas', () => {
    for (const op of API_OPERATIONS) {
      for (const [name, example] of Object.entries(op.examples)) {
        const schema = op.responses[example.status]?.schema;
        expect([`${op.operationId}/${name}`, schema !== undefined]).toEqual([`${op.operationId}/${name}`, true]);
        const result = schema?.safeParse(example.response);
        expect([`${op.operationId}/${name}`, result?.success ? 'ok' : result?.error.message]).toEqual([`${op.operationId}/${name}`, 'ok']);
      }
    }
  });

  it('is served at GET /openapi.json without a token, even when the admin check is on', async () => {
    const handler = createApiHandler({ service, costs, corsAllowOrigins: [], log, admin: { group: 'admins' } });

    const result = await handler(httpApiEvent({ method: 'GET', path: '/openapi.json' }));
    const other = await handler(httpApiEvent({ method: 'GET', path: '/stream-status' }));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual(JSON.parse(JSON.stringify(apiDocument())));
    expect(other.statusCode).toBe(403);
  });
});
