import { ensureTable, localClients, startDynalite, type LocalDynamo } from '../../scripts/local/dynamo-local';

declare global {
  var __DYNALITE__: LocalDynamo | undefined;
}

/** One dynalite for the whole run; test files keep apart by using their own brands and ids. */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynalite(0);
  const tableName = process.env.TABLE_NAME ?? 'mfa-otp-test';
  const { client } = localClients(dynamo.endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  globalThis.__DYNALITE__ = dynamo;
  // Workers start after this and inherit the environment.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = tableName;
}
