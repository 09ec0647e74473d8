import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { TokenSigner } from '../domain/token-signing';
import { ServiceUnavailableError } from '../shared/errors';
import { errorResponse, jsonResponse } from '../shared/http-response';
import { logContext, logger } from '../shared/logger';
import { ROUTE_OPTIONS } from '../shared/route-options';
import { tokenSigner } from '../shared/token-signer';

/**
 * GET /auth/v1/mfa/.well-known/jwks.json: the public keys that verify the tokens we issue.
 * Any failure, middy's answer just before the function's timeout included, is a 503:
 * verifiers keep their cached keys and retry.
 */
export function jwksHandler(signer: TokenSigner) {
  return middy<unknown, APIGatewayProxyResult>(
    async () => jsonResponse(200, await signer.publicJwks(), { 'Cache-Control': 'public, max-age=300' }),
    ROUTE_OPTIONS,
  )
    .use(logContext())
    .use({
      onError: (request) => {
        logger.error('Public keys unavailable', { error: request.error as Error });
        request.response = errorResponse(new ServiceUnavailableError());
      },
    });
}

export const handler = jwksHandler(tokenSigner);
