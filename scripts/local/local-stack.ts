import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { createCredentials, putBrand } from '../admin/commands';
import { createApiServer, type Route } from './api-server';
import { ensureTable, localClients, startDynalite } from './dynamo-local';
import { LOCAL_TABLE_NAME } from './local-stack-defaults';

export interface LocalStackOptions {
  port: number;
  dynamoPort: number;
  /** Where dynalite persists, the pepper and the signing key live; in memory without it. */
  dataDir?: string;
  /** Use a DynamoDB that is already running instead of starting dynalite. */
  dynamoEndpoint?: string;
  localDir: string;
  outboxFile: string;
  tableName?: string;
  authorizerCacheSeconds: number;
  seedDemo: boolean;
}

export interface DemoSeed {
  brand: string;
  clientId: string;
  clientSecret: string;
}

export interface LocalStack {
  url: string;
  dynamoEndpoint: string;
  tableName: string;
  demo?: DemoSeed;
  close(): Promise<void>;
}

export const DEMO_BRAND = 'demo';

/** Middy handlers take an optional third argument; API Gateway passes two. */
const proxyHandler = (handler: unknown) => handler as Route['handler'];

/** A pepper kept beside the data, so OTPs issued before a restart still validate after it. */
function localPepper(localDir: string): string {
  const file = join(localDir, 'otp-pepper');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pepper = randomBytes(32).toString('base64url');
  mkdirSync(localDir, { recursive: true });
  writeFileSync(file, pepper, { mode: 0o600 });
  return pepper;
}

/** dynalite, the table, the demo brand and the API, all in this process. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, close: async () => undefined }
    : await startDynalite(options.dynamoPort, options.dataDir);
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;

  // The handlers read their configuration when first loaded, so it is set before they are.
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.OTP_SENDER = 'outbox';
  process.env.OUTBOX_FILE = options.outboxFile;
  process.env.OTP_PEPPER ??= localPepper(options.localDir);
  process.env.TOKEN_SIGNER = 'local';
  process.env.TOKEN_LOCAL_KEY_FILE ??= join(options.localDir, 'token-signing-key.json');
  process.env.AWS_REGION ??= 'us-east-1';
  // The local stack runs on Node 20 too; Lambda runs Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  delete process.env.OTP_PEPPER_SECRET_ARN;

  const { client, documentClient } = localClients(dynamo.endpoint);
  await ensureTable(client, tableName);
  const store = new DynamoStore(documentClient, tableName);
  const demo = options.seedDemo ? await seedDemo(store) : undefined;

  const [authorizer, otpGenerate, otpValidate, tokenGenerate, jwks] = await Promise.all([
    import('../../functions/authorizer'),
    import('../../functions/otp-generate'),
    import('../../functions/otp-validate'),
    import('../../functions/token-generate'),
    import('../../functions/jwks'),
  ]);
  const routes: Route[] = [
    { method: 'POST', path: '/auth/v1/mfa/token/generate', functionName: 'token-generate', handler: proxyHandler(tokenGenerate.handler), authorized: true },
    { method: 'POST', path: '/auth/v1/mfa/otp/generate', functionName: 'otp-generate', handler: proxyHandler(otpGenerate.handler), authorized: true },
    { method: 'POST', path: '/auth/v1/mfa/otp/validate', functionName: 'otp-validate', handler: proxyHandler(otpValidate.handler), authorized: true },
    { method: 'GET', path: '/auth/v1/mfa/.well-known/jwks.json', functionName: 'jwks', handler: proxyHandler(jwks.handler), authorized: false },
  ];
  const server: Server = createApiServer({
    routes,
    authorizer: authorizer.handler as Parameters<typeof createApiServer>[0]['authorizer'],
    authorizerCacheSeconds: options.authorizerCacheSeconds,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    ...(demo ? { demo } : {}),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.destroy();
      await dynamo.close();
    },
  };
}

/** The demo brand of the quick start, and a fresh credential for it. */
async function seedDemo(store: DynamoStore): Promise<DemoSeed> {
  const deps = { store, now: Date.now };
  const existing = await store.getBrandConfig(DEMO_BRAND);
  if (!existing) {
    await putBrand(
      {
        brand: DEMO_BRAND,
        'default-country': 'US',
        'otp-max-count': '5',
        'otp-timeout': '10',
        'first-factor-hs256-secret': randomBytes(32).toString('base64url'),
      },
      deps,
    );
  }
  const credential = await createCredentials(DEMO_BRAND, ['customer:write'], deps);
  return { brand: DEMO_BRAND, clientId: credential.clientId, clientSecret: credential.clientSecret };
}
