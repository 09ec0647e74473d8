import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { BrandCache } from '../domain/brand-cache';
import { FALLBACK_CHANNELS, type FallbackChannel } from '../domain/brand-config';
import { generateOtp, type GenerateOutcomeEvent } from '../domain/generate-otp';
import { hashOtp, newOtp } from '../domain/otp-code';
import { documentClient } from '../shared/aws-clients';
import { config, requireSetting } from '../shared/config';
import { DynamoStore } from '../shared/dynamo-store';
import { InvalidDetailsError } from '../shared/errors';
import { jsonRoute, type JsonEvent } from '../shared/http-middleware';
import { successResponse } from '../shared/http-response';
import { logger, maskDestination, requestKeys } from '../shared/logger';
import { countOtp, otpDimensions, type OtpMetric } from '../shared/metrics';
import { otpPepper } from '../shared/otp-pepper';
import { otpSender } from '../shared/otp-sender';
import { parseBody, sessionFields } from '../shared/request-body';
import { answerDeadline, ROUTE_OPTIONS } from '../shared/route-options';

const store = new DynamoStore(documentClient, requireSetting('TABLE_NAME'));
const brands = new BrandCache(config.BRAND_CACHE_SECONDS * 1000);
const bodySchema = z.object(sessionFields);

const OUTCOME_METRICS: Record<GenerateOutcomeEvent['outcome'], OtpMetric> = {
  generated: 'OtpGenerated',
  'rate-limited': 'OtpRateLimited',
  'delivery-failed': 'OtpDeliveryFailed',
};

const countOutcome = ({ outcome, brand, channel, country }: GenerateOutcomeEvent) =>
  countOtp(OUTCOME_METRICS[outcome], otpDimensions(brand, channel, country));

function parseFallbackChannel(value: string | undefined): FallbackChannel | undefined {
  if (value === undefined) return undefined;
  const channel = FALLBACK_CHANNELS.find((known) => known === value.toUpperCase());
  if (!channel) throw new InvalidDetailsError('fallbackChannel');
  return channel;
}

/** POST /auth/v1/mfa/otp/generate */
const lambdaHandler = async (event: JsonEvent, context: Context) => {
  const keys = requestKeys(context);
  const body = parseBody(bodySchema, event.jsonBody);
  const fallbackChannel = parseFallbackChannel(event.queryStringParameters?.fallbackChannel);
  const pepper = await otpPepper();

  const sent = await generateOtp(
    {
      store,
      sender: otpSender,
      brands,
      now: Date.now,
      newOtp,
      newTakeId: () => randomBytes(16).toString('base64url'),
      hashOtp: (sessionId, otp) => hashOtp(pepper, sessionId, otp),
      onCleanupFailure: (step, error) => logger.error('OTP cleanup failed', { ...keys, step, error: error as Error }),
      observe: countOutcome,
      deadline: answerDeadline(context),
    },
    { ...body, ...(fallbackChannel ? { fallbackChannel } : {}) },
  );

  logger.info('OTP sent', { ...keys, brand: body.brand, channel: sent.channel, to: maskDestination(sent.channel, sent.to) });
  return successResponse();
};

export const handler = middy(lambdaHandler, ROUTE_OPTIONS).use(jsonRoute());
