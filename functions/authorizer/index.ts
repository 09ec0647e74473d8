import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { verifyBearer } from '../domain/bearer-token';
import { authenticate } from '../domain/credentials';
import { documentClient } from '../shared/aws-clients';
import { requireSetting } from '../shared/config';
import { DynamoStore } from '../shared/dynamo-store';
import { UnauthorizedError } from '../shared/errors';
import { logContext, logger } from '../shared/logger';
import { remoteKeySet } from '../shared/remote-key-sets';
import { REFUSAL_MESSAGE } from './refusal';

const store = new DynamoStore(documentClient, requireSetting('TABLE_NAME'));

/** API Gateway caches the answer per Authorization header, so it must hold for every route of the stage. */
export function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

function headerOf(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

/**
 * Lambda REQUEST authorizer: Basic credentials or a brand's OAuth bearer JWT to a brand and
 * its scopes, handed to the route handlers in the authorizer context.
 */
const lambdaHandler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  try {
    const principal = await authenticate(headerOf(event, 'authorization'), {
      getCredential: (clientId) => store.getCredential(clientId),
      verifyBearer: (token) =>
        verifyBearer(token, { findIssuer: (issuer) => store.getOAuthIssuer(issuer), keySet: remoteKeySet }),
    });
    return {
      principalId: principal.principalId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
      },
      context: {
        brand: principal.brand,
        scopes: principal.scopes.join(' '),
        principalId: principal.principalId,
        // API Gateway reuses this answer for the same header (authorizerCacheTtlSeconds): the routes check the expiry.
        ...(principal.expiresAt === undefined ? {} : { expiresAt: principal.expiresAt }),
      },
    };
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      logger.info(REFUSAL_MESSAGE, { reason: error.reason });
      // The exact message API Gateway turns into a 401.
      throw new Error('Unauthorized', { cause: error });
    }
    logger.error('Authorizer failed', { error: error as Error });
    throw error;
  }
};

export const handler = middy(lambdaHandler).use(logContext());
