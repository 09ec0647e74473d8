import { randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors';
import { digestsEqual, sha256Hex } from './digests';

/** Who a credential speaks for: one brand and its scopes. */
export interface Principal {
  principalId: string;
  brand: string;
  scopes: string[];
  /** Until when (ms) the principal holds: a bearer token's expiry. A Basic credential holds until revoked. */
  expiresAt?: number;
}

export interface StoredCredential {
  clientId: string;
  brand: string;
  scopes: string[];
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secretDigest: string;
}

export interface AuthenticateDeps {
  getCredential(clientId: string): Promise<StoredCredential | undefined>;
  /** Verifies an OAuth bearer JWT; absent where bearer tokens are not accepted. */
  verifyBearer?(token: string): Promise<Principal>;
}

const MAX_HEADER_LENGTH = 4096;
const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Compared against when the client ID is unknown, so that a miss costs what a hit does.
const NO_SECRET_DIGEST = digestSecret('');

/**
 * The credential check: an Authorization header in, a brand and its scopes out.
 * Plain input and output, so the API Gateway authorizer and the local server run it
 * unchanged. Secrets are 256 random bits, so a fast digest compared in constant time
 * is as strong as a slow password hash and much cheaper per uncached call.
 */
export async function authenticate(authorization: string | undefined, deps: AuthenticateDeps): Promise<Principal> {
  const header = authorization?.trim();
  if (!header || header.length > MAX_HEADER_LENGTH) throw new UnauthorizedError('no_credentials');

  const bearer = BEARER.exec(header);
  if (bearer?.[1]) {
    if (!deps.verifyBearer) throw new UnauthorizedError('bearer_not_accepted');
    return deps.verifyBearer(bearer[1]);
  }

  const basic = BASIC.exec(header);
  if (!basic?.[1]) throw new UnauthorizedError('malformed_credentials');
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new UnauthorizedError('malformed_credentials');
  const clientId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (!CLIENT_ID.test(clientId) || secret === '') throw new UnauthorizedError('malformed_credentials');

  const credential = await deps.getCredential(clientId);
  const matches = digestsEqual(credential?.secretDigest ?? NO_SECRET_DIGEST, digestSecret(secret));
  if (!credential || !matches) throw new UnauthorizedError('bad_credentials');
  return { principalId: clientId, brand: credential.brand, scopes: credential.scopes };
}

/** What is stored of a client secret. */
export function digestSecret(secret: string): string {
  return sha256Hex(secret);
}

/** A new credential: the secret is returned once and only its digest is kept. */
export function newCredential(brand: string, scopes: string[]): { clientSecret: string; stored: StoredCredential } {
  const clientSecret = randomBytes(32).toString('base64url');
  const stored: StoredCredential = {
    clientId: `c_${randomBytes(12).toString('hex')}`,
    brand,
    scopes,
    secretDigest: digestSecret(clientSecret),
  };
  return { clientSecret, stored };
}
