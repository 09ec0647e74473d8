import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { runAdmin } from '../../scripts/admin/commands';
import { localClients } from '../../scripts/local/dynamo-local';
import { startLocalStack, type LocalStack } from '../../scripts/local/local-stack';

interface Answer {
  status: { success: boolean; code: number; message: string };
  auth?: { token: string; key: string | null };
  user?: { sessionId: string | null; role: string };
}

const customer = { identifierType: 'MOBILE', identifierValue: '+1 (876) 743-1754', deviceId: 'device-http-1' };

describe('the second factor over HTTP', () => {
  let dir: string;
  let stack: LocalStack;
  let authorization: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'full-flow-'));
    stack = await startLocalStack({
      port: 0,
      dynamoPort: 0,
      dynamoEndpoint: process.env.DYNAMODB_ENDPOINT as string,
      tableName: `mfa-otp-http-${randomUUID().slice(0, 8)}`,
      localDir: dir,
      outboxFile: join(dir, 'outbox.jsonl'),
      authorizerCacheSeconds: 300,
      seedDemo: true,
    });
    const demo = stack.demo as NonNullable<LocalStack['demo']>;
    authorization = `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`;
  });

  afterAll(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function post(path: string, body: object): Promise<{ status: number; body: Answer }> {
    const response = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  }

  async function firstFactorToken(): Promise<string> {
    const { documentClient } = localClients(stack.dynamoEndpoint);
    const output = await runAdmin(
      [
        'first-factor-token',
        '--brand',
        'demo',
        '--identifier-type',
        customer.identifierType,
        '--identifier-value',
        customer.identifierValue,
        '--device-id',
        customer.deviceId,
      ],
      { store: new DynamoStore(documentClient, stack.tableName), now: Date.now },
    );
    return (output as { authorizedToken: string }).authorizedToken;
  }

  async function otpSentFor(sessionId: string): Promise<string> {
    const lines = (await readFile(join(dir, 'outbox.jsonl'), 'utf8')).trim().split('\n');
    const message = lines.map((line) => JSON.parse(line) as { sessionId: string; otp: string }).find((m) => m.sessionId === sessionId);
    if (!message) throw new Error(`No OTP in the outbox for ${sessionId}`);
    return message.otp;
  }

  it('goes from the first-factor token to a verified USER token', async () => {
    const opened = await post('/auth/v1/mfa/token/generate', { ...customer, brand: 'demo', authorizedToken: await firstFactorToken() });
    const sessionId = opened.body.user?.sessionId as string;
    const sent = await post('/auth/v1/mfa/otp/generate', { ...customer, brand: 'demo', sessionId });
    const otp = await otpSentFor(sessionId);
    const validated = await post('/auth/v1/mfa/otp/validate', { ...customer, brand: 'DEMO', sessionId, otp });
    const jwks = (await (await fetch(`${stack.url}/auth/v1/mfa/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(validated.body.auth?.token as string, createLocalJWKSet(jwks), { algorithms: ['ES256'] });

    expect([opened.status, sent.status, validated.status]).toEqual([200, 200, 200]);
    expect(opened.body.user).toMatchObject({ role: 'VIEW', sessionId: expect.stringMatching(/^P-/) });
    expect(validated.body).toEqual({
      status: { success: true, code: 200, message: 'SUCCESS' },
      auth: { token: expect.any(String), key: expect.any(String) },
      user: { appRegistered: false, sessionId: null, role: 'USER', userRegisteredForPassword: false },
    });
    expect(payload).toMatchObject({ idv: 'MOBILE|+18767431754', dev: customer.deviceId, org: 'demo', rol: 'USER' });
  });

  it('refuses the OTP a second time once the session is closed', async () => {
    const opened = await post('/auth/v1/mfa/token/generate', { ...customer, brand: 'demo', authorizedToken: await firstFactorToken() });
    const sessionId = opened.body.user?.sessionId as string;
    await post('/auth/v1/mfa/otp/generate', { ...customer, brand: 'demo', sessionId });
    const otp = await otpSentFor(sessionId);

    const first = await post('/auth/v1/mfa/otp/validate', { ...customer, brand: 'demo', sessionId, otp });
    const second = await post('/auth/v1/mfa/otp/validate', { ...customer, brand: 'demo', sessionId, otp });

    expect(first.status).toBe(200);
    expect([second.status, second.body.status]).toEqual([401, { success: false, code: 1505, message: 'Invalid session' }]);
  });

  it('answers 401 without credentials', async () => {
    const response = await fetch(`${stack.url}/auth/v1/mfa/otp/validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...customer, brand: 'demo', sessionId: 'P-x', otp: '123456' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: { success: false, code: 401, message: 'Unauthorized' } });
  });
});
