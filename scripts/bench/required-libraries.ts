/**
 * The cold-start floor of npm run bench: what every generate bundle must load before any
 * of the service's own code runs. The clients the generate path calls (DynamoDB, SNS, and
 * Secrets Manager for the OTP pepper) and the libraries the service is required to use
 * (Powertools Logger and Metrics, middy, a zod/mini schema parsing the environment), each
 * constructed once and doing nothing else; bundled by the same construct as the handlers.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import * as z from 'zod/mini';

const env = z.object({ AWS_REGION: z.string() }).parse(process.env);

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const sns = new SNSClient({});
export const secretsManager = new SecretsManagerClient({});
export const logger = new Logger();
export const metrics = new Metrics();

export const handler = middy(async () => ({ statusCode: 200, body: env.AWS_REGION }));
