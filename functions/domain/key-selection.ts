import { errors } from 'jose';

/**
 * A key set that holds no key, or more than one, for a token's header: the token's
 * fault (its `kid` names no published key), never the key set's endpoint's.
 */
export function isKeySelectionError(error: unknown): boolean {
  return error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys;
}
