/** Error names of AWS services saying "too busy" or "broken right now": the client may retry. */
const OUTAGE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Throttled',
  'ThrottledException',
  'KMSInternalException',
  // SNS publishing to a KMS-encrypted topic (the OTP delivery topic) when KMS throttles it.
  'KMSThrottlingException',
  'DependencyTimeoutException',
  'KMSInvalidStateException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
}

/** True when an error means a dependency is unavailable, not that the request is wrong. */
export function isDependencyOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (e.name && OUTAGE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return e.$fault === 'server' || Boolean(e.$retryable);
}
