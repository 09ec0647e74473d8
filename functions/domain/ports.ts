import type { BrandConfig, Channel } from './brand-config';
import type { Identifier, IdentifierType } from './identifiers';

/** The OTP currently issued for a session; only its keyed hash is ever stored. */
export interface OtpRecord {
  hash: string;
  expiresAt: number;
  wrongTries: number;
  maxTries: number;
  /** How it was sent, and the country of a phone destination: what its validation is counted by. */
  channel?: Channel;
  country?: string;
}

export interface Session {
  sessionId: string;
  brand: string;
  identifierType: IdentifierType;
  identifierValue: string;
  /** A MOBILE's country, from the parse that normalised it when the session opened. */
  identifierCountry?: string;
  deviceId: string;
  expiresAt: number;
  otp?: OtpRecord;
}

export interface Customer {
  mobile?: string;
  email?: string;
}

/** A rate-limit window: `count` OTPs sent in the window that ends at `windowEnd` (ms). */
export interface CounterState {
  count: number;
  windowEnd: number;
  /**
   * The take IDs counted in this window, one per request that took an OTP from it: a
   * request whose write was applied but whose answer was lost finds its own ID here.
   */
  takes: readonly string[];
}

/**
 * What an attempt to open a window found: it opened one, or one is open, as DynamoDB
 * returned it with the failed condition (`current`; a store that cannot return it, such
 * as dynalite, leaves it out).
 */
export type WindowOpening = { opened: true } | { opened: false; current?: CounterState };

export interface CounterStore {
  /** Starts a new window with count 1 unless an open one exists. */
  openWindow(key: string, windowEnd: number, now: number, takeId: string): Promise<WindowOpening>;
  /** Counts one more in the open window unless it is full, closed or already holds `takeId`; the new state, or undefined. */
  countInWindow(key: string, max: number, now: number, takeId: string): Promise<CounterState | undefined>;
  readCounter(key: string): Promise<CounterState | undefined>;
  /** Gives back the one `takeId` took, if the current window counted it; otherwise does nothing. */
  refund(key: string, takeId: string): Promise<void>;
}

export interface OtpContextRequest {
  sessionId: string;
  /** Read the brand configuration too (when it is not cached). */
  brand?: string;
  /** Read the customer record of a USERNAME / EXTERNALID identifier. */
  customer?: { brand: string; identifier: Identifier };
  /** Read a rate-limit counter, when its key is known before the brand configuration. */
  counterKey?: string;
}

export interface OtpContext {
  session?: Session;
  brandConfig?: BrandConfig;
  customer?: Customer;
  counter?: CounterState;
}

export interface OtpStore extends CounterStore {
  /** One round trip for everything a request needs to know. */
  readOtpContext(request: OtpContextRequest): Promise<OtpContext>;
  /** Replaces the session's OTP; false when the session is gone, expired or consumed. */
  saveOtp(sessionId: string, otp: OtpRecord, now: number): Promise<boolean>;
  /** Removes the session's OTP if it is still the one with this hash, and says what it found. */
  discardOtp(sessionId: string, hash: string): Promise<DiscardedOtp>;
}

/**
 * What a discard found: the OTP with no wrong try counted against it (`untried`), with at
 * least one (`tried`), or no longer there (`gone`: consumed, replaced, or never stored).
 */
export type DiscardedOtp = 'untried' | 'tried' | 'gone';

export interface OtpMessage {
  channel: Channel;
  /** E.164 number or e-mail address. */
  to: string;
  brand: string;
  sessionId: string;
  otp: string;
  text: string;
  smsSenderId?: string;
  smsOriginationNumber?: string;
}

export interface OtpSender {
  supports(channel: Channel): boolean;
  send(message: OtpMessage): Promise<void>;
}

/** What token/generate needs: the brand's configuration and a place for the new session. */
export interface SessionStore {
  getBrandConfig(brand: string): Promise<BrandConfig | undefined>;
  /** Writes a new session; rejects when the id is already taken. */
  createSession(session: Session): Promise<void>;
}

/** A refresh key issued with a USER token; only its digest is stored. */
export interface RefreshKeyRecord {
  digest: string;
  brand: string;
  /** The `sub`, `idv` and `dev` of the USER token it was issued with. */
  sub: string;
  idv: string;
  dev: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface ValidateOtpStore extends Pick<OtpStore, 'readOtpContext'> {
  getSession(sessionId: string): Promise<Session | undefined>;
  /**
   * Counts one wrong try on the OTP with this hash, unless its tries are used up;
   * false when the condition failed (tries used up, OTP replaced or session gone).
   */
  recordWrongTry(sessionId: string, hash: string): Promise<boolean>;
  /**
   * Spends the OTP with this hash and closes its session, marked `consumedBy` (unique to
   * the validation: the digest of the refresh key it issues), if that OTP is still usable
   * at `now`. True also when the request's own write was applied but its answer lost;
   * false when the OTP is not usable (or another request consumed it first).
   */
  consumeOtp(sessionId: string, hash: string, now: number, consumedBy: string): Promise<boolean>;
  /** Writes a new refresh key; rejects when the digest is already taken. */
  putRefreshKey(record: RefreshKeyRecord): Promise<void>;
  /** Removes this refresh key, written (or perhaps written) but never handed out; never another item under its digest. */
  discardRefreshKey(record: RefreshKeyRecord): Promise<void>;
}
