import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BuildHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import { tracingEnabled } from '../../functions/shared/aws-clients';
import { daemonAddress, xrayMiddleware, type Subsegment, type TraceContext } from '../../functions/shared/xray-tracing';

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
const ROOT = '1-6745a1b2-0123456789abcdef01234567';
const PARENT = '53995c3f42cd8ad8';
/** The parent of a sampled control call: the datagram after one that must send nothing is the control's. */
const CONTROL_PARENT = '0123456789abcdef';
const SAMPLED: TraceContext = { root: ROOT, parent: PARENT, sampled: true, extra: ';Lineage=a87bd80c:0' };

interface FakeCall {
  input?: Record<string, unknown>;
  context?: Partial<HandlerExecutionContext>;
  trace?: TraceContext | undefined;
  outcome: { output: Record<string, unknown> } | { error: Error & Record<string, unknown> };
}

/** Runs one call through the middleware with a fake next; answers what was sent and the header. */
async function runCall(call: FakeCall) {
  const sent: Subsegment[] = [];
  let clock = 1_732_000_000_000;
  const middleware = xrayMiddleware({ region: 'eu-west-1', sink: (document) => sent.push(document), trace: () => call.trace, now: () => (clock += 25) });
  const args = { input: call.input ?? {}, request: { headers: {} as Record<string, string> } } as unknown as BuildHandlerArguments<object>;
  const next = async () => {
    if ('error' in call.outcome) throw call.outcome.error;
    return { output: call.outcome.output, response: {} };
  };
  const context = { clientName: 'DynamoDBClient', commandName: 'UpdateItemCommand', ...call.context } as HandlerExecutionContext;
  const result = await middleware(next as never, context)(args).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { sent, result, header: (args.request as { headers: Record<string, string> }).headers['X-Amzn-Trace-Id'] };
}

function serviceError(name: string, status: number | undefined, message = 'refused'): Error & Record<string, unknown> {
  return Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status, requestId: 'R-1', attempts: 3 } } : {}) }) as Error & Record<string, unknown>;
}

describe('tracingEnabled', () => {
  it.each<[string, string, Record<string, string>]>([
    ['on', 'on Lambda', LAMBDA],
    ['off', 'off Lambda (tests, the local stack)', {}],
    ['off', 'on Lambda with POWERTOOLS_TRACE_ENABLED=false', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }],
    ['off', 'under SAM local', { ...LAMBDA, AWS_SAM_LOCAL: 'true' }],
  ])('is %s %s', (expected, _label, env) => {
    expect(tracingEnabled(env)).toBe(expected === 'on');
  });
});

describe('daemonAddress', () => {
  it.each([
    ['169.254.79.129:2000', { host: '169.254.79.129', port: 2000 }],
    ['tcp:10.0.0.1:2000 udp:10.0.0.2:2001', { host: '10.0.0.2', port: 2001 }],
    [undefined, { host: '127.0.0.1', port: 2000 }],
    ['nonsense', { host: '127.0.0.1', port: 2000 }],
  ])('reads %p', (value, expected) => {
    expect(daemonAddress(value)).toEqual(expected);
  });
});

describe('xrayMiddleware', () => {
  it('writes an aws subsegment of the function segment when a sampled call succeeds', async () => {
    const { sent, result } = await runCall({
      trace: SAMPLED,
      input: { TableName: 'mfa-otp', Key: { pk: 'OTPCOUNT#acme#+18767431754' } },
      outcome: { output: { $metadata: { httpStatusCode: 200, requestId: 'R-42', attempts: 2 } } },
    });

    expect(result).toHaveProperty('value');
    expect(sent).toEqual([
      {
        name: 'DynamoDB',
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        trace_id: ROOT,
        parent_id: PARENT,
        type: 'subsegment',
        namespace: 'aws',
        start_time: 1_732_000_000.025,
        end_time: 1_732_000_000.05,
        aws: { operation: 'UpdateItem', region: 'eu-west-1', request_id: 'R-42', retries: 1, table_name: 'mfa-otp' },
        http: { response: { status: 200 } },
      },
    ]);
  });

  it('names the subsegment it opened as the parent in the trace header sent to AWS', async () => {
    const { sent, header } = await runCall({ trace: SAMPLED, outcome: { output: { $metadata: { httpStatusCode: 200 } } } });

    expect(header).toBe(`Root=${ROOT};Parent=${sent[0]?.id};Sampled=1;Lineage=a87bd80c:0`);
  });

  it('records table and topic names but never keys, numbers or messages', async () => {
    const batch = await runCall({
      trace: SAMPLED,
      context: { commandName: 'BatchGetItemCommand' },
      input: { RequestItems: { 'mfa-otp': { Keys: [{ pk: 'SESSION#P-1' }] } } },
      outcome: { output: { $metadata: { httpStatusCode: 200 } } },
    });
    const publish = await runCall({
      trace: SAMPLED,
      context: { clientName: 'SNSClient', commandName: 'PublishCommand' },
      input: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:otp', PhoneNumber: '+18767431754', Message: 'Your code is 123456' },
      outcome: { output: { $metadata: { httpStatusCode: 200 } } },
    });

    expect(batch.sent[0]?.aws).toMatchObject({ operation: 'BatchGetItem', table_names: ['mfa-otp'] });
    expect(publish.sent[0]).toMatchObject({ name: 'SNS', aws: { operation: 'Publish', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:otp' } });
    const text = JSON.stringify([batch.sent, publish.sent]);
    expect(text).not.toContain('SESSION#P-1');
    expect(text).not.toContain('8767431754');
    expect(text).not.toContain('123456"');
  });

  it.each<[string, Error & Record<string, unknown>, Partial<Subsegment>]>([
    ['throttled', serviceError('ProvisionedThroughputExceededException', 400), { error: true, throttle: true }],
    ['answered 429', serviceError('TooManyRequests', 429), { error: true, throttle: true }],
    ['refused by the caller\'s fault', serviceError('ConditionalCheckFailedException', 400), { error: true }],
    ['failed on the service side', serviceError('InternalServerError', 500), { fault: true }],
    ['never answered', serviceError('TimeoutError', undefined), { fault: true }],
  ])('flags a call that was %s and still throws its error', async (_label, error, flags) => {
    const { sent, result } = await runCall({ trace: SAMPLED, outcome: { error } });

    expect(result).toEqual({ error });
    expect(sent).toHaveLength(1);
    const { error: isError, fault, throttle } = sent[0] as Subsegment;
    expect({ error: isError, fault, throttle }).toEqual({ error: undefined, fault: undefined, throttle: undefined, ...flags });
    expect(sent[0]?.cause?.exceptions[0]).toMatchObject({ type: error.name, remote: true });
  });

  it('masks a phone number an error message quotes', async () => {
    const { sent } = await runCall({ trace: SAMPLED, outcome: { error: serviceError('InvalidParameter', 400, 'Invalid parameter: PhoneNumber +18767431754') } });

    expect(sent[0]?.cause?.exceptions[0]?.message).toBe('Invalid parameter: PhoneNumber +1876*****54');
  });

  it.each([
    ['the invocation is not sampled', { ...SAMPLED, sampled: false }],
    ['there is no trace', undefined],
  ])('writes nothing and leaves the header alone when %s', async (_label, trace) => {
    const { sent, header, result } = await runCall({ trace, outcome: { output: { $metadata: { httpStatusCode: 200 } } } });

    expect(result).toHaveProperty('value');
    expect(sent).toEqual([]);
    expect(header).toBeUndefined();
  });

  it('throws the call\'s own error even when that error cannot be described', async () => {
    const odd = Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('unreadable'); } });
    const { sent, result } = await runCall({ trace: SAMPLED, outcome: { error: odd as Error & Record<string, unknown> } });

    expect((result as { error?: unknown }).error).toBe(odd);
    expect(sent).toEqual([]);
  });

  it('lets the call succeed when the sink throws', async () => {
    const middleware = xrayMiddleware({ region: 'eu-west-1', sink: () => { throw new Error('socket gone'); }, trace: () => SAMPLED, now: Date.now });
    const args = { input: {}, request: { headers: {} } } as unknown as BuildHandlerArguments<object>;
    const next = async () => ({ output: { $metadata: { httpStatusCode: 200 } }, response: {} });

    await expect(middleware(next as never, { clientName: 'SNSClient', commandName: 'PublishCommand' })(args)).resolves.toBeDefined();
  });
});

describe('the traced clients', () => {
  let daemon: Socket;
  let received: string[];
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    received = [];
    daemon = createSocket('udp4');
    daemon.on('message', (message) => received.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  });

  afterEach(() => {
    process.env = { ...savedEnv };
    daemon.close();
  });

  /** aws-clients loaded afresh as on Lambda, its daemon this test's UDP socket. */
  async function lambdaClients(extra: Record<string, string> = {}) {
    Object.assign(process.env, LAMBDA, { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}` }, extra);
    let clients: typeof import('../../functions/shared/aws-clients') | undefined;
    await jest.isolateModulesAsync(async () => {
      clients = await import('../../functions/shared/aws-clients');
    });
    return clients as NonNullable<typeof clients>;
  }

  /** The next datagram the daemon receives, waiting for it; none at all fails the test on its timeout. */
  const nextDatagram = async (): Promise<string> => {
    while (received.length === 0) await once(daemon, 'message');
    return received.shift() as string;
  };

  /** A sampled GetItem under CONTROL_PARENT: it must reach the daemon. */
  const controlCall = async (documentClient: { send: (command: GetCommand) => Promise<unknown> }) => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${CONTROL_PARENT};Sampled=1`;
    await documentClient.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'TRACE#control' } }));
  };
  const parentOf = (datagram: string) => (JSON.parse(datagram.split('\n')[1] as string) as Subsegment).parent_id;

  it('sends a DynamoDB call to the X-Ray daemon as a subsegment of the invocation', async () => {
    const { documentClient } = await lambdaClients();
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=1`;

    await documentClient.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'TRACE#nothing' } }));
    const datagram = await nextDatagram();

    const [header, body] = datagram.split('\n');
    expect(JSON.parse(header as string)).toEqual({ format: 'json', version: 1 });
    expect(JSON.parse(body as string)).toMatchObject({
      name: 'DynamoDB',
      trace_id: ROOT,
      parent_id: PARENT,
      type: 'subsegment',
      namespace: 'aws',
      aws: { operation: 'GetItem', table_name: process.env.TABLE_NAME, retries: 0 },
      http: { response: { status: 200 } },
    });
    documentClient.destroy();
  });

  it('records a failed conditional write as an error and sends nothing for an unsampled call', async () => {
    const { documentClient } = await lambdaClients();
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
    const failing = new UpdateCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: 'TRACE#absent' },
      UpdateExpression: 'SET n = :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
    });

    await expect(documentClient.send(failing)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const failed = JSON.parse((await nextDatagram()).split('\n')[1] ?? '{}') as Subsegment;
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=0`;
    await documentClient.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'TRACE#nothing' } }));
    await controlCall(documentClient);

    expect(failed).toMatchObject({ aws: { operation: 'UpdateItem' }, http: { response: { status: 400 } }, error: true });
    expect(parentOf(await nextDatagram())).toBe(CONTROL_PARENT);
    documentClient.destroy();
  });

  it('leaves the clients untraced off Lambda', async () => {
    Object.assign(process.env, {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${PARENT};Sampled=1`,
    });
    delete process.env.AWS_EXECUTION_ENV;
    let clients: typeof import('../../functions/shared/aws-clients') | undefined;
    await jest.isolateModulesAsync(async () => {
      clients = await import('../../functions/shared/aws-clients');
    });
    const { documentClient } = clients as NonNullable<typeof clients>;
    const traced = (await lambdaClients()).documentClient;

    await documentClient.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'TRACE#nothing' } }));
    await controlCall(traced);

    expect(parentOf(await nextDatagram())).toBe(CONTROL_PARENT);
    documentClient.destroy();
    traced.destroy();
  });
});
