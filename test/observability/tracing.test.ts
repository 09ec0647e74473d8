import { tracingEnabled } from '../../functions/shared/aws-clients';

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

/** The clients module loaded afresh with `env`, Powertools Tracer replaced by a recorder. */
async function loadClients(env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const loads = { tracer: 0, captured: [] as string[] };
  try {
    let clients: typeof import('../../functions/shared/aws-clients') | undefined;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('@aws-lambda-powertools/tracer', () => {
        loads.tracer++;
        return {
          Tracer: class {
            captureAWSv3Client<T extends { constructor: { name: string } }>(client: T): T {
              loads.captured.push(client.constructor.name);
              return client;
            }
          },
        };
      });
      clients = await import('../../functions/shared/aws-clients');
    });
    return { clients: clients as NonNullable<typeof clients>, loads };
  } finally {
    process.env = saved;
    jest.dontMock('@aws-lambda-powertools/tracer');
  }
}

describe('tracing of AWS calls', () => {
  it.each<[string, string, Record<string, string>]>([
    ['on', 'on Lambda', LAMBDA],
    ['off', 'off Lambda (tests, the local stack)', {}],
    ['off', 'on Lambda with POWERTOOLS_TRACE_ENABLED=false', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }],
    ['off', 'under SAM local', { ...LAMBDA, AWS_SAM_LOCAL: 'true' }],
  ])('is %s %s', (expected, _label, env) => {
    expect(tracingEnabled(env)).toBe(expected === 'on');
  });

  it('captures the DynamoDB, SNS and KMS clients with Powertools Tracer on Lambda', async () => {
    const { clients, loads } = await loadClients(LAMBDA);

    expect(loads.tracer).toBe(1);
    expect(loads.captured).toEqual(['DynamoDBClient', 'SNSClient', 'KMSClient']);
    expect(clients.activeTracer()).toBeDefined();
  });

  it('does not even load the tracer (nor the X-Ray SDK) where tracing is off', async () => {
    const { clients, loads } = await loadClients({});

    expect(loads.tracer).toBe(0);
    expect(clients.activeTracer()).toBeUndefined();
  });
});
