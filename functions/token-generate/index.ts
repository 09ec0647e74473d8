import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { BrandCache } from '../domain/brand-cache';
import { phoneParser } from '../domain/identifiers';
import type { FirstFactorFailure } from '../domain/first-factor';
import { openSession } from '../domain/open-session';
import type { TokenIssuer } from '../domain/tokens';
import { authResponse } from '../shared/auth-response';
import { documentClient } from '../shared/aws-clients';
import { config, requireSetting } from '../shared/config';
import { DynamoStore } from '../shared/dynamo-store';
import { firstFactorKeys } from '../shared/first-factor-keys';
import { jsonRoute, type JsonEvent } from '../shared/http-middleware';
import { logger, maskIdentifier, requestKeys } from '../shared/logger';
import { mfaFields, parseBody } from '../shared/request-body';
import { tokenSigner } from '../shared/token-signer';
import { ROUTE_OPTIONS } from '../shared/route-options';

const store = new DynamoStore(documentClient, requireSetting('TABLE_NAME'));
const brands = new BrandCache(config.BRAND_CACHE_SECONDS * 1000);
const tokens: TokenIssuer = { signer: tokenSigner, issuer: config.TOKEN_ISSUER };
// Opening a MOBILE session always parses its number: load libphonenumber with the function,
// not with its first request (otp/generate and otp/validate seldom need it).
phoneParser();
const bodySchema = z.object({ ...mfaFields, authorizedToken: z.string().check(z.minLength(1), z.maxLength(8192)) });

const logFirstFactorFailure = (keys: Record<string, string>) => (failure: FirstFactorFailure): void => {
  if (failure.outcome === 'keys-unavailable') {
    const { outcome: _, cause, ...fields } = failure;
    logger.error('First-factor keys unavailable', { ...keys, ...fields, error: cause as Error });
  } else {
    const { outcome: _, ...fields } = failure;
    logger.warn('First-factor token refused', { ...keys, ...fields });
  }
};

/** POST /auth/v1/mfa/token/generate */
const lambdaHandler = async (event: JsonEvent, context: Context) => {
  const keys = requestKeys(context);
  const body = parseBody(bodySchema, event.jsonBody);

  const opened = await openSession(
    { store, brands, firstFactorKeys, tokens, now: Date.now, observeFirstFactor: logFirstFactorFailure(keys) },
    body,
  );

  logger.info('MFA session opened', {
    ...keys,
    brand: body.brand,
    identifierType: opened.identifier.type,
    identifier: maskIdentifier(opened.identifier),
  });
  return authResponse({ token: opened.token, key: null, sessionId: opened.sessionId, role: 'VIEW' });
};

export const handler = middy(lambdaHandler, ROUTE_OPTIONS).use(jsonRoute());
