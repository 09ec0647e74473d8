import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { generateKeyPair, SignJWT } from 'jose';
import { newCredential } from '../../functions/domain/credentials';
import { handler } from '../../functions/authorizer';
import { documentClient } from '../../functions/shared/aws-clients';
import { ServiceUnavailableError } from '../../functions/shared/errors';
import { REFUSAL_MESSAGE } from '../../functions/authorizer/refusal';
import { createApiServer } from '../../scripts/local/api-server';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { scanLogsOfEachTest } from '../support/log-scan';
import { DYNAMO_FAULTS, injectDynamoFault } from '../support/fault-injection';
import { seedBrand, testStore } from '../support/fixtures';

type Authorizer = (event: APIGatewayRequestAuthorizerEvent, context: unknown) => Promise<APIGatewayAuthorizerResult>;

const store = testStore();
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/prod/POST/auth/v1/mfa/otp/generate';
const authorize = (authorization: string) =>
  (handler as unknown as Authorizer)(
    { type: 'REQUEST', methodArn: METHOD_ARN, headers: { Authorization: authorization } } as unknown as APIGatewayRequestAuthorizerEvent,
    lambdaContext('authorizer'),
  );

/**
 * What API Gateway makes of the authorizer's answer: 'Unauthorized' is a 401, any other
 * error its 503 (lib/envelopes.ts); with the error, so that a test can tell an outage
 * from a crash, which API Gateway would answer alike.
 */
async function gatewayAnswer(authorization: string): Promise<{ status: number; error?: unknown }> {
  try {
    await authorize(authorization);
    return { status: 200 };
  } catch (error) {
    return { status: error instanceof Error && error.message === 'Unauthorized' ? 401 : 503, error };
  }
}

const gatewayStatus = async (authorization: string) => (await gatewayAnswer(authorization)).status;

describe('the authorizer under dependency faults', () => {
  // Credentials and tokens the tests hand the authorizer: no log line may carry them.
  const handedOver: string[] = [];
  const logs = scanLogsOfEachTest(() => ({ secrets: handedOver }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(Object.entries(DYNAMO_FAULTS))('fails as an outage, not as a refusal, when the credential lookup meets %s', async (_name, fault) => {
    const { brand } = await seedBrand(store);
    const credential = newCredential(brand, ['customer:write']);
    await store.putCredential(credential.stored, Date.now());
    const basic = `Basic ${Buffer.from(`${credential.stored.clientId}:${credential.clientSecret}`).toString('base64')}`;
    handedOver.push(credential.clientSecret, basic);
    const injection = injectDynamoFault(documentClient, 'callerLookup', fault, { always: true });

    const during = await gatewayAnswer(basic);
    injection.restore();
    const after = await gatewayStatus(basic);

    expect([during.status, after]).toEqual([503, 200]);
    expect(during.error).toMatchObject({ name: fault().name });
    expect(logs().text()).toContain('Authorizer failed');
  });

  it('logs a refusal with the message the errors alarm subtracts, and a failure without it', async () => {
    const { brand } = await seedBrand(store);
    const credential = newCredential(brand, ['customer:write']);
    await store.putCredential(credential.stored, Date.now());
    const basic = `Basic ${Buffer.from(`${credential.stored.clientId}:${credential.clientSecret}`).toString('base64')}`;
    handedOver.push(credential.clientSecret, basic);
    const records = () => logs().lines().map((line) => JSON.parse(line) as { message?: string; reason?: string });
    const messages = () => records().map((record) => record.message);

    expect(await gatewayStatus('Basic bm9ib2R5Ondyb25n')).toBe(401);
    expect(records()).toEqual([expect.objectContaining({ message: REFUSAL_MESSAGE, reason: 'bad_credentials' })]);
    injectDynamoFault(documentClient, 'callerLookup', DYNAMO_FAULTS.ThrottlingException as () => Error, { always: true });
    expect(await gatewayStatus(basic)).toBe(503);
    expect(messages()).toEqual([REFUSAL_MESSAGE, 'Authorizer failed']);
  });

  it("fails as an outage, not as a refusal, when a bearer token's issuer publishes its keys at an unreachable URL", async () => {
    const { brand } = await seedBrand(store);
    const issuer = `https://login.${brand}.example`;
    // Port 1 on loopback: nothing listens, so the key set cannot be fetched.
    await store.putOAuthIssuer({ brand, issuer, audience: 'mfa-otp', jwksUrl: 'http://127.0.0.1:1/jwks.json' });
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'customer:write' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('mfa-otp')
      .setSubject('app-1')
      .setExpirationTime('5m')
      .sign(privateKey);
    handedOver.push(token);

    const answer = await gatewayAnswer(`Bearer ${token}`);

    expect(answer.status).toBe(503);
    expect(answer.error).toBeInstanceOf(ServiceUnavailableError);
    expect(logs().text()).toContain('Authorizer failed');
  });

  it('is answered 503/1503 with Retry-After by the local API, as the stack answers it', async () => {
    const server = createApiServer({
      routes: [{ method: 'POST', path: '/auth/v1/mfa/otp/generate', functionName: 'otp-generate', handler: async () => ({ statusCode: 200, body: '{}' }), authorized: true }],
      authorizer: async () => {
        throw new ServiceUnavailableError();
      },
      authorizerCacheSeconds: 0,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;

      const response = await fetch(`http://127.0.0.1:${port}/auth/v1/mfa/otp/generate`, { method: 'POST', headers: { Authorization: 'Basic eDp5' }, body: '{}' });

      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
