import { errors } from 'jose';

// What bearer-token.ts and first-factor.ts ask alike of a token checked against a brand's published keys (JWKS).

/** What a token verified against a brand's published keys may be signed with. */
export const PUBLISHED_KEY_ALGORITHMS = ['RS256', 'ES256'];

/** The clock skew allowed on a brand's tokens' `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * A key set that holds no key, or more than one, for a token's header: the token's
 * fault (its `kid` names no published key), never the key set's endpoint's.
 */
export function isKeySelectionError(error: unknown): boolean {
  return error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys;
}
