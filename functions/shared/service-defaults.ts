/**
 * Values the stack (lib/) gives the functions, which the functions also fall back to
 * where nothing sets them (the local stack, tests): one source for both. This module
 * imports nothing and runs nothing, so the CDK app can load it.
 */

export const SERVICE_NAME = 'mfa-otp';
export const METRICS_NAMESPACE = 'MfaOtp';

/** The shortest OTP pepper the functions accept, read from Secrets Manager or OTP_PEPPER; the stack generates 64 characters. */
export const MIN_PEPPER_LENGTH = 16;

/** The AWS SDK clients' limits (functions/shared/aws-clients.ts). */
export const SDK_DEFAULTS = { connectTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 3 } as const;

/** The largest request body a route reads; WAF refuses a larger one before it reaches a function. */
export const MAX_BODY_BYTES = 16 * 1024;
