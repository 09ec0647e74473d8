import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { isTrustedKeySetUrl } from '../domain/brand-config';
import { isKeySelectionError } from '../domain/published-keys';
import { ServiceUnavailableError } from './errors';

const JWKS_TIMEOUT_MS = 2000;

// One resolver per URL for the life of the instance, so jose's key cache and cooldown work.
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/**
 * The published keys at a JWKS URL, fetched on demand and cached by jose. A key the
 * set does not hold is the token's fault; a set that cannot be fetched is an outage
 * (ServiceUnavailableError), not a reason to call the token bad.
 */
export function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = isTrustedKeySetUrl(url) ? fetchedKeySet(url) : untrusted(url);
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

function fetchedKeySet(url: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      throw new ServiceUnavailableError(undefined, { cause: error });
    }
  };
}

/**
 * A URL stored before `brand put` refused plain http, or written by hand: nothing is fetched
 * from it, and every token that needs it meets an outage that says why in the log.
 */
function untrusted(url: string): JWTVerifyGetKey {
  return async () => {
    throw new ServiceUnavailableError(undefined, { cause: new Error(`Keys are not fetched over plain http from another machine: ${url}`) });
  };
}
