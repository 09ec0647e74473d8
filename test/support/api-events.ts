import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext } from '../../scripts/local/lambda-context';

export interface EventOptions {
  body?: unknown;
  /** A raw body string, sent as is (for malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The authorizer context; null for none. */
  caller?: { brand: string; scopes?: string[] } | null;
  path?: string;
}

/** An API Gateway proxy event as it reaches a handler behind the authorizer. */
export function apiEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const headers = { 'Content-Type': 'application/json', ...(options.headers ?? {}) };
  const caller = options.caller === undefined ? null : options.caller;
  const path = options.path ?? '/auth/v1/mfa/otp/generate';
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      authorizer: caller
        ? { brand: caller.brand, scopes: (caller.scopes ?? ['customer:write']).join(' '), principalId: 'c_test' }
        : null,
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/test${path}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: path,
    },
  };
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: { status: { success: boolean; code: number; message: string } } & Record<string, unknown>;
}

/** Invokes a middy handler as Lambda would and parses its envelope. */
export async function invoke(handler: unknown, event: APIGatewayProxyEvent): Promise<Answer> {
  const result = await (handler as Handler)(event, lambdaContext('test'));
  return {
    statusCode: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: JSON.parse(result.body),
  };
}

export const uniqueBrand = (prefix = 'b') => `${prefix}-${randomUUID().slice(0, 8)}`;
