import { readFile } from 'node:fs/promises';
import { runAdmin } from '../../scripts/admin/commands';
import { basicAuthorization, startTestStack, type TestStack } from '../support/local-stack';

// No handler module is imported here: startTestStack sets the environment they read first.

interface Reply {
  status: number;
  headers: Headers;
  body: { status?: { success: boolean; code: number; message: string } } & Record<string, unknown>;
}

const GENERATE = '/auth/v1/mfa/otp/generate';
const UNAUTHORIZED = { status: { success: false, code: 401, message: 'Unauthorized' } };

describe('POST /auth/v1/mfa/otp/generate over HTTP', () => {
  let local: TestStack;

  beforeAll(async () => {
    local = await startTestStack('http-otp-generate');
  });

  afterAll(async () => {
    await local.stop();
  });

  beforeEach(() => {
    // The outbox echoes each message, OTP included, to the console for local developers.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const admin = (...argv: string[]) => runAdmin(argv, { store: local.store, now: Date.now });

  async function demoSession(identifierValue: string, deviceId = 'device-http'): Promise<Record<string, string>> {
    const { sessionId } = (await admin(
      'session', 'create', '--brand', 'demo', '--identifier-type', 'MOBILE', '--identifier-value', identifierValue, '--device-id', deviceId,
    )) as { sessionId: string };
    return { identifierType: 'MOBILE', identifierValue, deviceId, brand: 'demo', sessionId };
  }

  async function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
    const response = await fetch(`${local.stack.url}${path}`, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
  }

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    request(GENERATE, {
      headers: { Authorization: local.authorization, 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function outbox(): Promise<Record<string, unknown>[]> {
    // The outbox is created by the first message; any other error (a wrong path) must not read as "nothing sent".
    const text = await readFile(local.outboxFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  it('answers GET /health with 200', async () => {
    const reply = await request('/health', { method: 'GET' });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('sends an OTP to the outbox for the demo credential and answers the success envelope', async () => {
    const body = await demoSession('+1 (876) 743-1754');

    const reply = await post(body, { 'Content-Type': 'application/json; charset=utf-8' });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: { success: true, code: 200, message: 'SUCCESS' } });
    expect(reply.headers.get('content-type')).toBe('application/json');
    const lines = (await outbox()).filter((line) => line.sessionId === body.sessionId);
    expect(lines).toHaveLength(1);
    const line = lines[0] as Record<string, string>;
    expect(Object.keys(line).sort()).toEqual(['at', 'brand', 'channel', 'message', 'otp', 'sessionId', 'to']);
    expect(line).toMatchObject({ channel: 'SMS', to: '+18767431754', brand: 'demo', sessionId: body.sessionId });
    expect(line.otp).toMatch(/^\d{6}$/);
    expect(line.message).toContain(String(line.otp));
    expect(Number.isNaN(Date.parse(String(line.at)))).toBe(false);
    expect(JSON.stringify(reply.body)).not.toContain(String(line.otp));
  });

  it('answers 429 with Retry-After once the demo brand limit of 5 is reached', async () => {
    const body = await demoSession('+1 202 555 0123');

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(body)).status);
    const refused = await post(body);

    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.body.status?.code).toBe(1534);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(600);
  });

  it('answers 401/1505 for a session the table does not hold', async () => {
    const body = { ...(await demoSession('+1 202 555 0124')), sessionId: 'P-does-not-exist' };

    const reply = await post(body);

    expect(reply.status).toBe(401);
    expect(reply.body.status?.code).toBe(1505);
  });

  describe('credentials', () => {
    it('answers 401 without an Authorization header', async () => {
      const body = await demoSession('+1 202 555 0125');

      const reply = await request(GENERATE, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(UNAUTHORIZED);
      expect(reply.headers.get('cache-control')).toBe('no-store');
    });

    const b64 = (text: string) => Buffer.from(text).toString('base64');
    it.each<[string, (local: TestStack) => string]>([
      ['another scheme', () => `Token ${b64('a:b')}`],
      ['Basic with bad base64', () => 'Basic %%%not-base64%%%'],
      ['Basic without a colon', () => `Basic ${b64('c_nocolon')}`],
      ['Basic with an empty secret', ({ demo }) => `Basic ${b64(`${demo.clientId}:`)}`],
      ['an unknown client', () => basicAuthorization('c_000000000000000000000000', 'whatever')],
      ['the wrong secret', ({ demo }) => basicAuthorization(demo.clientId, `${demo.clientSecret}x`)],
      ['a huge header', ({ demo }) => basicAuthorization(demo.clientId, 'x'.repeat(8_000))],
      ['a Bearer that is no JWT', () => 'Bearer not-a-jwt'],
      ['a Bearer JWT of an unknown issuer', () => `Bearer ${b64('{"alg":"ES256"}')}.${b64('{"iss":"https://nobody.example"}')}.c2ln`],
      ['the secret alone', ({ demo }) => demo.clientSecret],
    ])('answers 401 with the envelope for %s', async (_shape, header) => {
      const body = await demoSession('+1 202 555 0126');

      const reply = await post(body, { Authorization: header(local) });

      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(UNAUTHORIZED);
      expect((await outbox()).filter((line) => line.sessionId === body.sessionId)).toEqual([]);
    });

    it('answers a header too large for the HTTP parser with an envelope, not a bare 431', async () => {
      const body = await demoSession('+1 202 555 0131');

      const reply = await post(body, { Authorization: `Basic ${'A'.repeat(20 * 1024)}` });

      expect(reply.status).toBe(431);
      expect(reply.body).toEqual({ status: { success: false, code: 431, message: 'Request header fields too large' } });
      expect(reply.headers.get('cache-control')).toBe('no-store');
    });

    it('answers 403 to a credential without customer:write', async () => {
      const { clientId, clientSecret } = (await admin('credentials', 'create', '--brand', 'demo', '--scope', 'customer:read')) as {
        clientId: string;
        clientSecret: string;
      };
      const body = await demoSession('+1 202 555 0127');

      const reply = await post(body, { Authorization: basicAuthorization(clientId, clientSecret) });

      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ status: { success: false, code: 403, message: 'Forbidden' } });
    });

    it("answers 403 to another brand's credential", async () => {
      await admin('brand', 'put', '--brand', 'other', '--default-country', 'US');
      const { clientId, clientSecret } = (await admin('credentials', 'create', '--brand', 'other')) as {
        clientId: string;
        clientSecret: string;
      };
      const body = await demoSession('+1 202 555 0128');

      const reply = await post(body, { Authorization: basicAuthorization(clientId, clientSecret) });

      expect(reply.status).toBe(403);
    });
  });

  describe('requests the route refuses', () => {
    it('answers 404 with the envelope for an unknown route', async () => {
      const reply = await request('/auth/v1/mfa/otp/resend', { headers: { Authorization: local.authorization }, body: '{}' });

      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ status: { success: false, code: 404, message: 'Not Found' } });
    });

    it('answers 404, as the deployed API does, for GET on the route', async () => {
      const reply = await request(GENERATE, { method: 'GET', headers: { Authorization: local.authorization } });

      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ status: { success: false, code: 404, message: 'Not Found' } });
    });

    it('answers 413 for a body over 16 KiB', async () => {
      const body = { ...(await demoSession('+1 202 555 0129')), padding: 'x'.repeat(20 * 1024) };

      const reply = await post(body);

      expect(reply.status).toBe(413);
      expect(reply.body).toEqual({ status: { success: false, code: 1519, message: 'Request body too large' } });
    });

    it('answers 415 for a body that is not declared JSON', async () => {
      const body = await demoSession('+1 202 555 0130');

      const reply = await post(body, { 'Content-Type': 'text/plain' });

      expect(reply.status).toBe(415);
      expect(reply.body).toEqual({ status: { success: false, code: 1519, message: 'Content-Type must be application/json' } });
    });

    it('answers 400/1519 for malformed JSON', async () => {
      const reply = await post('{"identifierType": "MOBILE",');

      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ status: { success: false, code: 1519, message: 'Invalid details passed: body' } });
    });
  });
});
