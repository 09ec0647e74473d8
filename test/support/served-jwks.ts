import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { handler as jwksHandler } from '../../functions/jwks';
import { apiEvent, invoke } from './api-events';

/** Verifies a token the API issued against the keys the jwks handler serves, as a client would. */
export async function verifyWithServedJwks(token: string): Promise<JWTPayload> {
  const served = await invoke(jwksHandler, apiEvent({ path: '/auth/v1/mfa/.well-known/jwks.json' }));
  const jwks = createLocalJWKSet(served.body as unknown as JSONWebKeySet);
  const { payload } = await jwtVerify(token, jwks, { issuer: process.env.TOKEN_ISSUER ?? 'mfa-otp', algorithms: ['ES256'] });
  return payload;
}
