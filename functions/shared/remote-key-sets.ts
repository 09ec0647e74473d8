import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
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
    const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS });
    keySet = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        throw new ServiceUnavailableError();
      }
    };
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}
