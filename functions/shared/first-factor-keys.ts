import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { FirstFactorKeys } from '../domain/first-factor';

const SECRET_MAX_AGE_SECONDS = 300;
const JWKS_TIMEOUT_MS = 2000;
// The brand config schema asks the same of an inline secret; RFC 7518 §3.2 wants 256 bits.
const MIN_SECRET_LENGTH = 32;

/** Reads an HS256 secret from Secrets Manager (ARN or name), cached for five minutes. */
async function hs256Secret(ref: string): Promise<string> {
  const secret = await getSecret(ref, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new Error('First-factor secret must be a string of at least 32 characters');
  }
  return secret;
}

// One resolver per URL for the life of the instance, so jose's key cache and cooldown work.
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

function jwks(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS });
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

/** Where production finds the brands' first-factor keys. */
export const firstFactorKeys: FirstFactorKeys = { hs256Secret, jwks };
