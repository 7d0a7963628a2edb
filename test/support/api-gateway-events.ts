/**
 * API Gateway proxy events as AWS sends them to a Lambda, for tests of the API handler:
 * HTTP API payload 2.0 (`httpApiEvent`) and REST API payload 1.0 (`restApiEvent`).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

export interface EventOptions {
  method: string;
  /** The path as the client requested it, including any stage prefix. */
  path: string;
  /** Raw body text; base64 text when `isBase64Encoded`. */
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
  requestId?: string;
}

/** HTTP API, payload format 2.0: header names lower-case, `rawPath`, `requestContext.http`. */
export function httpApiEvent(options: EventOptions): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: '',
    headers,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'jest',
      },
      requestId: options.requestId ?? 'Xy1AbCdEfGhIjK=',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1893456000000,
    },
  };
  if (options.body !== undefined) event.body = options.body;
  return event;
}

/** REST API, payload format 1.0: headers as sent (any case) plus `multiValueHeaders`. */
export function restApiEvent(options: EventOptions): APIGatewayProxyEvent {
  const headers = { ...(options.headers ?? {}) };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  return {
    resource: '/{proxy+}',
    path: options.path,
    httpMethod: options.method,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: options.path.replace(/^\//, '') },
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'f6g7h8i9j0',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/prod${options.path}`,
      stage: 'prod',
      requestId: options.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1893456000000,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
    },
  };
}
