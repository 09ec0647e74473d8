import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WRITE_CUSTOMERS } from '../../functions/shared/caller';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { createCredentials, putBrand } from '../admin/commands';
import { createApiServer, type Route } from './api-server';
import { ensureTable, localClients, startDynalite } from './dynamo-local';
import { applyLocalEnvironment } from './local-env';
import { LOCAL_TABLE_NAME } from './local-stack-defaults';

export interface LocalStackOptions {
  port: number;
  dynamoPort: number;
  /** Where dynalite persists its tables; in memory without it. */
  dataDir?: string;
  /** Use a DynamoDB that is already running instead of starting dynalite. */
  dynamoEndpoint?: string;
  localDir: string;
  outboxFile: string;
  tableName?: string;
  authorizerCacheSeconds: number;
  /** Origins the API answers the CORS preflight for; none by default. */
  allowedOrigins?: readonly string[];
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

const DEMO_BRAND = 'demo';

/** Middy handlers take an optional third argument; API Gateway passes two. */
const proxyHandler = (handler: unknown) => handler as Route['handler'];

/** dynalite, the table, the demo brand and the API, all in this process. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, close: async () => undefined }
    : await startDynalite(options.dynamoPort, options.dataDir);
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;

  applyLocalEnvironment({ dynamoEndpoint: dynamo.endpoint, tableName, localDir: options.localDir, outboxFile: options.outboxFile });

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
    allowedOrigins: options.allowedOrigins ?? [],
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
  const credential = await createCredentials(DEMO_BRAND, [WRITE_CUSTOMERS], deps);
  return { brand: DEMO_BRAND, clientId: credential.clientId, clientSecret: credential.clientSecret };
}
