import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DynamoStore } from '../functions/shared/dynamo-store';
import { AdminUsageError, runAdmin, UsageText } from './admin/commands';
import { LOCAL_TABLE_NAME } from './local/local-stack-defaults';

/**
 * Without TABLE_NAME it manages the local stack (DYNAMODB_ENDPOINT, default the local
 * port); with TABLE_NAME, the deployed table with the usual AWS credentials.
 */
const tableName = process.env.TABLE_NAME;
const local = !tableName;
const endpoint = process.env.DYNAMODB_ENDPOINT ?? (local ? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}` : undefined);

function storeFromEnvironment(): DynamoStore {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new DynamoDBClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
  });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoStore(documentClient, tableName ?? LOCAL_TABLE_NAME);
}

// zod/mini says only "Invalid input" without a locale; an operator is told what the range is.
// The handlers never load one: this is the admin process only.
z.config(z.locales.en());

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
