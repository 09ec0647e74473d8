import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * Lets the brand's web apps read answers, errors included: an allowed `Origin` is
 * echoed back. API Gateway answers the preflight; this covers the actual response.
 * Expects lower-cased header names (jsonRoute lower-cases them).
 */
export function corsHeaders(
  allowedOrigins: readonly string[],
): (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => void {
  const allowed = new Set(allowedOrigins);
  return (request) => {
    const origin = request.event.headers?.origin;
    if (!request.response || allowed.size === 0) return;
    request.response.headers = { ...(request.response.headers ?? {}), Vary: 'Origin' };
    if (origin && allowed.has(origin)) request.response.headers['Access-Control-Allow-Origin'] = origin;
  };
}

/** ALLOWED_ORIGINS as the stack sets it: comma separated, empty for none. */
export function parseOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
