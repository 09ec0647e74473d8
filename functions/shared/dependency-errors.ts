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
  cause?: unknown;
}

// How many wrappers deep a cause is looked for; a cycle of causes ends here too.
const MAX_CAUSE_DEPTH = 3;

/**
 * True when an error means a dependency is unavailable, not that the request is wrong.
 * An error a library wrapped around the SDK's (Powertools Parameters' GetParameterError
 * around a throttled GetSecretValue) is judged by its cause.
 */
export function isDependencyOutage(error: unknown): boolean {
  return isOutageWithin(error, 0);
}

function isOutageWithin(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (e.name && OUTAGE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$fault === 'server' || Boolean(e.$retryable)) return true;
  return depth < MAX_CAUSE_DEPTH && isOutageWithin(e.cause, depth + 1);
}
