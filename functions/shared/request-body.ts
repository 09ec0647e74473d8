import * as z from 'zod/mini';
import { brandKey } from '../domain/brand-config';
import { parseIdentifierType, type IdentifierType } from '../domain/identifiers';
import { InvalidDetailsError } from './errors';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/** The fields every /auth/v1/mfa route shares. Unknown fields are ignored. */
export const mfaFields = {
  identifierType: z.string(),
  identifierValue: text(320),
  deviceId: text(256),
  // Trimmed first: a brand of spaces is a malformed field (1519), not another brand (403).
  brand: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
};

export const sessionFields = { ...mfaFields, sessionId: text(128) };

/**
 * Parses a body against a schema: 1519 names the first bad field, 1546 a bad
 * identifierType; the brand comes back in lower case.
 */
export function parseBody<T extends { identifierType: string; brand: string }>(
  schema: z.ZodMiniType<T>,
  body: Record<string, unknown>,
): T & { identifierType: IdentifierType } {
  const result = schema.safeParse(body);
  if (!result.success) {
    const field = result.error.issues[0]?.path[0];
    throw new InvalidDetailsError(typeof field === 'string' ? field : 'body');
  }
  return Object.assign(result.data, {
    identifierType: parseIdentifierType(result.data.identifierType),
    brand: brandKey(result.data.brand),
  });
}
