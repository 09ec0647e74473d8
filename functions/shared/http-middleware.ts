import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { brandKey } from '../domain/brand-config';
import { callerOf, requireBrand, requireScope } from './caller';
import { InvalidDetailsError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError } from './errors';
import { errorResponse, toApiError } from './http-response';
import { logContext, logger } from './logger';
import { config } from './config';
import { corsHeaders, parseOrigins } from './cors';
import { MAX_BODY_BYTES } from './service-defaults';

const allowedOrigins = parseOrigins(config.ALLOWED_ORIGINS);

/** An API Gateway event whose body has been checked and parsed into a JSON object. */
export type JsonEvent = APIGatewayProxyEvent & { jsonBody: Record<string, unknown> };

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** The same map with its names in lower case, the last of two spellings winning (as @middy/http-header-normalizer does). */
function lowerCaseNames<T>(headers: Record<string, T>): Record<string, T> {
  const lowered: Record<string, T> = {};
  for (const name of Object.keys(headers)) lowered[name.toLowerCase()] = headers[name] as T;
  return lowered;
}

/** Content type, size and JSON shape, in that order. Expects lower-cased header names. */
function parseJsonBody(event: APIGatewayProxyEvent, maxBytes: number): Record<string, unknown> {
  const contentType = event.headers?.['content-type'];
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType.trim())) throw new UnsupportedMediaTypeError();
  const raw = event.body ?? '';
  const size = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
  if (size > maxBytes) throw new PayloadTooLargeError();
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidDetailsError('body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidDetailsError('body');
  return parsed as Record<string, unknown>;
}

/** Whatever the handler threw, as the spec's envelope; a 5xx says nothing more. */
function errorEnvelope(error: unknown): APIGatewayProxyResult {
  const apiError = toApiError(error);
  if (apiError.httpStatus >= 500) {
    logger.error('Request failed', { code: apiError.code, httpStatus: apiError.httpStatus, error: error as Error });
  } else {
    // What the client was told (the field a 1519 names), and the dependency's refusal behind it.
    const cause = apiError.cause instanceof Error ? { cause: apiError.cause.name } : {};
    const reason = apiError instanceof UnauthorizedError && apiError.reason ? { reason: apiError.reason } : {};
    logger.info('Request refused', { code: apiError.code, httpStatus: apiError.httpStatus, detail: apiError.message, ...cause, ...reason });
  }
  return errorResponse(apiError);
}

/**
 * The middleware every JSON route runs: the log context with the API Gateway request ID;
 * then, before the handler, lower-cased header names, the caller's scope (customer:write), the body checks
 * and the brand the body names; the error envelope, and CORS on every answer. They share
 * one middleware object because middy awaits every hook in turn, and each further hook
 * costs every request. The checks run in the spec's order: a caller without the right to
 * act for the brand is refused (403) whatever its body; a body with no usable brand is
 * left to the route's schema (400/1519).
 */
export function jsonRoute(options: { allowedOrigins?: readonly string[] } = {}) {
  const addCorsHeaders = corsHeaders(options.allowedOrigins ?? allowedOrigins);
  const http: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
    before: ({ event }) => {
      // First: CORS on a refusal of the caller reads the Origin header by its lower-case name.
      if (event.headers) event.headers = lowerCaseNames(event.headers);
      if (event.multiValueHeaders) event.multiValueHeaders = lowerCaseNames(event.multiValueHeaders);
      const caller = callerOf(event);
      requireScope(caller);
      const body = parseJsonBody(event, MAX_BODY_BYTES);
      const brand = typeof body.brand === 'string' ? brandKey(body.brand) : '';
      if (brand !== '') requireBrand(caller, brand);
      (event as JsonEvent).jsonBody = body;
    },
    after: addCorsHeaders,
    onError: (request) => {
      request.response = errorEnvelope(request.error);
      addCorsHeaders(request);
    },
  };
  return [logContext(), http];
}
