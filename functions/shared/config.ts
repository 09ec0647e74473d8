import * as z from 'zod/mini';
import { parseEnvironment } from './environment';
import { METRICS_NAMESPACE, MIN_PEPPER_LENGTH, SDK_DEFAULTS, SERVICE_NAME } from './service-defaults';

const positiveInt = z.coerce.number().check(z.int(), z.positive());

const configSchema = z.object({
  /** Every function but jwks; required where a store is built (requireSetting). */
  TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  /** Set only off AWS (the local stack, tests): where DynamoDB listens. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** `sns` on Lambda; `outbox` writes messages to OUTBOX_FILE for local development. */
  OTP_SENDER: z._default(z.enum(['sns', 'outbox']), 'sns'),
  OTP_TOPIC_ARN: z.optional(z.string().check(z.minLength(1))),
  OUTBOX_FILE: z._default(z.string().check(z.minLength(1)), '.local/outbox.jsonl'),
  /** The OTP pepper: a Secrets Manager secret on AWS, or the value itself locally. */
  OTP_PEPPER_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  OTP_PEPPER: z.optional(z.string().check(z.minLength(MIN_PEPPER_LENGTH))),
  /** `kms` on AWS (TOKEN_KMS_KEY_ID); `local` keeps a P-256 key in TOKEN_LOCAL_KEY_FILE. */
  TOKEN_SIGNER: z._default(z.enum(['kms', 'local']), 'kms'),
  TOKEN_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  TOKEN_LOCAL_KEY_FILE: z._default(z.string().check(z.minLength(1)), '.local/token-signing-key.json'),
  TOKEN_ISSUER: z._default(z.string().check(z.minLength(1)), 'mfa-otp'),
  /** Web origins allowed to read answers (comma separated); none by default. */
  ALLOWED_ORIGINS: z.optional(z.string()),
  BRAND_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(60)), 60),
  SDK_CONNECT_TIMEOUT_MS: z._default(positiveInt, SDK_DEFAULTS.connectTimeoutMs),
  SDK_REQUEST_TIMEOUT_MS: z._default(positiveInt, SDK_DEFAULTS.requestTimeoutMs),
  SDK_MAX_ATTEMPTS: z._default(positiveInt, SDK_DEFAULTS.maxAttempts),
  /** Powertools' own variables, which the stack sets: the logs' `service`, the metrics' namespace. */
  POWERTOOLS_SERVICE_NAME: z._default(z.string().check(z.minLength(1)), SERVICE_NAME),
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), METRICS_NAMESPACE),
  /** Set by Lambda: the function runs on AWS. */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
}).check(
  // The outbox echoes every message, OTP included, to the console: on Lambda, to the function's logs.
  z.refine((env) => !(env.AWS_LAMBDA_FUNCTION_NAME && env.OTP_SENDER === 'outbox'), {
    path: ['OTP_SENDER'],
    message: 'outbox is for local development: on Lambda it would write every OTP to the logs',
  }),
);

export type Config = z.infer<typeof configSchema>;

export const config: Config = parseEnvironment(configSchema, process.env);

/**
 * A setting only some functions need: each asks for it where it builds what uses it,
 * at module load, so a function missing its variable fails at once, naming it.
 */
export function requireSetting<K extends keyof Config>(name: K, from: Pick<Config, K> = config): NonNullable<Config[K]> {
  const value = from[name];
  if (value === undefined || value === null) throw new Error(`Invalid configuration: ${name} must be set`);
  return value as NonNullable<Config[K]>;
}
