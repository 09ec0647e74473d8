import type { APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, InternalError, ServiceUnavailableError } from './errors';
import { isDependencyOutage } from './dependency-errors';

interface Envelope {
  status: { success: boolean; code: number; message: string };
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

export function jsonResponse(statusCode: number, body: object, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function successResponse(extra: object = {}): APIGatewayProxyResult {
  return jsonResponse(200, { status: { success: true, code: 200, message: 'SUCCESS' }, ...extra });
}

/** What an error becomes: a known ApiError as itself, an outage as 503, anything else as a bare 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isDependencyOutage(error)) return new ServiceUnavailableError();
  return new InternalError();
}

/** The envelope of a refusal or failure, whoever writes it: a handler, API Gateway (lib/envelopes.ts) or the local API. */
export function failureEnvelope(code: number, message: string): Envelope {
  return { status: { success: false, code, message } };
}

/** An error's envelope: also what API Gateway writes for the same refusals (lib/envelopes.ts). */
export function envelopeOf(error: ApiError): Envelope {
  return failureEnvelope(error.code, error.message);
}

/** The one place where errors become responses. */
export function errorResponse(error: ApiError): APIGatewayProxyResult {
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
  return jsonResponse(error.httpStatus, envelopeOf(error), headers);
}
