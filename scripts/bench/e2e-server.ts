/**
 * A server for the end-to-end half of the bench, run in a child process of run.ts so
 * that autocannon (in the parent) and the server do not share an event loop. Argument
 * `stack`: the local stack (API, authorizer, handlers and dynalite in this process),
 * with a brand, a credential and sessions to generate OTPs for; `dynalite`: dynalite
 * alone, with PutItem requests. Answers with one IPC message: the URL and the requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSessionId } from '../../functions/domain/open-session';
import { tableKeys } from '../../functions/shared/table-keys';
import { ensureTable, localClients, startDynalite } from '../local/dynamo-local';

export interface BenchRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface E2eServer {
  url: string;
  requests: BenchRequest[];
}

/** Undone when run.ts stops this process with SIGTERM: servers closed, data directory removed. */
const cleanups: Array<() => unknown> = [];
process.once('SIGTERM', async () => {
  // In order: the servers first, so that no request in flight writes to the directory after it is gone.
  for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
  process.exit(0);
});

/** Distinct numbers, so that each request counts against its own rate-limit item. */
const SESSIONS = 200;
const TABLE = 'mfa-otp-bench';

async function startStack(): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-otp-bench-stack-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const { startLocalStack } = await import('../local/local-stack');
  const stack = await startLocalStack({
    port: 0,
    dynamoPort: 0,
    localDir: dir,
    outboxFile: join(dir, 'outbox.jsonl'),
    tableName: TABLE,
    // API Gateway caches the authorizer's answer per Authorization header, as the stage does.
    authorizerCacheSeconds: 300,
    seedDemo: false,
  });
  cleanups.unshift(() => stack.close());
  const { DynamoStore } = await import('../../functions/shared/dynamo-store');
  const { MAX_OTP_COUNT, parseBrandConfig } = await import('../../functions/domain/brand-config-schema');
  const { createCredentials } = await import('../admin/commands');
  const store = new DynamoStore(localClients(stack.dynamoEndpoint).documentClient, stack.tableName);
  const brand = 'bench';
  // A limit no run reaches (a few hundred requests per number at most): every request takes the counter write, none is refused.
  await store.putBrandConfig(parseBrandConfig({ brand, defaultCountry: 'US', otpMaxCount: MAX_OTP_COUNT, otpTimeOut: 60 }));
  const credential = await createCredentials(brand, ['customer:write'], { store, now: Date.now });
  const authorization = `Basic ${Buffer.from(`${credential.clientId}:${credential.clientSecret}`).toString('base64')}`;
  const requests: BenchRequest[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const sessionId = newSessionId();
    const phone = `+1876743${String(1000 + i).padStart(4, '0')}`;
    await store.createSession({ sessionId, brand, identifierType: 'MOBILE', identifierValue: phone, deviceId: 'device-1', expiresAt: Date.now() + 3_600_000 });
    requests.push({
      method: 'POST',
      path: '/auth/v1/mfa/otp/generate',
      headers: { 'Content-Type': 'application/json', Authorization: authorization },
      body: JSON.stringify({ identifierType: 'MOBILE', identifierValue: phone, deviceId: 'device-1', brand, sessionId }),
    });
  }
  return { url: stack.url, requests };
}

async function startBareDynalite(): Promise<E2eServer> {
  const dynamo = await startDynalite(0);
  cleanups.push(() => dynamo.close());
  const { client } = localClients(dynamo.endpoint);
  await ensureTable(client, TABLE);
  client.destroy();
  // dynalite checks that a signature is present, not that it is right.
  const headers = {
    'Content-Type': 'application/x-amz-json-1.0',
    'X-Amz-Target': 'DynamoDB_20120810.PutItem',
    'X-Amz-Date': '20250101T000000Z',
    Authorization: 'AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
  };
  const requests: BenchRequest[] = Array.from({ length: SESSIONS }, (_, i) => ({
    method: 'POST',
    path: '/',
    headers,
    body: JSON.stringify({ TableName: TABLE, Item: { pk: { S: tableKeys.counter(`bench#${i}`) }, count: { N: '1' }, windowEnd: { N: String(Date.now()) } } }),
  }));
  return { url: dynamo.endpoint, requests };
}

(process.argv[2] === 'dynalite' ? startBareDynalite() : startStack())
  .then((server) => process.send?.(server))
  .catch((error: unknown) => {
    process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  });
