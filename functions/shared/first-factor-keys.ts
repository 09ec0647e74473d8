import { MIN_HS256_SECRET_LENGTH } from '../domain/brand-config';
import type { FirstFactorKeys } from '../domain/first-factor';
import { remoteKeySet } from './remote-key-sets';
import { secrets } from './secrets';

const SECRET_MAX_AGE_SECONDS = 300;

/** Reads an HS256 secret from Secrets Manager (ARN or name), cached for five minutes. */
async function hs256Secret(ref: string): Promise<string> {
  const secret = await secrets.get(ref, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof secret !== 'string' || secret.length < MIN_HS256_SECRET_LENGTH) {
    throw new Error(`First-factor secret must be a string of at least ${MIN_HS256_SECRET_LENGTH} characters`);
  }
  return secret;
}

/** Where production finds the brands' first-factor keys. */
export const firstFactorKeys: FirstFactorKeys = { hs256Secret, jwks: remoteKeySet };
