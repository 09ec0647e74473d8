import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { localClients } from '../../scripts/local/dynamo-local';
import { startLocalStack, type DemoSeed, type LocalStack } from '../../scripts/local/local-stack';

export interface TestStack {
  stack: LocalStack;
  demo: DemoSeed;
  /** `Basic base64(clientId:clientSecret)` of the demo credential. */
  authorization: string;
  /** A store on the stack's own table. */
  store: DynamoStore;
  outboxFile: string;
  stop(): Promise<void>;
}

export const basicAuthorization = (clientId: string, clientSecret: string) =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

/**
 * The local stack in this process, on the run's dynalite with a table of its own and
 * the demo brand seeded. It sets process.env for the handlers before importing them,
 * so a test file using it must not import handler modules itself.
 */
export async function startTestStack(prefix: string): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const outboxFile = join(dir, 'outbox.jsonl');
  const stack = await startLocalStack({
    port: 0,
    dynamoPort: 0,
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT as string,
    tableName: `mfa-otp-${prefix}-${randomUUID().slice(0, 8)}`,
    localDir: dir,
    outboxFile,
    authorizerCacheSeconds: 300,
    seedDemo: true,
  });
  const demo = stack.demo as DemoSeed;
  const { client, documentClient } = localClients(stack.dynamoEndpoint);
  return {
    stack,
    demo,
    authorization: basicAuthorization(demo.clientId, demo.clientSecret),
    store: new DynamoStore(documentClient, stack.tableName),
    outboxFile,
    stop: async () => {
      client.destroy();
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
