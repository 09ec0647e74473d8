/**
 * The cold-start baseline of npm run bench: a function that only constructs the two
 * clients the generate path needs, bundled by the same construct as the handlers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const sns = new SNSClient({});

export const handler = async () => ({ statusCode: 200, body: '' });
