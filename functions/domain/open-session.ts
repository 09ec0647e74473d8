import { randomUUID } from 'node:crypto';
import type { BrandCache } from './brand-cache';
import type { BrandConfig } from './brand-config';
import { verifyAuthorizedToken, type FirstFactorFailure, type FirstFactorKeys } from './first-factor';
import { normaliseIdentifier, type Identifier, type IdentifierType } from './identifiers';
import type { SessionStore } from './ports';
import { issueSessionToken, type TokenIssuer } from './tokens';

/** A session ID as the API hands it out: `P-` and a random UUID. */
export function newSessionId(newId: () => string = randomUUID): string {
  return `P-${newId()}`;
}

export interface OpenSessionRequest {
  /** Lower case. */
  brand: string;
  identifierType: IdentifierType;
  identifierValue: string;
  deviceId: string;
  authorizedToken: string;
}

export interface OpenSessionDeps {
  store: SessionStore;
  brands: BrandCache;
  firstFactorKeys: FirstFactorKeys;
  /** Told why a first-factor token did not pass. */
  observeFirstFactor?: (failure: FirstFactorFailure) => void;
  tokens: TokenIssuer;
  /** Epoch milliseconds: read once a request, and the issued token's `iat`. */
  now: () => number;
  /** A fresh UUID v4 for the session id. */
  newId?: () => string;
}

export interface OpenedSession {
  sessionId: string;
  /** The VIEW token for the session. */
  token: string;
  identifier: Identifier;
}

/**
 * POST /auth/v1/mfa/token/generate after the caller checks: the brand's first-factor
 * token proves who the customer is, and an MFA session is opened for them.
 */
export async function openSession(deps: OpenSessionDeps, request: OpenSessionRequest): Promise<OpenedSession> {
  const now = deps.now();
  const config = await brandConfig(deps, request.brand, now);
  const identifier = normaliseIdentifier(request.identifierType, request.identifierValue, config);
  const subject = { brand: request.brand, identifier, deviceId: request.deviceId };

  await verifyAuthorizedToken(request.authorizedToken, config.firstFactor, subject, {
    ...deps.firstFactorKeys,
    normalise: (type, raw) => normaliseIdentifier(type, raw, config),
    observe: deps.observeFirstFactor,
  });

  const sessionId = newSessionId(deps.newId);
  const expiresAt = now + config.mfaSessionExpiryMinutes * 60_000;
  // Signed before the session is written, so a signing failure leaves no session behind.
  const token = await issueSessionToken(deps.tokens, { ...subject, sessionId, sessionExpiresAtMs: expiresAt }, now);
  await deps.store.createSession({
    sessionId,
    brand: request.brand,
    identifierType: identifier.type,
    identifierValue: identifier.value,
    ...(identifier.country ? { identifierCountry: identifier.country } : {}),
    deviceId: request.deviceId,
    expiresAt,
  });
  return { sessionId, token, identifier };
}

async function brandConfig(deps: OpenSessionDeps, brand: string, now: number): Promise<BrandConfig> {
  const cached = deps.brands.get(brand, now);
  return deps.brands.settle(cached, cached ? undefined : await deps.store.getBrandConfig(brand), now);
}
