import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore, storeDocumentClient } from '../functions/shared/dynamo-store';
import { AdminUsageError, runAdmin, UsageText } from './admin/commands';
import { localSettings, type LocalSettings } from './local/local-settings';
import { LOCAL_TABLE_NAME } from './local/local-stack-defaults';

/**
 * Without TABLE_NAME it manages the local stack (DYNAMODB_ENDPOINT, default the local
 * port); with TABLE_NAME, the deployed table with the usual AWS credentials.
 */
function settingsOrExit(): LocalSettings {
  try {
    return localSettings();
  } catch (error) {
    process.stderr.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
    process.exit(2);
  }
}

const settings = settingsOrExit();
const local = !settings.tableName;
const endpoint = local ? settings.dynamoEndpoint : settings.explicitDynamoEndpoint;

function storeFromEnvironment(): DynamoStore {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new DynamoDBClient({
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
  });
  return new DynamoStore(storeDocumentClient(client), settings.tableName ?? LOCAL_TABLE_NAME);
}

runAdmin(process.argv.slice(2), { store: storeFromEnvironment(), now: Date.now })
  .then((output) => {
    process.stdout.write(output instanceof UsageText ? `${output.text}\n` : `${JSON.stringify(output, null, 2)}\n`);
  })
  .catch((error: unknown) => {
    if (error instanceof AdminUsageError) {
      // A refused value comes as JSON with its envelope code; the usage is text to read.
      process.stderr.write(error.code ? `${JSON.stringify({ error: error.message, code: error.code })}\n` : `${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const name = (error as Error).name;
    const hint =
      name === 'ResourceNotFoundException'
        ? ' (is the table there? start the local stack with npm start, or set TABLE_NAME)'
        : (error as NodeJS.ErrnoException).code === 'ECONNREFUSED' && endpoint
          ? ` (nothing answers at ${endpoint}: start the local stack with npm start, or set DYNAMODB_PORT or DYNAMODB_ENDPOINT to where its DynamoDB listens)`
          : '';
    process.stderr.write(`${JSON.stringify({ error: `${name}: ${(error as Error).message}${hint}` })}\n`);
    process.exitCode = 1;
  });
