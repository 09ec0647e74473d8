import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { TokenSigner } from '../domain/token-signer';
import { ServiceUnavailableError } from '../shared/errors';
import { errorResponse, jsonResponse } from '../shared/http-response';
import { ROUTE_OPTIONS } from '../shared/route-options';
import { logger } from '../shared/logger';
import { tokenSigner } from '../shared/token-signer';

/** GET /auth/v1/mfa/.well-known/jwks.json: the public keys that verify the tokens we issue. */
export function jwksHandler(signer: TokenSigner): () => Promise<APIGatewayProxyResult> {
  return async () => {
    try {
      return jsonResponse(200, await signer.publicJwks(), { 'Cache-Control': 'public, max-age=300' });
    } catch (error) {
      // Verifiers keep their cached keys and retry, so any failure here is a 503.
      logger.error('Public keys unavailable', { error: error as Error });
      return errorResponse(new ServiceUnavailableError());
    }
  };
}

export const handler = middy(jwksHandler(tokenSigner), ROUTE_OPTIONS);
