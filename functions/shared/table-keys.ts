/**
 * The one table's partition keys (`pk`, no sort key). Every item is addressed by a
 * key built here; `ttl` (epoch seconds) is the table's TTL attribute.
 */
export const tableKeys = {
  brand: (brand: string) => `BRAND#${brand}`,
  credential: (clientId: string) => `CREDENTIAL#${clientId}`,
  oauthIssuer: (issuer: string) => `OAUTH_ISSUER#${issuer}`,
  customer: (brand: string, type: string, value: string) => `CUSTOMER#${brand}#${type}#${value}`,
  session: (sessionId: string) => `SESSION#${sessionId}`,
  counter: (key: string) => `OTPCOUNT#${key}`,
  refreshKey: (digest: string) => `REFRESH#${digest}`,
};

/** The session ID a session item's key holds: the inverse of `tableKeys.session`. */
export function sessionIdOf(pk: string): string {
  return pk.slice(tableKeys.session('').length);
}

/** DynamoDB's TTL is in seconds; expiry itself is always checked in code. */
export function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}

/** The table's shape, shared by the CDK stack and the local stack. */
export const TABLE_SCHEMA = { partitionKey: 'pk', ttlAttribute: 'ttl' } as const;
