import { decodeJwt, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ServiceUnavailableError, UnauthorizedError } from '../shared/errors';
import type { Principal } from './credentials';
import { CLOCK_TOLERANCE_SECONDS, PUBLISHED_KEY_ALGORITHMS } from './published-keys';

/** A brand's OAuth authorization server, as registered with `brand put --oauth-*`. */
export interface OAuthIssuer {
  brand: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export interface BearerDeps {
  findIssuer(issuer: string): Promise<OAuthIssuer | undefined>;
  /** Resolves keys; throws ServiceUnavailableError when the key set cannot be fetched. */
  keySet(jwksUrl: string): JWTVerifyGetKey;
}

/**
 * The longest `iss` looked up. The lookup keys a DynamoDB item by it, and a key over
 * DynamoDB's 2048 bytes is a ValidationException: an unsigned token with a long `iss`
 * would otherwise turn into a 503 and an alarm, for anyone, at will.
 */
export const MAX_ISSUER_BYTES = 1024;

const isLookupKey = (issuer: unknown): issuer is string =>
  typeof issuer === 'string' && issuer !== '' && Buffer.byteLength(issuer) <= MAX_ISSUER_BYTES;

/** A scope as RFC 6749 writes one: no whitespace, which would split it in two downstream. */
const SCOPE_TOKEN = /^\S+$/;

/**
 * Verifies an OAuth access token (JWT) of a brand's own authorization server: the
 * unverified `iss` only picks which brand's keys, issuer and audience to check against.
 * Scopes come from `scope` (space separated) or `scp` (list).
 */
export async function verifyBearer(token: string, deps: BearerDeps): Promise<Principal> {
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw new UnauthorizedError('bad_token');
  }
  const registered = isLookupKey(issuer) ? await deps.findIssuer(issuer) : undefined;
  if (!registered) throw new UnauthorizedError('unknown_issuer');
  try {
    const { payload } = await jwtVerify(token, deps.keySet(registered.jwksUrl), {
      issuer: registered.issuer,
      audience: registered.audience,
      algorithms: PUBLISHED_KEY_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    });
    // jose checks that `sub` is there, not what it is; it becomes the principal ID.
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw new UnauthorizedError();
    // jose has checked that exp is a number (requiredClaims).
    const expiresAt = ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000;
    return { principalId: payload.sub, brand: registered.brand, scopes: scopesOf(payload), expiresAt };
  } catch (error) {
    // The brand's key server being down is an outage, not the caller's fault.
    if (error instanceof ServiceUnavailableError) throw error;
    throw new UnauthorizedError('bad_token');
  }
}

function scopesOf(payload: Record<string, unknown>): string[] {
  const listed: unknown[] = typeof payload.scope === 'string' ? payload.scope.split(' ') : Array.isArray(payload.scp) ? payload.scp : [];
  // The authorizer hands scopes on space separated: "profile customer:write" in an scp list must not become two.
  return listed.filter((scope): scope is string => typeof scope === 'string' && SCOPE_TOKEN.test(scope));
}
