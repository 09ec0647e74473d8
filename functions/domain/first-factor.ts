import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { AuthorizedTokenError, ServiceUnavailableError } from '../shared/errors';
import { brandKey, type BrandConfig } from './brand-config';
import { identifierKey, parseIdentifierType, type Identifier, type IdentifierType } from './identifiers';
import { CLOCK_TOLERANCE_SECONDS, isKeySelectionError, PUBLISHED_KEY_ALGORITHMS } from './published-keys';

/*
 * The first-factor token contract (the `authorizedToken` of token/generate).
 *
 * The brand's own login issues it after the customer's first factor, and signs it:
 *   - HS256 with a secret shared with this service (`firstFactor.hs256Secret`, or a
 *     Secrets Manager secret named by `firstFactor.hs256SecretRef`), or
 *   - RS256 / ES256 with a key published at `firstFactor.jwksUrl` (`kid` in the header
 *     when the set holds more than one key).
 * Claims, all required:
 *   - `idv`  `TYPE|value`, e.g. `MOBILE|18767431754`. TYPE is MOBILE, EMAIL, USERNAME or
 *            EXTERNALID; the value is normalised like a request's identifierValue, so
 *            any spelling of the same number or email matches.
 *   - `dev`  the device id, exactly as the request sends it.
 *   - `org`  the brand (compared case-insensitively).
 *   - `exp`  expiry (seconds since the epoch); 5 s of clock skew is tolerated.
 * `iss` must equal `firstFactor.issuer` (always configured with a JWKS URL) and `aud`
 * must contain `firstFactor.audience`, each when configured.
 */

export type FirstFactorConfig = NonNullable<BrandConfig['firstFactor']>;

export interface FirstFactorKeys {
  /** The HS256 secret stored under `ref`. */
  hs256Secret(ref: string): Promise<string>;
  /** The key resolver for a brand's JWKS URL. */
  jwks(url: string): JWTVerifyGetKey;
}

export interface FirstFactorDeps extends FirstFactorKeys {
  /** Normalises an identifier as the brand normalises request identifiers; throws when invalid. */
  normalise(type: IdentifierType, rawValue: string): Identifier;
  /** Told why a token did not pass, for the handler's log: the domain writes none. */
  observe?(failure: FirstFactorFailure): void;
}

export interface ExpectedSubject {
  brand: string;
  /** Normalised. */
  identifier: Identifier;
  deviceId: string;
}

const REQUIRED_CLAIMS = ['exp', 'idv', 'dev', 'org'];

export type RefusalReason =
  | 'not_configured'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'claims_invalid'
  | 'identifier_mismatch'
  | 'device_mismatch'
  | 'brand_mismatch';

type KeysUnavailableReason = 'jwks_unavailable' | 'secret_unavailable';

/** A token that did not pass, or keys that could not be had to check it. */
export type FirstFactorFailure =
  | { outcome: 'refused'; reason: RefusalReason; brand: string; claim?: string }
  | { outcome: 'keys-unavailable'; reason: KeysUnavailableReason; brand: string; cause: unknown };

class TokenRefusedError extends Error {
  constructor(readonly reason: RefusalReason) {
    super(reason);
  }
}

/** A dependency failed while we fetched verification keys: not the token's fault. */
class KeysUnavailableError extends Error {
  constructor(
    readonly reason: KeysUnavailableReason,
    options: { cause: unknown },
  ) {
    super(reason, options);
  }
}

function refusalOf(error: unknown): RefusalReason {
  if (error instanceof TokenRefusedError) return error.reason;
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (isKeySelectionError(error)) return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTClaimValidationFailed) return 'claims_invalid';
  return 'malformed';
}

/** Key selection errors are the token's (no key with its kid); anything else is the JWKS endpoint's. */
function resolveRemoteKey(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      throw new KeysUnavailableError('jwks_unavailable', { cause: error });
    }
  };
}

async function hs256Key(config: FirstFactorConfig, deps: FirstFactorKeys): Promise<Uint8Array> {
  if (config.hs256Secret) return new TextEncoder().encode(config.hs256Secret);
  if (!config.hs256SecretRef) throw new TokenRefusedError('not_configured');
  try {
    return new TextEncoder().encode(await deps.hs256Secret(config.hs256SecretRef));
  } catch (error) {
    throw new KeysUnavailableError('secret_unavailable', { cause: error });
  }
}

async function verifySignature(token: string, config: FirstFactorConfig, deps: FirstFactorKeys): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: REQUIRED_CLAIMS,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  const hasSecret = Boolean(config.hs256Secret || config.hs256SecretRef);
  // With both configured the header picks the path; each path accepts only its own
  // algorithms with its own keys, so neither `none` nor alg confusion gets through.
  const { alg } = decodeProtectedHeader(token);
  if (hasSecret && (alg === 'HS256' || !config.jwksUrl)) {
    const { payload } = await jwtVerify(token, await hs256Key(config, deps), { ...options, algorithms: ['HS256'] });
    return payload;
  }
  if (config.jwksUrl) {
    const getKey = resolveRemoteKey(deps.jwks(config.jwksUrl));
    const { payload } = await jwtVerify(token, getKey, { ...options, algorithms: PUBLISHED_KEY_ALGORITHMS });
    return payload;
  }
  throw new TokenRefusedError('not_configured');
}

function checkSubject(payload: JWTPayload, expected: ExpectedSubject, deps: FirstFactorDeps): void {
  const { idv, dev, org } = payload;
  if (typeof idv !== 'string' || typeof dev !== 'string' || typeof org !== 'string') throw new TokenRefusedError('claims_invalid');

  const separator = idv.indexOf('|');
  if (separator < 1) throw new TokenRefusedError('claims_invalid');
  let identifier: Identifier;
  try {
    identifier = deps.normalise(parseIdentifierType(idv.slice(0, separator).toUpperCase()), idv.slice(separator + 1));
  } catch {
    throw new TokenRefusedError('identifier_mismatch');
  }
  if (identifierKey(identifier) !== identifierKey(expected.identifier)) throw new TokenRefusedError('identifier_mismatch');
  if (dev !== expected.deviceId) throw new TokenRefusedError('device_mismatch');
  if (brandKey(org) !== brandKey(expected.brand)) throw new TokenRefusedError('brand_mismatch');
}

/**
 * Verifies the brand's first-factor token for this customer, device and brand.
 * Throws AuthorizedTokenError (401/1504) for any fault of the token, and
 * ServiceUnavailableError (503) when the brand's keys cannot be fetched.
 */
export async function verifyAuthorizedToken(
  token: string,
  config: FirstFactorConfig | undefined,
  expected: ExpectedSubject,
  deps: FirstFactorDeps,
): Promise<void> {
  try {
    if (!config) throw new TokenRefusedError('not_configured');
    const payload = await verifySignature(token, config, deps);
    checkSubject(payload, expected, deps);
  } catch (error) {
    const brand = brandKey(expected.brand);
    if (error instanceof KeysUnavailableError) {
      deps.observe?.({ outcome: 'keys-unavailable', reason: error.reason, brand, cause: error.cause });
      throw new ServiceUnavailableError();
    }
    deps.observe?.({
      outcome: 'refused',
      reason: refusalOf(error),
      brand,
      ...(error instanceof errors.JWTClaimValidationFailed ? { claim: error.claim } : {}),
    });
    throw new AuthorizedTokenError();
  }
}

export interface FirstFactorTokenInput {
  secret: string;
  brand: string;
  identifier: Identifier;
  deviceId: string;
  ttlSeconds: number;
  now?: Date;
  issuer?: string;
  audience?: string;
}

/** Mints an HS256 first-factor token, as a brand's login would: for the admin CLI and tests. */
export function signFirstFactorToken(input: FirstFactorTokenInput): Promise<string> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({ idv: identifierKey(input.identifier), dev: input.deviceId, org: input.brand })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds);
  if (input.issuer) jwt.setIssuer(input.issuer);
  if (input.audience) jwt.setAudience(input.audience);
  return jwt.sign(new TextEncoder().encode(input.secret));
}
