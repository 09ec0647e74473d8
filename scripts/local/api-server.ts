import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { ForbiddenError, InternalError, PayloadTooLargeError, ServiceUnavailableError, UnauthorizedError } from '../../functions/shared/errors';
import { errorResponse, failureEnvelope, jsonResponse } from '../../functions/shared/http-response';
import { lambdaContext } from './lambda-context';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  functionName: string;
  handler: ProxyHandler;
  /** Runs the authorizer first, as API Gateway does for this route. */
  authorized: boolean;
}

export interface ApiServerOptions {
  routes: Route[];
  authorizer: AuthorizerHandler;
  authorizerCacheSeconds: number;
  stage?: string;
  /** ALLOWED_ORIGINS: as on the deployed stage, a preflight on every route's path, and one origin named on the gateway's own refusals. */
  allowedOrigins?: readonly string[];
}

/** API Gateway refuses payloads over 10 MB; the handlers refuse far less. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** An envelope API Gateway writes with no handler's error behind it (404, 400, 431), with the handlers' headers. */
const envelope = (statusCode: number, code: number, message: string): APIGatewayProxyResult =>
  jsonResponse(statusCode, failureEnvelope(code, message));

/**
 * What the stage's preflight answers (defaultCorsPreflightOptions in lib/mfa-otp-stack.ts):
 * the request's origin when it is allowed, else the first allowed one, as CDK's mapping template does.
 */
function preflight(allowedOrigins: readonly string[], origin: string | undefined): APIGatewayProxyResult {
  return {
    statusCode: 204,
    headers: {
      'Access-Control-Allow-Headers': 'Authorization,Content-Type',
      'Access-Control-Allow-Origin': origin && allowedOrigins.includes(origin) ? origin : (allowedOrigins[0] as string),
      'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
      'Access-Control-Max-Age': '3600',
      Vary: 'Origin',
    },
    body: '',
  };
}

/**
 * A local API Gateway: each HTTP request becomes the proxy event that API Gateway
 * would send, for the very handler Lambda runs, behind the same authorizer and the
 * same per-Authorization-header result cache.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const stage = options.stage ?? 'local';
  const allowedOrigins = options.allowedOrigins ?? [];
  // The stack can name a single origin on the gateway's own responses; a list it cannot.
  const gatewayHeaders: Record<string, string> = allowedOrigins.length === 1 ? { 'Access-Control-Allow-Origin': allowedOrigins[0] as string } : {};
  const fromGateway = (result: APIGatewayProxyResult): APIGatewayProxyResult => ({ ...result, headers: { ...result.headers, ...gatewayHeaders } });
  const authorizerCache = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();

  async function authorize(route: Route, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult | Record<string, unknown>> {
    const authorization = Object.entries(event.headers).find(([key]) => key.toLowerCase() === 'authorization')?.[1];
    // API Gateway answers 401 itself, without calling the authorizer, when the identity source is missing.
    if (!authorization) return errorResponse(new UnauthorizedError());
    const cached = authorizerCache.get(authorization);
    let result = cached && cached.until > Date.now() ? cached.result : undefined;
    if (!result) {
      const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:local/${stage}/${route.method}${route.path}`,
        resource: route.path,
        path: route.path,
        httpMethod: route.method,
        headers: event.headers as Record<string, string>,
        multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
        pathParameters: null,
        queryStringParameters: event.queryStringParameters as Record<string, string> | null,
        multiValueQueryStringParameters: event.multiValueQueryStringParameters as Record<string, string[]> | null,
        stageVariables: null,
        requestContext: { ...event.requestContext, authorizer: undefined },
      };
      try {
        result = await options.authorizer(authorizerEvent, lambdaContext('authorizer'));
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') return errorResponse(new UnauthorizedError());
        // API Gateway's AUTHORIZER_CONFIGURATION_ERROR response, which the stack maps to a retryable 503 (lib/envelopes.ts).
        return errorResponse(new ServiceUnavailableError());
      }
      if (options.authorizerCacheSeconds > 0) {
        authorizerCache.set(authorization, { result, until: Date.now() + options.authorizerCacheSeconds * 1000 });
      }
    }
    const allowed = result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
    if (!allowed) return errorResponse(new ForbiddenError());
    // As API Gateway hands a Lambda authorizer's context to the routes: every value a string.
    const context = Object.entries({ ...(result.context ?? {}), principalId: result.principalId });
    return Object.fromEntries(context.map(([key, value]) => [key, String(value)]));
  }

  async function dispatch(request: IncomingMessage, body: Buffer): Promise<APIGatewayProxyResult> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/health') return { statusCode: 200, body: JSON.stringify({ status: 'ok' }) };
    // As the deployed API answers (lib/envelopes.ts): API Gateway has no route for another method either.
    if (request.method === 'OPTIONS' && allowedOrigins.length > 0 && options.routes.some((r) => r.path === url.pathname)) {
      return preflight(allowedOrigins, request.headers.origin);
    }
    const route = options.routes.find((r) => r.path === url.pathname && r.method === request.method);
    if (!route) return fromGateway(envelope(404, 404, 'Not Found'));
    if (body.length > MAX_PAYLOAD_BYTES) return fromGateway(errorResponse(new PayloadTooLargeError()));

    const event = toProxyEvent(request, url, body, route, stage);
    if (route.authorized) {
      const outcome = await authorize(route, event);
      if ('statusCode' in outcome && typeof outcome.statusCode === 'number') return fromGateway(outcome as APIGatewayProxyResult);
      event.requestContext.authorizer = outcome;
    }
    return route.handler(event, lambdaContext(route.functionName));
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES + 1) chunks.push(chunk);
    });
    request.on('end', () => {
      dispatch(request, Buffer.concat(chunks))
        .catch(() => errorResponse(new InternalError()))
        .then((result) => send(response, result));
    });
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Requests node's HTTP parser refuses (headers over 16 KiB, malformed request lines)
 * never reach a route; they still get the envelope instead of node's bare reply.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const statusCode = tooLarge ? 431 : 400;
  const { body } = envelope(statusCode, statusCode, tooLarge ? 'Request header fields too large' : 'Bad request');
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function toProxyEvent(request: IncomingMessage, url: URL, body: Buffer, route: Route, stage: string): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const hasQuery = url.searchParams.size > 0;
  const requestId = randomUUID();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: route.method,
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: request.headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${stage}${url.pathname}`,
      stage,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.path,
    },
  };
}

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  response.writeHead(result.statusCode, { 'Content-Length': body.length, ...headers });
  response.end(body);
}
