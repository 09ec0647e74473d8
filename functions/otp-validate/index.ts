import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { BrandCache } from '../domain/brand-cache';
import { MAX_OTP_LENGTH } from '../domain/brand-config';
import { hashOtp } from '../domain/otp-code';
import type { TokenIssuer } from '../domain/tokens';
import { validateOtp, type ValidateOutcomeEvent } from '../domain/validate-otp';
import { authResponse } from '../shared/auth-response';
import { documentClient } from '../shared/aws-clients';
import { config, requireSetting } from '../shared/config';
import { DynamoStore } from '../shared/dynamo-store';
import { jsonRoute, type JsonEvent } from '../shared/http-middleware';
import { logger, maskIdentifier, requestKeys } from '../shared/logger';
import { countOtp, validationDimensions } from '../shared/metrics';
import { otpPepper } from '../shared/otp-pepper';
import { parseBody, sessionFields } from '../shared/request-body';
import { tokenSigner } from '../shared/token-signer';
import { answerDeadline, ROUTE_OPTIONS } from '../shared/route-options';

const store = new DynamoStore(documentClient, requireSetting('TABLE_NAME'));
const brands = new BrandCache(config.BRAND_CACHE_SECONDS * 1000);
const tokens: TokenIssuer = { signer: tokenSigner, issuer: config.TOKEN_ISSUER };
// Digits as a string, or a JSON number, of at most the longest OTP a brand may set.
const otpField = z.union([
  z.string().check(z.regex(new RegExp(`^\\d{1,${MAX_OTP_LENGTH}}$`))),
  z.number().check(z.int(), z.gte(0), z.lt(10 ** MAX_OTP_LENGTH)),
]);
const bodySchema = z.object({ ...sessionFields, otp: otpField });

const countValidation = ({ outcome, brand, sent, code }: ValidateOutcomeEvent) =>
  outcome === 'validated'
    ? countOtp('OtpValidated', validationDimensions(brand, sent))
    : countOtp('OtpValidationFailed', validationDimensions(brand, sent), { code: String(code) });

/** POST /auth/v1/mfa/otp/validate */
const lambdaHandler = async (event: JsonEvent, context: Context) => {
  const keys = requestKeys(context);
  const body = parseBody(bodySchema, event.jsonBody);
  const pepper = await otpPepper();

  const validated = await validateOtp(
    {
      store,
      brands,
      tokens,
      now: Date.now,
      hashOtp: (sessionId, otp) => hashOtp(pepper, sessionId, otp),
      onCleanupFailure: (step, error) => logger.error('OTP validation cleanup failed', { ...keys, step, error: error as Error }),
      observe: countValidation,
      deadline: answerDeadline(context),
    },
    // A number is taken as written: 1234 is "1234", never zero-padded to the OTP length.
    { ...body, otp: String(body.otp) },
  );

  logger.info('OTP validated', {
    ...keys,
    brand: body.brand,
    identifierType: validated.identifier.type,
    identifier: maskIdentifier(validated.identifier),
  });
  return authResponse({ token: validated.token, key: validated.refreshKey, sessionId: null, role: 'USER' });
};

export const handler = middy(lambdaHandler, ROUTE_OPTIONS).use(jsonRoute());
