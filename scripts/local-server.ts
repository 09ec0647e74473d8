import { localSettings } from './local/local-settings';
import { startLocalStack } from './local/local-stack';

/** `npm start`: the whole API on this machine, with dynalite and a local outbox. */
async function main(): Promise<void> {
  const settings = localSettings();
  const stack = await startLocalStack({
    port: settings.port,
    dynamoPort: settings.dynamoPort,
    ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
    // A DynamoDB already running (DynamoDB Local, say) in place of dynalite, and another table.
    ...(settings.explicitDynamoEndpoint ? { dynamoEndpoint: settings.explicitDynamoEndpoint } : {}),
    ...(settings.tableName ? { tableName: settings.tableName } : {}),
    localDir: settings.localDir,
    outboxFile: settings.outboxFile,
    authorizerCacheSeconds: settings.authorizerCacheSeconds,
    allowedOrigins: settings.allowedOrigins,
    seedDemo: true,
  });
  const demo = stack.demo;
  const basic = demo ? Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64') : '';
  console.log(
    [
      `MFA OTP API listening on ${stack.url}`,
      settings.explicitDynamoEndpoint
        ? `DynamoDB on ${stack.dynamoEndpoint}, table ${stack.tableName}`
        : `DynamoDB (dynalite) on ${stack.dynamoEndpoint}, table ${stack.tableName}${settings.dataDir ? `, data in ${settings.dataDir}` : ', in memory'}`,
      `Outbox: ${settings.outboxFile}`,
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
