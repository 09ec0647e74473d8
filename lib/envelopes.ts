import * as apigw from 'aws-cdk-lib/aws-apigateway';
import {
  ForbiddenError,
  InternalError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  type ApiError,
} from '../functions/shared/errors';
import { envelopeOf, failureEnvelope } from '../functions/shared/http-response';

/**
 * Responses that API Gateway and WAF write themselves, before any handler runs, in the
 * envelope of docs/api.md so that a client parses every answer the same way.
 */
export function envelope(code: number, message: string): string {
  return JSON.stringify(failureEnvelope(code, message));
}

export interface GatewayEnvelope {
  readonly id: string;
  readonly type: apigw.ResponseType;
  /** Omitted: the status API Gateway chose stays. */
  readonly statusCode?: string;
  /** A VTL template: literal JSON, or JSON with a `$context` variable. */
  readonly template: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** On every answer API Gateway or WAF writes, as on the handlers' own (functions/shared/http-response.ts): no cache keeps one. */
export const ENVELOPE_HEADERS: Readonly<Record<string, string>> = { 'Cache-Control': 'no-store' };

/** The handler's own answer to the same refusal: its status, its words, its Retry-After. */
function answeredAs(error: ApiError): Pick<GatewayEnvelope, 'statusCode' | 'template' | 'headers'> {
  return {
    statusCode: String(error.httpStatus),
    template: JSON.stringify(envelopeOf(error)),
    ...(error.retryAfterSeconds === undefined ? {} : { headers: { 'Retry-After': `'${error.retryAfterSeconds}'` } }),
  };
}

const AUTHORIZER_DOWN = answeredAs(new ServiceUnavailableError());

export const GATEWAY_ENVELOPES: readonly GatewayEnvelope[] = [
  { id: 'Unauthorized', type: apigw.ResponseType.UNAUTHORIZED, ...answeredAs(new UnauthorizedError()) },
  { id: 'AccessDenied', type: apigw.ResponseType.ACCESS_DENIED, ...answeredAs(new ForbiddenError()) },
  { id: 'WafFiltered', type: apigw.ResponseType.WAF_FILTERED, ...answeredAs(new ForbiddenError()) },
  // API Gateway answers an unknown path or method with this type (403 by default).
  { id: 'NotFound', type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '404', template: envelope(404, 'Not Found') },
  {
    id: 'Throttled',
    type: apigw.ResponseType.THROTTLED,
    statusCode: '429',
    template: envelope(429, 'Too Many Requests'),
    headers: { 'Retry-After': "'1'" },
  },
  // The authorizer threw something other than 'Unauthorized' (its table throttled, an
  // issuer's JWKS unreachable) or could not be invoked: the client's to retry.
  { id: 'AuthorizerConfigurationError', type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, ...AUTHORIZER_DOWN },
  { id: 'AuthorizerFailure', type: apigw.ResponseType.AUTHORIZER_FAILURE, ...AUTHORIZER_DOWN },
  { id: 'RequestTooLarge', type: apigw.ResponseType.REQUEST_TOO_LARGE, ...answeredAs(new PayloadTooLargeError()) },
  {
    id: 'Default4xx',
    type: apigw.ResponseType.DEFAULT_4XX,
    // messageString is API Gateway's own message, already a quoted JSON string.
    template: '{"status":{"success":false,"code":400,"message":$context.error.messageString}}',
  },
  // No detail leaks from a 5xx: the same words as the handlers' own 500.
  { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, template: answeredAs(new InternalError()).template },
];

/**
 * WAF blocks an IP while its requests over the last 5 minutes exceed the limit, and
 * looks again every few seconds: a client retrying at once only keeps itself blocked.
 */
export const WAF_RATE_RETRY_AFTER_SECONDS = 60;

/** Bodies that WAF sends with its own blocks, by key. */
export const WAF_RESPONSE_BODIES = {
  'request-too-large': answeredAs(new PayloadTooLargeError()).template,
  'too-many-requests': envelope(429, 'Too Many Requests'),
} as const;

export type WafResponseBodyKey = keyof typeof WAF_RESPONSE_BODIES;
