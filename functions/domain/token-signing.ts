import { calculateJwkThumbprint, type JWK, type JWTPayload } from 'jose';

/** Signs the tokens the API issues (ES256 compact JWS) and publishes the keys that verify them. */
export interface TokenSigner {
  /** Header `{alg: 'ES256', typ: 'JWT', kid}`; the claims are signed as given. */
  sign(claims: JWTPayload): Promise<string>;
  publicJwks(): Promise<{ keys: JWK[] }>;
}

export const TOKEN_ALGORITHM = 'ES256';

/**
 * The published form of a P-256 public key, its `kid` the RFC 7638 thumbprint so that
 * every signer derives the same id for the same key without storing one.
 */
export async function publishedJwk(publicKey: JWK): Promise<JWK & { kid: string }> {
  const { kty, crv, x, y } = publicKey;
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new Error('Token signing key must be an EC P-256 key');
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  return { kty, crv, x, y, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}
