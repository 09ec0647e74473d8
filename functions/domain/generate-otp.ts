import { InvalidSessionError, RateLimitedError } from '../shared/errors';
import { isPhoneChannel, rateLimitOf, type BrandConfig, type Channel, type FallbackChannel } from './brand-config';
import type { BrandCache } from './brand-cache';
import { renderMessage, resolveDelivery } from './delivery';
import { isE164, normaliseAgainst, normaliseIdentifier, numberCountry, type Identifier, type IdentifierType } from './identifiers';
import type { OtpContextRequest, OtpRecord, OtpSender, OtpStore } from './ports';
import { assertBeforeDeadline } from './deadline';
import { counterKey, takeAllowance } from './rate-limiter';
import { assertSessionFor, sessionIdentifier } from './session-checks';

export interface GenerateOtpRequest {
  /** Lower case. */
  brand: string;
  identifierType: IdentifierType;
  identifierValue: string;
  deviceId: string;
  sessionId: string;
  fallbackChannel?: FallbackChannel;
}

/** What became of a request that got as far as a destination: for metrics, never for control flow. */
export type GenerateOutcome = 'generated' | 'rate-limited' | 'delivery-failed';

export interface GenerateOutcomeEvent {
  outcome: GenerateOutcome;
  brand: string;
  channel: Channel;
  /** A phone destination's country. */
  country?: string;
}

export interface GenerateOtpDeps {
  store: OtpStore;
  sender: OtpSender;
  brands: BrandCache;
  now: () => number;
  newOtp: (length: number) => string;
  /** A new ID, unique to one request, for its take from the allowance. */
  newTakeId: () => string;
  hashOtp: (sessionId: string, otp: string) => string;
  /** Told about a compensation that failed; the request's own error still wins. */
  onCleanupFailure?: (step: 'discard-otp' | 'refund', error: unknown) => void;
  /** Told how a request ended once its destination was known. */
  observe?: (event: GenerateOutcomeEvent) => void;
  /** Epoch ms at which the route answers for the request by itself: no count, send or OTP write starts after it (a compensation still does). */
  deadline?: number;
}

export interface GenerateOtpResult {
  channel: Channel;
  to: string;
}

const isCustomerLookup = (type: IdentifierType) => type === 'USERNAME' || type === 'EXTERNALID';

/**
 * Steps 3-7 of POST /auth/v1/mfa/otp/generate, in three sequential calls when no other
 * request changes the counter meanwhile: one BatchGetItem (session, brand or counter,
 * customer), the conditional counter write (two side by side when the counter could not
 * be read with the session), then the OTP write and the publish side by side.
 */
export async function generateOtp(deps: GenerateOtpDeps, request: GenerateOtpRequest): Promise<GenerateOtpResult> {
  const now = deps.now();
  const cached = deps.brands.get(request.brand, now);
  const { read, direct } = contextRequestFor(request, cached);
  const context = await deps.store.readOtpContext(read);

  const config = deps.brands.settle(cached, context.brandConfig, now);

  const identifier =
    direct ?? normaliseAgainst(request.identifierType, request.identifierValue, config, sessionIdentifier(context.session));
  assertSessionFor(context.session, { brand: request.brand, identifier, deviceId: request.deviceId }, now);
  const delivery = resolveDelivery(identifier, config, context.customer, request.fallbackChannel, (channel) =>
    deps.sender.supports(channel),
  );

  // A number parsed already (the request's own, or a customer's checked against the brand's
  // countries) is not parsed again; another customer's is parsed here.
  const country = isPhoneChannel(delivery.channel) ? numberCountry(delivery.to, delivery.country) : undefined;
  const observe = (outcome: GenerateOutcome) => {
    try {
      deps.observe?.({ outcome, brand: request.brand, channel: delivery.channel, ...(country ? { country } : {}) });
    } catch {
      // Observing is never a reason for a request to fail.
    }
  };

  const limit = rateLimitOf(config);
  const key = counterKey(request.brand, delivery.to);
  const takeId = deps.newTakeId();
  const giveBack = () => deps.store.refund(key, takeId).catch((error) => deps.onCleanupFailure?.('refund', error));
  const inTime = () => assertBeforeDeadline(deps.deadline, deps.now);
  inTime();
  if (limit) {
    const observed = read.counterKey === key ? (context.counter ?? null) : undefined;
    const allowance = await takeAllowance(deps.store, key, limit, now, takeId, observed, inTime).catch(async (error: unknown) => {
      // A counter write that failed with an error (a timeout, say) may still have been
      // applied; the refund is conditional on this request's take, so it is exact either way,
      // unless the write lands only after the refund (an attempt still in flight past the
      // SDK's request timeout): then the take stays until the window ends.
      await giveBack();
      throw error;
    });
    if (!allowance.allowed) {
      observe('rate-limited');
      throw new RateLimitedError(allowance.retryAfterSeconds);
    }
  }

  try {
    inTime();
  } catch (error) {
    if (limit) await giveBack();
    throw error;
  }
  const otp = deps.newOtp(config.otpLength);
  const hash = deps.hashOtp(request.sessionId, otp);
  const record: OtpRecord = {
    hash,
    expiresAt: now + config.otpValidityMinutes * 60_000,
    wrongTries: 0,
    maxTries: config.mfaMaxOtpRetryCount,
    channel: delivery.channel,
    ...(country ? { country } : {}),
  };
  const [saved, sent] = await Promise.allSettled([
    deps.store.saveOtp(request.sessionId, record, now),
    deps.sender.send({
      channel: delivery.channel,
      to: delivery.to,
      brand: request.brand,
      sessionId: request.sessionId,
      otp,
      text: renderMessage(config, delivery.channel, otp),
      ...(config.smsSenderId ? { smsSenderId: config.smsSenderId } : {}),
      ...(config.smsOriginationNumber ? { smsOriginationNumber: config.smsOriginationNumber } : {}),
    }),
  ]);
  // A message that went out is counted whatever became of its OTP: what SMS spend and
  // pumping vary with is what was sent.
  observe(sent.status === 'fulfilled' ? 'generated' : 'delivery-failed');
  if (saved.status === 'fulfilled' && saved.value && sent.status === 'fulfilled') return { channel: delivery.channel, to: delivery.to };

  // Either half failed: no OTP may stay usable that was not delivered. A write that
  // failed with an error (a timeout, say) may still have been applied, so its hash is
  // removed too; the removal is conditional on the hash, so it never touches a newer OTP.
  // The earlier OTP it replaced is gone with it: putting that back safely would need to
  // know it was delivered, and two failed resends at once could otherwise revive each other's.
  const mayBeStored = saved.status === 'rejected' || saved.value;
  // Whether no one can have guessed at the OTP: it was live from its write until this
  // removal, and one found gone may have been tried or consumed first.
  const unguessed = mayBeStored
    ? (await deps.store.discardOtp(request.sessionId, hash).catch((error: unknown) => deps.onCleanupFailure?.('discard-otp', error))) ===
      'untried'
    : true;
  // The customer keeps the allowance only when nothing was sent, or a failing OTP write
  // would let every request send one more SMS for free; and only for an unguessed OTP, or a
  // send that always fails (an opted-out number) would give unlimited guesses.
  if (limit && sent.status === 'rejected' && unguessed) await giveBack();
  if (sent.status === 'rejected') throw sent.reason;
  if (saved.status === 'rejected') throw saved.reason;
  throw new InvalidSessionError();
}

/** What the first round trip reads, given what is already known about the brand. */
function contextRequestFor(
  request: GenerateOtpRequest,
  cached: BrandConfig | undefined,
): { read: OtpContextRequest; direct?: Identifier } {
  const read: OtpContextRequest = { sessionId: request.sessionId };
  if (!cached) read.brand = request.brand;
  if (isCustomerLookup(request.identifierType)) {
    read.customer = {
      brand: request.brand,
      identifier: normaliseIdentifier(request.identifierType, request.identifierValue),
    };
    return { read };
  }
  // A number in E.164 is presumed to be its own normal form until the session confirms it
  // (normaliseAgainst); a wrong guess only means the counter read here goes unused.
  const presumed = request.identifierType === 'MOBILE' && isE164(request.identifierValue);
  if (!cached) {
    // Without the brand's configuration only such a number has a known counter key; it is
    // read whether or not the brand turns out to have a limit.
    if (presumed) read.counterKey = counterKey(request.brand, request.identifierValue.trim());
    return { read };
  }
  const direct = presumed ? undefined : normaliseIdentifier(request.identifierType, request.identifierValue, cached);
  if (rateLimitOf(cached)) read.counterKey = counterKey(request.brand, direct?.value ?? request.identifierValue.trim());
  return direct ? { read, direct } : { read };
}
