import type middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidDetailsError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';
import { errorResponse, toApiError } from './http-response';
import { logContext, logger } from './logger';
import { config } from './config';
import { cors, parseOrigins } from './cors';

const allowedOrigins = parseOrigins(config.ALLOWED_ORIGINS);

/** An API Gateway event whose body has been checked and parsed into a JSON object. */
export type JsonEvent = APIGatewayProxyEvent & { jsonBody: Record<string, unknown> };

export const MAX_BODY_BYTES = 16 * 1024;

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Content type, size and JSON shape, in that order, before the handler runs.
 * Expects lower-cased header names (@middy/http-header-normalizer).
 */
export function jsonBody(maxBytes = MAX_BODY_BYTES): middy.MiddlewareObj<JsonEvent, APIGatewayProxyResult> {
  return {
    before: (request) => {
      const event = request.event;
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
      event.jsonBody = parsed as Record<string, unknown>;
    },
  };
}

/** Turns whatever the handler threw into the spec's envelope; a 5xx says nothing more. */
export function errorEnvelope(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      const apiError = toApiError(request.error);
      if (apiError.httpStatus >= 500) {
        logger.error('Request failed', { code: apiError.code, error: request.error as Error });
      } else {
        logger.info('Request refused', { code: apiError.code, httpStatus: apiError.httpStatus });
      }
      request.response = errorResponse(apiError);
    },
  };
}

/**
 * The middleware every JSON route runs, in order: log context with the API Gateway
 * request ID, lower-cased headers, CORS, the error envelope, then the body checks.
 */
export function jsonRoute() {
  return [
    logContext(),
    httpHeaderNormalizer(),
    cors(allowedOrigins),
    errorEnvelope(),
    jsonBody(),
  ];
}
