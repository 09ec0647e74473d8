import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';

/**
 * Error names saying "too busy" or "broken right now" that the SDK's own classification
 * (below) does not cover: a service's internal error without its HTTP status, and KMS
 * failures, some of which reach us through SNS publishing to the KMS-encrypted OTP topic.
 */
const OTHER_OUTAGE_NAMES = new Set([
  'InternalServerError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Throttled',
  'KMSInternalException',
  'KMSThrottlingException',
  'DependencyTimeoutException',
  'KMSInvalidStateException',
]);

type SdkLikeError = Omit<SdkError, 'cause'> & { code?: string; cause?: unknown };

// How many wrappers deep a cause is looked for; a cycle of causes ends here too.
const MAX_CAUSE_DEPTH = 3;

/**
 * True when an error means a dependency is unavailable, not that the request is wrong:
 * what the SDK's retry strategy counts as throttling, transient (timeouts, network errors,
 * 500/502/503/504) or a server error, any server fault, and the names above. An error a
 * library wrapped around the SDK's (Powertools Parameters' GetParameterError around a
 * throttled GetSecretValue) is judged by its cause.
 */
export function isDependencyOutage(error: unknown): boolean {
  return isOutageWithin(error, 0);
}

function isOutageWithin(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (OTHER_OUTAGE_NAMES.has(e.name) || e.$fault === 'server') return true;
  // Without its cause, which the classifiers would follow and fail on if it is not an object;
  // and of its metadata only the status: a client error that came while the SDK corrected
  // its clock (clockSkewCorrected) is still the request's fault.
  const own = { name: e.name, message: e.message ?? '', code: e.code, $metadata: { httpStatusCode: e.$metadata?.httpStatusCode }, $retryable: e.$retryable } as SdkError;
  if (isThrottlingError(own) || isTransientError(own) || isServerError(own)) return true;
  return depth < MAX_CAUSE_DEPTH && isOutageWithin(e.cause, depth + 1);
}
