/**
 * The in-process half of the bench, run in a child process of run.ts with stdout
 * discarded (the handlers log one JSON line a request, as on Lambda). Answers with one
 * IPC message: handler throughput against a bare middy handler, and the AWS calls of
 * one generate request.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext } from '../local/lambda-context';
import { newSessionId } from '../../functions/domain/open-session';
import { ensureTable, localClients, startDynalite } from '../local/dynamo-local';
import { median, sequentialDepth, STEADY_STATE, type CallSpan } from './stats';

const TABLE = 'mfa-otp-bench';
const PHONE = '+18767431754';

export interface CallScenario {
  name: string;
  identifierType: 'MOBILE' | 'USERNAME';
  calls: string[];
  sequential: number;
}

export interface InProcessResult {
  bareOpsPerSec: number;
  /** The bare handler plus the one log line and one EMF line every generate request writes. */
  floorOpsPerSec: number;
  /** The bare handler plus two lines of the same shape, serialised and written without a library. */
  linesOpsPerSec: number;
  /** The bare handler plus the body schema, the OTP and its HMAC: what generate must compute, writing nothing. */
  computeOpsPerSec: number;
  generateOpsPerSec: number;
  rounds: Array<{ bare: number; compute: number; lines: number; floor: number; generate: number }>;
  /** Microseconds per call of the pieces a generate request is made of. */
  costs: Record<string, number>;
  scenarios: CallScenario[];
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown>;

function setEnvironment(dynamoEndpoint: string): void {
  Object.assign(process.env, {
    TABLE_NAME: TABLE,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    OTP_PEPPER: 'bench-pepper-0123456789abcdef',
    OTP_SENDER: 'sns',
    OTP_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:otp-delivery',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SDK_MAX_ATTEMPTS: '1',
  });
}

/** The proxy event of a generate request; a cheap copy per request, as middy mutates it. */
function eventFactory(brand: string, sessionId: string): () => APIGatewayProxyEvent {
  const template: APIGatewayProxyEvent = {
    resource: '/auth/v1/mfa/otp/generate',
    path: '/auth/v1/mfa/otp/generate',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: JSON.stringify({ identifierType: 'MOBILE', identifierValue: PHONE, deviceId: 'device-1', brand, sessionId }),
    requestContext: {
      authorizer: { brand, scopes: 'customer:write', principalId: 'c_bench' },
      requestId: 'bench',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
  return () => ({ ...template, headers: { ...template.headers }, requestContext: { ...template.requestContext } });
}

/**
 * The generate handler loaded anew, sharing every other module (its AWS clients included):
 * a function instance whose brand cache is still empty.
 */
function freshGenerate(): Handler {
  const path = require.resolve('../../functions/otp-generate');
  delete require.cache[path];
  // A require, not an import: only the CommonJS cache can be told to forget one module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path) as { handler: Handler }).handler;
}

/** Completed requests a second with `concurrency` in flight for `ms`; every answer must be a 200. */
async function throughput(handler: Handler, makeEvent: () => APIGatewayProxyEvent, ms: number, concurrency = 32): Promise<number> {
  const context = lambdaContext('bench');
  let done = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const response = await handler(makeEvent(), context);
      if (response.statusCode !== 200) throw new Error(`bench request answered ${response.statusCode}: ${response.body}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1000);
}

/** The fields of generate's log line, as Powertools Logger writes them in a request. */
const logLine = (now: number) => ({
  level: 'INFO',
  message: 'OTP sent',
  timestamp: new Date(now).toISOString(),
  service: 'mfa-otp',
  cold_start: false,
  function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:otp-generate',
  function_memory_size: '512',
  function_name: 'otp-generate',
  function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  sampling_rate: 0,
  xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
  correlation_id: 'bench',
  brand: 'bench',
  channel: 'SMS',
  to: '+1876*****54',
});

/** The fields of generate's EMF line, as Powertools Metrics writes them. */
const emfLine = (now: number) => ({
  _aws: {
    Timestamp: now,
    CloudWatchMetrics: [{ Namespace: 'MfaOtp', Dimensions: [['service', 'brand', 'channel', 'country']], Metrics: [{ Name: 'OtpGenerated', Unit: 'Count' }] }],
  },
  service: 'mfa-otp',
  brand: 'bench',
  channel: 'SMS',
  country: 'JM',
  OtpGenerated: 1,
});

/** Microseconds per call of `fn`, after a warm-up. */
async function microseconds(fn: () => unknown, calls = 5000): Promise<number> {
  for (let i = 0; i < 500; i++) await fn();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  return ((performance.now() - started) * 1000) / calls;
}

/** DynamoDB and SNS answering at once, with what a valid generate request needs to succeed. */
function instantFakes(brand: string, sessionId: string): { dynamo: Send; sns: Send } {
  const windowEnd = Date.now() + 3_600_000;
  const items = [
    { pk: `SESSION#${sessionId}`, brand, identifierType: 'MOBILE', identifierValue: PHONE, identifierCountry: 'JM', deviceId: 'device-1', expiresAt: windowEnd },
    { pk: `BRAND#${brand}`, config: { brand, defaultCountry: 'US', otpMaxCount: 1_000_000, otpTimeOut: 60, otpLength: 6, otpValidityMinutes: 10, mfaMaxOtpRetryCount: 5, mfaSessionExpiryMinutes: 15, externalIdLoginEnabled: false, otpSendForExternalId: 'MOBILE', mobileSubChannel: null, fallbackChannels: ['SMS'], templates: {} } },
    { pk: `OTPCOUNT#${brand}#${PHONE}`, count: 1, windowEnd },
  ];
  return {
    dynamo: async (command) => {
      if (command.constructor.name === 'BatchGetCommand') return { Responses: { [TABLE]: items } };
      if (command.constructor.name === 'UpdateCommand') return { Attributes: { count: 2, windowEnd } };
      throw new Error(`unexpected ${command.constructor.name}`);
    },
    sns: async () => ({ MessageId: randomUUID() }),
  };
}

/** Wraps a client's send so that every call leaves its name and start/end times. */
function recordCalls(client: { send: unknown }, prefix: string, spans: CallSpan[], delayMs = 0): () => void {
  const original = client.send as Send;
  client.send = async (command: Parameters<Send>[0]) => {
    const span: CallSpan = { name: `${prefix}:${command.constructor.name.replace(/Command$/, '')}`, start: performance.now(), end: 0 };
    spans.push(span);
    try {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return await original.call(client, command);
    } finally {
      span.end = performance.now();
    }
  };
  return () => {
    client.send = original;
  };
}

/** What the pieces of a generate request cost on their own: where its time goes. */
async function pieceCosts(bare: Handler, makeEvent: () => APIGatewayProxyEvent): Promise<Record<string, number>> {
  const { jsonRoute } = await import('../../functions/shared/http-middleware');
  const { logger } = await import('../../functions/shared/logger');
  const { countOtp, otpDimensions } = await import('../../functions/shared/metrics');
  const { normaliseMobile } = await import('../../functions/domain/identifiers');
  const { hashOtp, newOtp } = await import('../../functions/domain/otp-code');
  const { parseBody, sessionFields } = await import('../../functions/shared/request-body');
  const z = await import('zod/mini');
  const schema = z.object(sessionFields);
  const body = JSON.parse(makeEvent().body as string) as Record<string, unknown>;
  const stack = middy(async () => ({ statusCode: 200, body: '' })).use(jsonRoute()) as unknown as Handler;
  const context = lambdaContext('bench');
  return {
    'bare middy handler (the baseline)': await microseconds(() => bare(makeEvent(), context)),
    "middy with the routes' middlewares (jsonRoute), empty handler": await microseconds(() => stack(makeEvent(), context)),
    'body schema (zod/mini)': await microseconds(() => parseBody(schema, { ...body })),
    // What token/generate does with every number, and generate only with one not written as its session's.
    [`parse ${PHONE} (libphonenumber, a NANP number)`]: await microseconds(() => normaliseMobile(PHONE, { defaultCountry: 'US' })),
    'parse +447911123456': await microseconds(() => normaliseMobile('+447911123456', { defaultCountry: 'US' })),
    'OTP and its HMAC': await microseconds(() => hashOtp('bench-pepper-0123456789abcdef', 'P-1', newOtp(6))),
    'one log line (Powertools Logger)': await microseconds(() => logger.info('OTP sent', { brand: 'bench', channel: 'SMS', to: '+1876*****54' })),
    'one EMF metric line (Powertools Metrics)': await microseconds(() => countOtp('OtpGenerated', otpDimensions('bench', 'SMS', 'JM'))),
  };
}

async function main(): Promise<void> {
  const dynalite = await startDynalite(0);
  setEnvironment(dynalite.endpoint);
  const { client } = localClients(dynalite.endpoint);
  await ensureTable(client, TABLE);

  const { handler: generate } = (await import('../../functions/otp-generate')) as unknown as { handler: Handler };
  const clients = await import('../../functions/shared/aws-clients');
  const { DynamoStore } = await import('../../functions/shared/dynamo-store');
  const { parseBrandConfig } = await import('../../functions/domain/brand-config-schema');

  // 1. Throughput against instant fakes, alternating with the bare handler and the floor.
  const ok = { statusCode: 200, body: '{"status":{"success":true,"code":200,"message":"SUCCESS"}}' };
  const bare = middy(async (event: APIGatewayProxyEvent) => {
    JSON.parse(event.body ?? '');
    return ok;
  }) as unknown as Handler;
  const { logger } = await import('../../functions/shared/logger');
  const { countOtp, otpDimensions } = await import('../../functions/shared/metrics');
  // What no handler that logs and counts each request can go below: the bare handler
  // plus generate's own log line and EMF line, written by the service's Logger and Metrics.
  const floor = middy(async (event: APIGatewayProxyEvent) => {
    JSON.parse(event.body ?? '');
    countOtp('OtpGenerated', otpDimensions('bench', 'SMS', 'JM'));
    logger.info('OTP sent', { brand: 'bench', channel: 'SMS', to: '+1876*****54' });
    return ok;
  }) as unknown as Handler;
  // The ceiling of any handler that writes a log line and an EMF line a request, whatever
  // library writes them: the same two lines serialised and written by hand, nothing else.
  const lines = middy(async (event: APIGatewayProxyEvent) => {
    JSON.parse(event.body ?? '');
    const now = Date.now();
    process.stdout.write(`${JSON.stringify(emfLine(now))}\n`);
    process.stdout.write(`${JSON.stringify(logLine(now))}\n`);
    return ok;
  }) as unknown as Handler;
  // What no generate can go below even if it wrote nothing and called nothing: the bare
  // handler plus the body schema, a new OTP and the keyed hash that is stored in its place.
  const { hashOtp, newOtp } = await import('../../functions/domain/otp-code');
  const { parseBody, sessionFields } = await import('../../functions/shared/request-body');
  const z = await import('zod/mini');
  const bodySchema = z.object(sessionFields);
  const compute = middy(async (event: APIGatewayProxyEvent) => {
    const body = parseBody(bodySchema, JSON.parse(event.body ?? '') as Record<string, unknown>);
    hashOtp('bench-pepper-0123456789abcdef', body.sessionId, newOtp(6));
    return ok;
  }) as unknown as Handler;
  const fakeSession = newSessionId();
  const fakes = instantFakes('bench', fakeSession);
  const realDynamoSend = clients.documentClient.send;
  const realSnsSend = clients.sns.send;
  Object.assign(clients.documentClient, { send: fakes.dynamo });
  Object.assign(clients.sns, { send: fakes.sns });
  const makeEvent = eventFactory('bench', fakeSession);
  await throughput(bare, makeEvent, 500);
  await throughput(compute, makeEvent, 500);
  await throughput(lines, makeEvent, 500);
  await throughput(floor, makeEvent, 500);
  await throughput(generate, makeEvent, 500);
  const rounds: InProcessResult['rounds'] = [];
  for (let round = 0; round < 3; round++) {
    rounds.push({
      bare: await throughput(bare, makeEvent, 1500),
      compute: await throughput(compute, makeEvent, 1500),
      lines: await throughput(lines, makeEvent, 1500),
      floor: await throughput(floor, makeEvent, 1500),
      generate: await throughput(generate, makeEvent, 1500),
    });
  }
  const costs = await pieceCosts(bare, makeEvent);
  Object.assign(clients.documentClient, { send: realDynamoSend });
  Object.assign(clients.sns, { send: realSnsSend });

  // 2. The calls of one request, against dynalite and an SNS that takes 2 ms.
  const store = new DynamoStore(clients.documentClient, TABLE);
  const config = parseBrandConfig({ brand: 'calls', defaultCountry: 'US', otpMaxCount: 100, otpTimeOut: 10 });
  await store.putBrandConfig(config);
  Object.assign(clients.sns, { send: async () => ({ MessageId: randomUUID() }) });
  const scenarios: CallScenario[] = [];
  await store.putCustomer('calls', { type: 'USERNAME', value: 'jane' }, { mobile: '+18767431756' });
  const scenario = async (
    name: string,
    identifier: { type: 'MOBILE' | 'USERNAME'; value: string },
    options: { uncached?: boolean; written?: string } = {},
  ) => {
    // A fresh copy of the handler's modules, so that its brand cache starts empty.
    const handler = options.uncached ? freshGenerate() : generate;
    const sessionId = newSessionId();
    await store.createSession({ sessionId, brand: 'calls', identifierType: identifier.type, identifierValue: identifier.value, deviceId: 'device-1', expiresAt: Date.now() + 900_000 });
    const spans: CallSpan[] = [];
    const stopDynamo = recordCalls(clients.documentClient, 'DynamoDB', spans);
    const stopSns = recordCalls(clients.sns, 'SNS', spans, 2);
    const event = eventFactory('calls', sessionId)();
    event.body = JSON.stringify({ identifierType: identifier.type, identifierValue: options.written ?? identifier.value, deviceId: 'device-1', brand: 'calls', sessionId });
    const response = await handler(event, lambdaContext('bench'));
    stopDynamo();
    stopSns();
    if (response.statusCode !== 200) throw new Error(`${name}: answered ${response.statusCode}: ${response.body}`);
    scenarios.push({ name, identifierType: identifier.type, calls: spans.sort((a, b) => a.start - b.start).map((s) => s.name), sequential: sequentialDepth(spans) });
  };
  await scenario('MOBILE, brand not cached, first OTP to the number', { type: 'MOBILE', value: '+18767431754' }, { uncached: true });
  await scenario('MOBILE, brand cached, first OTP to the number', { type: 'MOBILE', value: '+18767431755' });
  await scenario(STEADY_STATE, { type: 'MOBILE', value: '+18767431754' });
  await scenario('MOBILE in E.164, brand not cached, number already counted', { type: 'MOBILE', value: '+18767431755' }, { uncached: true });
  // Written nationally, the number's counter key needs the brand's default country first.
  await scenario('MOBILE written nationally, brand not cached, number already counted', { type: 'MOBILE', value: '+18767431755' }, { uncached: true, written: '(876) 743-1755' });
  await scenario("USERNAME, first OTP to the customer's number", { type: 'USERNAME', value: 'jane' });
  await scenario("USERNAME, customer's number already counted", { type: 'USERNAME', value: 'jane' });

  client.destroy();
  clients.documentClient.destroy();
  await dynalite.close();
  const result: InProcessResult = {
    bareOpsPerSec: median(rounds.map((r) => r.bare)),
    floorOpsPerSec: median(rounds.map((r) => r.floor)),
    linesOpsPerSec: median(rounds.map((r) => r.lines)),
    computeOpsPerSec: median(rounds.map((r) => r.compute)),
    generateOpsPerSec: median(rounds.map((r) => r.generate)),
    rounds,
    costs,
    scenarios,
  };
  process.send?.(result);
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
