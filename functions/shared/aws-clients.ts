import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { config } from './config';
import { storeDocumentClient } from './dynamo-store';
import { traceClient } from './xray-tracing';

/**
 * The AWS clients, created once per Lambda instance. Timeouts sit well inside the
 * function timeout so that a slow dependency becomes a 503 the client can retry,
 * not a Lambda timeout. Since @smithy/node-http-handler 4.x a passed requestTimeout
 * only logs a warning unless throwOnRequestTimeout is set: without it a hung call
 * waits for the Lambda timeout.
 */
const requestHandler = new NodeHttpHandler({
  connectionTimeout: config.SDK_CONNECT_TIMEOUT_MS,
  requestTimeout: config.SDK_REQUEST_TIMEOUT_MS,
  throwOnRequestTimeout: true,
});

const common = {
  region: config.AWS_REGION,
  maxAttempts: config.SDK_MAX_ATTEMPTS,
  requestHandler,
};

/**
 * Whether AWS calls are traced: on Lambda (where active tracing gives each invocation
 * a segment), not under SAM or Amplify, unless POWERTOOLS_TRACE_ENABLED=false.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() === 'false') return false;
  if (env.AWS_SAM_LOCAL === 'true' || env.AWS_AMPLIFY === 'true') return false;
  return (env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');
}

const tracing = tracingEnabled();

/** A client whose calls become X-Ray subsegments when tracing is on; the client itself otherwise. */
export function traced<T extends Parameters<typeof traceClient>[0]>(client: T): T {
  return tracing ? traceClient(client, { region: config.AWS_REGION }) : client;
}

// `@__PURE__` lets esbuild drop the clients a function never uses, so each bundle
// carries only its own SDK clients although they all live in this one module.
export const dynamoDb = /* @__PURE__ */ traced(
  /* @__PURE__ */ new DynamoDBClient({ ...common, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }),
);

export const documentClient = /* @__PURE__ */ storeDocumentClient(dynamoDb);

export const sns = /* @__PURE__ */ traced(/* @__PURE__ */ new SNSClient(common));

export const kms = /* @__PURE__ */ traced(/* @__PURE__ */ new KMSClient(common));

// For the OTP pepper (functions/shared/otp-pepper.ts) and the secrets read through Powertools
// Parameters (functions/shared/secrets.ts), which would otherwise build a client of its own
// with no timeouts and no tracing.
export const secretsManager = /* @__PURE__ */ traced(/* @__PURE__ */ new SecretsManagerClient(common));
