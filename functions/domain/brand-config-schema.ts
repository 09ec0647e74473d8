import { isSupportedCountry } from 'libphonenumber-js';
import * as z from 'zod/mini';
import { InvalidBrandConfigError } from '../shared/errors';
import { MAX_ISSUER_BYTES } from './bearer-token';
import { CHANNELS, FALLBACK_CHANNELS, isTrustedKeySetUrl, MAX_OTP_LENGTH, MIN_HS256_SECRET_LENGTH } from './brand-config';

/*
 * How a brand configuration is checked before it is written (admin CLI). The handlers only
 * read configurations written this way, so they never load these schemas at cold start.
 */

const minutes = z.number().check(z.int(), z.gte(1), z.lte(60 * 24 * 30));
/** A country numbers can be read in: ISO 3166 alpha-2, as libphonenumber knows it (XX or ZZ are not). */
const countryCode = z.string().check(
  z.regex(/^[A-Z]{2}$/),
  z.refine((code) => isSupportedCountry(code), { message: 'Not a country phone numbers can be read in' }),
);

/** Where a brand publishes its keys (the URL check that z.url() makes comes first). */
const keySetUrl = z.url().check(
  z.refine((url) => !URL.canParse(url) || isTrustedKeySetUrl(url), {
    message: 'Must be https (http only for a key server on this machine)',
  }),
);

const firstFactorSchema = z.object({
  /** HS256: the shared secret itself (local development) ... */
  hs256Secret: z.optional(z.string().check(z.minLength(MIN_HS256_SECRET_LENGTH))),
  /** ... or the ARN or name of the Secrets Manager secret holding it (AWS). */
  hs256SecretRef: z.optional(z.string().check(z.minLength(1))),
  /** RS256 / ES256: where the brand publishes its keys. */
  jwksUrl: z.optional(keySetUrl),
  issuer: z.optional(z.string().check(z.minLength(1))),
  audience: z.optional(z.string().check(z.minLength(1))),
});

const oauthSchema = z.object({
  issuer: z.string().check(
    z.minLength(1),
    // The authorizer looks up no longer `iss`.
    z.refine((issuer) => Buffer.byteLength(issuer) <= MAX_ISSUER_BYTES, { message: `At most ${MAX_ISSUER_BYTES} bytes` }),
  ),
  audience: z.string().check(z.minLength(1)),
  jwksUrl: keySetUrl,
});

/**
 * The highest otpMaxCount a brand may set: each OTP counted in a window keeps its take ID
 * on the counter item (domain/rate-limiter.ts), so the limit bounds that item's size.
 */
export const MAX_OTP_COUNT = 1000;

const brandConfigSchema = z.object({
  brand: z.string().check(z.regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)),
  defaultCountry: z.optional(countryCode),
  otpMaxCount: z._default(z.nullable(z.number().check(z.int(), z.lte(MAX_OTP_COUNT))), null),
  otpTimeOut: z._default(z.nullable(minutes), null),
  otpLength: z._default(z.number().check(z.int(), z.gte(4), z.lte(MAX_OTP_LENGTH)), 6),
  otpValidityMinutes: z._default(minutes, 10),
  mfaMaxOtpRetryCount: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 5),
  mfaSessionExpiryMinutes: z._default(minutes, 15),
  externalIdLoginEnabled: z._default(z.boolean(), false),
  otpSendForExternalId: z._default(z.enum(['MOBILE', 'EMAIL']), 'MOBILE'),
  mobileSubChannel: z._default(z.nullable(z.enum(['WHATSAPP', 'ZALO'])), null),
  fallbackChannels: z._default(z.array(z.enum(FALLBACK_CHANNELS)), [...FALLBACK_CHANNELS]),
  templates: z._default(z.partialRecord(z.enum(CHANNELS), z.string().check(z.minLength(1), z.maxLength(1600))), {}),
  smsSenderId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,11}$/))),
  smsOriginationNumber: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/))),
  allowedCountries: z.optional(z.array(countryCode)),
  firstFactor: z.optional(firstFactorSchema),
  oauth: z.optional(oauthSchema),
});

export type BrandConfig = z.infer<typeof brandConfigSchema>;
export type BrandConfigInput = z.input<typeof brandConfigSchema>;

/**
 * Validates a configuration before it is written and fills in the spec's defaults.
 * Codes: 1535 for an OTP max count below 1, 1519 for anything else malformed.
 */
export function parseBrandConfig(input: unknown): BrandConfig {
  const parsed = brandConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issue.path.join('.') : 'brand';
    throw new InvalidBrandConfigError(1519, `Invalid brand configuration: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (config.otpMaxCount !== null && config.otpMaxCount < 1) {
    throw new InvalidBrandConfigError(1535, 'Invalid brand configuration: otpMaxCount must be at least 1');
  }
  if (config.templates) {
    for (const [channel, text] of Object.entries(config.templates)) {
      if (text && !text.includes('{otp}')) {
        throw new InvalidBrandConfigError(1519, `Invalid brand configuration: templates.${channel} must contain {otp}`);
      }
    }
  }
  const firstFactor = config.firstFactor;
  if (firstFactor && !firstFactor.hs256Secret && !firstFactor.hs256SecretRef && !firstFactor.jwksUrl) {
    throw new InvalidBrandConfigError(1519, 'Invalid brand configuration: firstFactor needs an HS256 secret or a JWKS URL');
  }
  if (firstFactor?.jwksUrl && !firstFactor.issuer) {
    throw new InvalidBrandConfigError(1519, 'Invalid brand configuration: firstFactor.issuer is required with a JWKS URL');
  }
  return config;
}
