import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from './errors';

/** Who is calling, as the authorizer established it: one brand and its scopes. */
export interface Caller {
  brand: string;
  scopes: string[];
}

export const WRITE_CUSTOMERS = 'customer:write';

/**
 * Reads the caller from the authorizer context, the only source handlers trust: on
 * AWS the API Gateway Lambda authorizer fills it, locally the local server does.
 * API Gateway answers later requests with the same Authorization header from its cache,
 * so a bearer token's expiry (`expiresAt`, which arrives as a string) is checked here,
 * on every request.
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>, now = Date.now()): Caller {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const brand = context?.brand;
  const scopes = context?.scopes;
  if (typeof brand !== 'string' || brand === '' || typeof scopes !== 'string') throw new UnauthorizedError();
  if (context?.expiresAt !== undefined && !(now < Number(context.expiresAt))) throw new UnauthorizedError('expired_token');
  return { brand, scopes: scopes.split(' ').filter(Boolean) };
}

export function requireScope(caller: Caller, scope = WRITE_CUSTOMERS): void {
  if (!caller.scopes.includes(scope)) throw new ForbiddenError();
}

/** A credential belongs to one brand: it may not act for another. */
export function requireBrand(caller: Caller, brand: string): void {
  if (caller.brand !== brand) throw new ForbiddenError();
}
