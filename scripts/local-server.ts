import { join } from 'node:path';
import { startLocalStack } from './local/local-stack';

/** `npm start`: the whole API on this machine, with dynalite and a local outbox. */
async function main(): Promise<void> {
  const localDir = process.env.LOCAL_DIR ?? '.local';
  const stack = await startLocalStack({
    port: Number(process.env.PORT ?? 3000),
    dynamoPort: Number(process.env.DYNAMODB_PORT ?? 8000),
    ...(process.env.DATA_DIR ? { dataDir: process.env.DATA_DIR } : {}),
    localDir,
    outboxFile: process.env.OUTBOX_FILE ?? join(localDir, 'outbox.jsonl'),
    authorizerCacheSeconds: Number(process.env.AUTHORIZER_CACHE_SECONDS ?? 300),
    seedDemo: true,
  });
  const demo = stack.demo;
  const basic = demo ? Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64') : '';
  console.log(
    [
      `MFA OTP API listening on ${stack.url}`,
      `DynamoDB (dynalite) on ${stack.dynamoEndpoint}, table ${stack.tableName}${process.env.DATA_DIR ? `, data in ${process.env.DATA_DIR}` : ', in memory'}`,
      `Outbox: ${process.env.OUTBOX_FILE}`,
      demo ? `Demo brand "${demo.brand}" credential: clientId=${demo.clientId} clientSecret=${demo.clientSecret}` : '',
      demo ? `Authorization: Basic ${basic}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const stop = () => {
    stack.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Could not start the local stack: ${(error as Error).message}`);
  process.exit(1);
});
