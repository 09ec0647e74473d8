import {
  InvalidOtpError,
  OtpExpiredError,
  OtpNotGeneratedError,
  OtpRetriesExceededError,
  ServiceUnavailableError,
} from '../shared/errors';
import type { BrandCache } from './brand-cache';
import { normaliseAgainst, type Identifier, type IdentifierType } from './identifiers';
import { assertBeforeDeadline } from './deadline';
import { digestsEqual } from './digests';
import type { OtpRecord, Session, ValidateOtpStore } from './ports';
import { assertSessionFor, sessionIdentifier, type SessionClaim } from './session-checks';
import { issueUserToken, newRefreshKey, type TokenIssuer } from './tokens';

/**
 * How long a refresh key stays valid. The spec leaves it to us: 30 days is the usual
 * "stay signed in" span, after which the customer passes MFA again.
 */
export const REFRESH_KEY_TTL_MS = 30 * 24 * 60 * 60_000;

/** Decisions taken again after a lost race; each lost race means another request changed the session. */
const MAX_ROUNDS = 3;

export interface ValidateOtpRequest {
  /** Lower case. */
  brand: string;
  identifierType: IdentifierType;
  identifierValue: string;
  deviceId: string;
  sessionId: string;
  /** Digits, exactly as the client sent them. */
  otp: string;
}

export interface ValidateOtpDeps {
  store: ValidateOtpStore;
  brands: BrandCache;
  tokens: TokenIssuer;
  /** Epoch milliseconds: read once a request, and the issued token's `iat`. */
  now: () => number;
  hashOtp: (sessionId: string, otp: string) => string;
  newRefreshKey?: () => { key: string; digest: string };
  /** Told about a compensation that failed; the request's own outcome still stands. */
  onCleanupFailure?: (step: 'discard-refresh-key', error: unknown) => void;
  /** Told of a verdict on an OTP: for metrics, never for control flow. */
  observe?: (event: ValidateOutcomeEvent) => void;
  /** Epoch ms at which the route answers for the request by itself: no wrong try, refresh key or consume starts after it (a compensation still does). */
  deadline?: number;
}

/** A verdict on the OTP of a session the request matched. */
export interface ValidateOutcomeEvent {
  outcome: 'validated' | 'refused';
  brand: string;
  /** How the OTP judged was sent; absent when the session held none. */
  sent?: Pick<OtpRecord, 'channel' | 'country'>;
  /** The refusal's envelope code (wrong, expired, used up, none sent). */
  code?: number;
}

/** The refusals that are a verdict on the OTP itself (wrong, expired, used up, none sent). */
const isOtpRefusal = (error: unknown): error is { code: number } =>
  error instanceof InvalidOtpError ||
  error instanceof OtpExpiredError ||
  error instanceof OtpRetriesExceededError ||
  error instanceof OtpNotGeneratedError;

export interface ValidatedOtp {
  /** The USER token. */
  token: string;
  refreshKey: string;
  identifier: Identifier;
}

/**
 * POST /auth/v1/mfa/otp/validate after the caller checks. One BatchGetItem reads the
 * session and (uncached) brand; then a wrong code is one conditional UpdateItem and a
 * right one a token, a refresh-key write and one conditional UpdateItem that consumes the OTP.
 */
export async function validateOtp(deps: ValidateOtpDeps, request: ValidateOtpRequest): Promise<ValidatedOtp> {
  const now = deps.now();
  const cached = deps.brands.get(request.brand, now);
  const context = await deps.store.readOtpContext({
    sessionId: request.sessionId,
    ...(cached ? {} : { brand: request.brand }),
  });
  const config = deps.brands.settle(cached, context.brandConfig, now);

  const identifier = normaliseAgainst(request.identifierType, request.identifierValue, config, sessionIdentifier(context.session));
  const claim: SessionClaim = { brand: request.brand, identifier, deviceId: request.deviceId };
  const hash = deps.hashOtp(request.sessionId, request.otp);
  // The session as last read: the OTP it holds is the one a verdict is on.
  let session = context.session;
  const observe = (event: Omit<ValidateOutcomeEvent, 'brand' | 'sent'>) => {
    try {
      const otp = session?.otp;
      const sent = otp && { ...(otp.channel ? { channel: otp.channel } : {}), ...(otp.country ? { country: otp.country } : {}) };
      deps.observe?.({ ...event, brand: request.brand, ...(sent ? { sent } : {}) });
    } catch {
      // Observing is never a reason for a request to fail.
    }
  };

  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const otp = usableOtp(assertSessionFor(session, claim, now), now);
      if (!digestsEqual(hash, otp.hash)) {
        assertBeforeDeadline(deps.deadline, deps.now);
        if (await deps.store.recordWrongTry(request.sessionId, otp.hash)) throw new InvalidOtpError();
      } else {
        const issued = await consume(deps, request.sessionId, claim, otp.hash, now);
        if (issued) {
          observe({ outcome: 'validated' });
          return { ...issued, identifier };
        }
      }
      // Another request changed the session since it was read: decide again on what it left.
      session = await deps.store.getSession(request.sessionId);
    }
  } catch (error) {
    if (isOtpRefusal(error)) observe({ outcome: 'refused', code: error.code });
    throw error;
  }
  throw new ServiceUnavailableError();
}

function usableOtp(session: Session, now: number): OtpRecord {
  const otp = session.otp;
  if (!otp) throw new OtpNotGeneratedError();
  // Used up before expiry is looked at: a dead OTP stays dead, even for the right code.
  if (otp.wrongTries >= otp.maxTries) throw new OtpRetriesExceededError();
  if (otp.expiresAt <= now) throw new OtpExpiredError();
  return otp;
}

/**
 * The token and refresh key exist before the OTP is spent, so a failure on the way
 * leaves the OTP for a retry; neither is handed out unless the consuming write wins. Undefined
 * when it lost (the OTP was spent, replaced or used up meanwhile).
 */
async function consume(
  deps: ValidateOtpDeps,
  sessionId: string,
  subject: SessionClaim,
  otpHash: string,
  now: number,
): Promise<{ token: string; refreshKey: string } | undefined> {
  const { token, claims } = await issueUserToken(deps.tokens, subject, now);
  // Signing may have taken the time there was.
  assertBeforeDeadline(deps.deadline, deps.now);
  // The refresh key names its subject exactly as the token does.
  const refresh = (deps.newRefreshKey ?? newRefreshKey)();
  const record = {
    digest: refresh.digest,
    brand: claims.org,
    sub: claims.sub,
    idv: claims.idv,
    dev: claims.dev,
    expiresAt: now + REFRESH_KEY_TTL_MS,
  };

  let consumed = false;
  try {
    // A put that failed with an error (a timeout, say) may still have been applied: its key
    // is discarded with the rest, on condition that the item is this record.
    await deps.store.putRefreshKey(record);
    assertBeforeDeadline(deps.deadline, deps.now);
    consumed = await deps.store.consumeOtp(sessionId, otpHash, now, refresh.digest);
  } finally {
    if (!consumed) {
      await deps.store
        .discardRefreshKey(record)
        .catch((error: unknown) => deps.onCleanupFailure?.('discard-refresh-key', error));
    }
  }
  return consumed ? { token, refreshKey: refresh.key } : undefined;
}
