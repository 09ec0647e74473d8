/**
 * Every failure the API can answer with. Each class carries the HTTP status and the
 * envelope code of docs/api.md; `toApiError` and `errorResponse` in http-response.ts are the one
 * place that turns them into responses.
 */
export abstract class ApiError extends Error {
  abstract readonly httpStatus: number;
  abstract readonly code: number;
  /** Seconds a client should wait before trying again (Retry-After), when it applies. */
  readonly retryAfterSeconds?: number;

  constructor(message: string, retryAfterSeconds?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class InvalidDetailsError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1519;
  constructor(readonly field: string) {
    super(`Invalid details passed: ${field}`);
  }
}

export class InvalidIdentifierTypeError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1546;
  constructor() {
    super('Invalid identifierType passed');
  }
}

export class UnsupportedBrandError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1504;
  constructor() {
    super('Unsupported brand');
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly httpStatus = 415;
  readonly code = 1519;
  constructor() {
    super('Content-Type must be application/json');
  }
}

export class PayloadTooLargeError extends ApiError {
  readonly httpStatus = 413;
  readonly code = 1519;
  constructor() {
    super('Request body too large');
  }
}

/** Why a caller was refused, for the log: the caller is told no more than 401. */
export type CallerRefusal =
  | 'no_credentials'
  | 'malformed_credentials'
  | 'bad_credentials'
  | 'bearer_not_accepted'
  | 'unknown_issuer'
  | 'bad_token'
  | 'expired_token';

export class UnauthorizedError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 401;
  constructor(readonly reason?: CallerRefusal) {
    super('Unauthorized');
  }
}

export class ForbiddenError extends ApiError {
  readonly httpStatus = 403;
  readonly code = 403;
  constructor() {
    super('Forbidden');
  }
}

export class InvalidSessionError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1505;
  constructor() {
    super('Invalid session');
  }
}

export class SessionMobileMismatchError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1507;
  constructor() {
    super('Mobile number does not match');
  }
}

export class SessionIdentifierMismatchError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1541;
  constructor() {
    super('Identifier does not match');
  }
}

export class DeviceMismatchError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1508;
  constructor() {
    super('Device ID does not match');
  }
}

export class BrandMismatchError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1509;
  constructor() {
    super('Brand name does not match');
  }
}

export class AuthorizedTokenError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1504;
  constructor() {
    super('Unable to generate token');
  }
}

export class ExternalIdLoginDisabledError extends ApiError {
  readonly httpStatus = 403;
  readonly code = 3005;
  constructor() {
    super('External ID login must be enabled');
  }
}

export class UserNotFoundError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1515;
  constructor() {
    super('User does not exist');
  }
}

export class NoDestinationError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1540;
  constructor() {
    super('Either mobile or email is required to send OTP');
  }
}

/**
 * The delivery service refused the destination itself: an SMS number that opted out of
 * messages from this account, or one SMS cannot reach. The customer's to fix, not an
 * outage: no retry helps. Code 1540, the spec's "nothing to send the OTP to", so that
 * Capillary clients need no new code.
 */
export class DestinationRefusedError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1540;
  /** `cause`: SNS's refusal (opted out, or not a number it publishes to), which the log names. */
  constructor(options?: ErrorOptions) {
    super('OTP cannot be delivered to this mobile number', undefined, options);
  }
}

export class ChannelNotConfiguredError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1603;
  constructor() {
    super('Channel is not configured properly');
  }
}

export class RateLimitedError extends ApiError {
  readonly httpStatus = 429;
  readonly code = 1534;
  constructor(retryAfterSeconds: number) {
    super('Reached the maximum number of OTPs allowed per customer', retryAfterSeconds);
  }
}

export class OtpNotGeneratedError extends ApiError {
  readonly httpStatus = 400;
  readonly code = 1537;
  constructor() {
    super('OTP is not generated for the provided details');
  }
}

export class InvalidOtpError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1506;
  constructor() {
    super('Invalid OTP');
  }
}

export class OtpExpiredError extends ApiError {
  readonly httpStatus = 401;
  readonly code = 1529;
  constructor() {
    super('Token has expired');
  }
}

export class OtpRetriesExceededError extends ApiError {
  readonly httpStatus = 429;
  readonly code = 1518;
  constructor() {
    super('Reached the maximum allowed OTP retry attempts');
  }
}

/** A brand configuration that breaks a rule; refused when written. */
export class InvalidBrandConfigError extends ApiError {
  readonly httpStatus = 400;
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A dependency (DynamoDB, SNS, KMS, a brand's key server) is unavailable or throttled: the
 * client may retry. The `cause`, when given, is for the log line; the answer never shows it.
 */
export class ServiceUnavailableError extends ApiError {
  readonly httpStatus = 503;
  readonly code = 1503;
  constructor(retryAfterSeconds = 1, options?: ErrorOptions) {
    super('Unable to generate OTP', retryAfterSeconds, options);
  }
}

export class InternalError extends ApiError {
  readonly httpStatus = 500;
  readonly code = 1503;
  constructor() {
    super('Unable to generate OTP');
  }
}
