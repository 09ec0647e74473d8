import { join } from 'node:path';
import * as z from 'zod/mini';
import { parseOrigins } from '../../functions/shared/cors';
import { parseEnvironment } from '../../functions/shared/environment';

// zod/mini says only "Invalid input" without a locale; a developer or an operator is told
// what is wrong. Only the scripts load one: the handlers answer with the field's name alone.
z.config(z.locales.en());

const port = z.coerce.number().check(z.int(), z.gte(0), z.lte(65_535));

/** What `npm start`, `npm run invoke` and `npm run admin` read from the environment. */
const localSchema = z.object({
  /** The local API's port; 0 picks a free one. */
  PORT: z._default(port, 3000),
  /** Where the local stack's DynamoDB (dynalite) listens, and where the scripts look for it. */
  DYNAMODB_PORT: z._default(port, 8000),
  /** Another DynamoDB to use instead of the local port. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** Keeps dynalite's data across restarts; in memory without it. */
  DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  /** The local stack's keys and outbox. */
  LOCAL_DIR: z._default(z.string().check(z.minLength(1)), '.local'),
  OUTBOX_FILE: z.optional(z.string().check(z.minLength(1))),
  /** How long the local API keeps an authorizer's answer, as the stage's cache does. */
  AUTHORIZER_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 300),
  /** A deployed table for the admin CLI, or another local table. */
  TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Web origins the local API answers the CORS preflight for, as the stage does (the handlers read it too). */
  ALLOWED_ORIGINS: z.optional(z.string()),
});

export interface LocalSettings {
  port: number;
  dynamoPort: number;
  /** DYNAMODB_ENDPOINT, or the local port. */
  dynamoEndpoint: string;
  /** Set only by DYNAMODB_ENDPOINT. */
  explicitDynamoEndpoint?: string;
  dataDir?: string;
  localDir: string;
  outboxFile: string;
  authorizerCacheSeconds: number;
  tableName?: string;
  region: string;
  allowedOrigins: string[];
}

/** The scripts' settings, parsed once; a wrong value stops the script naming the variable. */
export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const parsed = parseEnvironment(localSchema, env);
  return {
    port: parsed.PORT,
    dynamoPort: parsed.DYNAMODB_PORT,
    dynamoEndpoint: parsed.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${parsed.DYNAMODB_PORT}`,
    ...(parsed.DYNAMODB_ENDPOINT ? { explicitDynamoEndpoint: parsed.DYNAMODB_ENDPOINT } : {}),
    ...(parsed.DATA_DIR ? { dataDir: parsed.DATA_DIR } : {}),
    localDir: parsed.LOCAL_DIR,
    outboxFile: parsed.OUTBOX_FILE ?? join(parsed.LOCAL_DIR, 'outbox.jsonl'),
    authorizerCacheSeconds: parsed.AUTHORIZER_CACHE_SECONDS,
    ...(parsed.TABLE_NAME ? { tableName: parsed.TABLE_NAME } : {}),
    region: parsed.AWS_REGION,
    allowedOrigins: parseOrigins(parsed.ALLOWED_ORIGINS),
  };
}
