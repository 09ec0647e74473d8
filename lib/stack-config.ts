import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Everything an operator may set with `-c key=value` (or in cdk.json), already checked. */
export interface StackConfig {
  readonly stage: Stage;
  readonly account?: string;
  readonly region?: string;
  /** Account-wide default SMS sender ID; a brand's own `smsSenderId` wins per message. */
  readonly smsSenderId?: string;
  readonly allowedOrigins: readonly string[];
  readonly smsMonthlySpendLimitUsd: number;
  readonly alarmEmail?: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly authorizerCacheTtlSeconds: number;
  /** Requests per client IP in any 5-minute window before WAF blocks that IP. */
  readonly wafRateLimitPerIp: number;
  /** Blocked requests per 5 minutes that count as a spike worth an alarm. */
  readonly wafBlockedAlarmThreshold: number;
  /** `iss` of the tokens this service signs; the API's base URL when unset. */
  readonly tokenIssuer?: string;
  /** Secrets Manager name prefix under which brands' HS256 first-factor secrets live. */
  readonly firstFactorSecretPrefix: string;
  readonly logRetention: RetentionDays;
}

const LOG_RETENTION_DEFAULT_DAYS: Record<Stage, number> = { dev: 30, prod: 365 };

const positiveInt = z.coerce.number().int().positive();

// `-c allowedOrigins=https://a.example,https://b.example` arrives as one string; cdk.json may hold a list.
const originList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((origin) => origin.trim()).filter(Boolean) : value),
  z
    .array(
      z
        .string()
        .regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/i, 'an origin is https://host[:port], without a path or trailing slash'),
    )
    .default([]),
);

const contextSchema = z.object({
  stage: z.enum(STAGES).default('dev'),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account ID').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1').optional(),
  // SNS sender IDs: 1-11 letters and digits, at least one letter.
  smsSenderId: z
    .string()
    .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, '1-11 letters and digits, at least one letter')
    .optional(),
  allowedOrigins: originList,
  // The SNS default for a new account is 1 USD; a higher value needs a raised account quota first.
  smsMonthlySpendLimitUsd: z.coerce.number().positive().default(1),
  alarmEmail: z.email().optional(),
  throttleRateLimit: positiveInt.default(50),
  throttleBurstLimit: positiveInt.default(100),
  authorizerCacheTtlSeconds: z.coerce.number().int().min(0).max(3600).default(300),
  // WAF's floor is 10; brands call from a few backend IPs, so the default leaves them room.
  wafRateLimitPerIp: z.coerce.number().int().min(10).max(2_000_000_000).default(1000),
  wafBlockedAlarmThreshold: positiveInt.default(100),
  tokenIssuer: z.url({ protocol: /^https$/ }).optional(),
  firstFactorSecretPrefix: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]+\/$/, 'a Secrets Manager name prefix ending in "/"')
    .optional(),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => (Object.values(RetentionDays) as number[]).includes(days), 'one of the CloudWatch Logs retention periods')
    .optional(),
});

/** The context keys, the schema's own, so that docs/deploy.md and the parser agree. */
export const CONTEXT_KEYS = contextSchema.keyof().options;

/** A context value synth cannot go on with; bin/app.ts prints its message alone. */
export class InvalidContextError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid CDK context: ${problems.join('; ')}`);
    this.name = 'InvalidContextError';
  }
}

const spelling = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** CDK's own keys are namespaced (`@aws-cdk/...`, `aws:cdk:...`, lookups); an operator's are plain words. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Keys an operator meant for this app that it does not know: one of ours spelt another
 * way (`Stage`, `alarm-email`), or any plain word that is not ours (`smsSpendLimit`).
 * CDK would pass them by, and `-c Stage=prod` would quietly synthesize dev.
 */
function unknownKeys(node: Node): string[] {
  const ours = new Map<string, string>(CONTEXT_KEYS.map((key) => [spelling(key), key]));
  return Object.keys(node.getAllContext() as Record<string, unknown>)
    .filter((key) => !(CONTEXT_KEYS as readonly string[]).includes(key) && (ours.has(spelling(key)) || PLAIN_KEY.test(key)))
    .map((key) => {
      const meant = ours.get(spelling(key));
      return `${key}: unknown key, ${meant ? `did you mean ${meant}?` : 'see docs/deploy.md for the keys'}`;
    });
}

/** Reads and checks the context; an invalid value or an unknown key stops synth, naming the key. */
export function readStackConfig(node: Node): StackConfig {
  const unknown = unknownKeys(node);
  if (unknown.length > 0) throw new InvalidContextError(unknown);
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value: unknown = node.tryGetContext(key);
    // `-c alarmEmail=` is how a shell says "unset".
    raw[key] = value === '' ? undefined : value;
  }
  const result = contextSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new InvalidContextError(problems);
  }
  const { logRetentionDays, firstFactorSecretPrefix, ...context } = result.data;
  return {
    ...context,
    // The stage in the default: a dev and a prod stack in one account must not read each other's secrets.
    firstFactorSecretPrefix: firstFactorSecretPrefix ?? `mfa-otp/${context.stage}/first-factor/`,
    logRetention: (logRetentionDays ?? LOG_RETENTION_DEFAULT_DAYS[context.stage]) as RetentionDays,
  };
}
