import { randomUUID } from 'node:crypto';
import type { BrandConfig } from '../../functions/domain/brand-config';
import { signFirstFactorToken } from '../../functions/domain/first-factor';
import type { IdentifierType } from '../../functions/domain/identifiers';
import { handler } from '../../functions/token-generate';
import { dynamoDb } from '../../functions/shared/aws-clients';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { apiEvent, invoke, uniqueBrand, type EventOptions } from '../support/api-events';
import { loseFirstAnswer } from '../support/fault-injection';
import { seedBrand, testStore } from '../support/fixtures';
import { issuedIn, scanLogsOfEachTest } from '../support/log-scan';
import { MASKED_PHONE, outcome, PHONE } from '../support/otp-generate';
import { verifyWithServedJwks } from '../support/served-jwks';

const PATH = '/auth/v1/mfa/token/generate';
const SECRET = 'first-factor-shared-secret-0123456789';
const OTHER_SECRET = 'another-shared-secret-0123456789abcdef';
const store = testStore();
const issuedTokens: string[] = [];

type TokenOptions = Partial<Parameters<typeof signFirstFactorToken>[0]>;

async function authorizedToken(brand: BrandConfig, overrides: TokenOptions = {}): Promise<string> {
  const token = await signFirstFactorToken({
    secret: SECRET,
    brand: brand.brand,
    identifier: { type: 'MOBILE', value: '+18767431754' },
    deviceId: 'device-1',
    ttlSeconds: 300,
    ...overrides,
  });
  issuedTokens.push(token);
  return token;
}

async function bodyFor(brand: BrandConfig, overrides: Record<string, unknown> = {}, token: TokenOptions = {}) {
  return {
    identifierType: 'MOBILE',
    identifierValue: '+18767431754',
    deviceId: 'device-1',
    brand: brand.brand,
    authorizedToken: await authorizedToken(brand, token),
    ...overrides,
  };
}

async function post(brand: string, body: unknown, options: EventOptions = {}) {
  const answer = await invoke(handler, apiEvent({ path: PATH, body, caller: { brand }, ...options }));
  issuedTokens.push(...issuedIn(answer));
  return answer;
}

const firstFactorBrand = () => seedBrand(store, { firstFactor: { hs256Secret: SECRET } });

describe('POST /auth/v1/mfa/token/generate', () => {
  const logs = scanLogsOfEachTest(() => ({
    phones: [PHONE, '+1 (876) 743-1754', '+18767431755'],
    emails: ['jane.doe@example.com'],
    identifiers: ['jane', 'john', 'ext-42'],
    secrets: [SECRET, OTHER_SECRET, ...issuedTokens],
  }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('with a valid first-factor token', () => {
    it('answers 200 with a VIEW token and a new P-<uuid> session', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand));

      expect(answer.statusCode).toBe(200);
      expect(answer.body).toEqual({
        status: { success: true, code: 200, message: 'SUCCESS' },
        auth: { token: expect.any(String), key: null },
        user: {
          appRegistered: false,
          sessionId: expect.stringMatching(/^P-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
          role: 'VIEW',
          userRegisteredForPassword: false,
        },
      });
    });

    it('signs the token with a key the JWKS route serves, naming the session', async () => {
      const brand = await firstFactorBrand();
      const before = Math.floor(Date.now() / 1000);

      const answer = await post(brand.brand, await bodyFor(brand));
      const auth = answer.body.auth as { token: string };
      const user = answer.body.user as { sessionId: string };
      const claims = await verifyWithServedJwks(auth.token);

      expect(claims).toMatchObject({
        sub: `${brand.brand}:MOBILE|+18767431754`,
        idv: 'MOBILE|+18767431754',
        dev: 'device-1',
        org: brand.brand,
        rol: 'VIEW',
        sid: user.sessionId,
      });
      expect(claims.exp).toBeGreaterThanOrEqual(before + 15 * 60);
      expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 15 * 60);
    });

    it('answers 200 with the session when its write was applied, its answer lost and the SDK sent it again', async () => {
      const brand = await firstFactorBrand();
      const lost = loseFirstAnswer(dynamoDb, (target, body) => target === 'PutItem' && body.includes('SESSION#'));

      const answer = await post(brand.brand, await bodyFor(brand));

      expect(lost.attempts).toBe(2);
      expect(outcome(answer)).toEqual([200, 200]);
      const sessionId = (answer.body.user as { sessionId: string }).sessionId;
      expect(await store.getSession(sessionId)).toMatchObject({ brand: brand.brand, deviceId: 'device-1' });
    });

    it('never writes over a session that holds the same ID', async () => {
      const brand = await firstFactorBrand();
      const session = { sessionId: `P-${randomUUID()}`, brand: brand.brand, identifierType: 'MOBILE' as const, identifierValue: PHONE, deviceId: 'device-1', expiresAt: Date.now() + 60_000 };
      await store.createSession(session);

      await expect(store.createSession({ ...session, deviceId: 'device-2' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

      expect(await store.getSession(session.sessionId)).toMatchObject({ deviceId: 'device-1' });
    });

    it('stores the session for the normalised identifier, living mfaSessionExpiryMinutes', async () => {
      const brand = await seedBrand(store, { firstFactor: { hs256Secret: SECRET }, mfaSessionExpiryMinutes: 7 });
      const before = Date.now();

      const answer = await post(brand.brand, await bodyFor(brand, { identifierValue: '+1 (876) 743-1754' }));
      const sessionId = (answer.body.user as { sessionId: string }).sessionId;
      const session = await store.getSession(sessionId);

      expect(session).toEqual({
        sessionId,
        brand: brand.brand,
        identifierType: 'MOBILE',
        identifierValue: '+18767431754',
        identifierCountry: 'JM',
        deviceId: 'device-1',
        expiresAt: expect.any(Number),
      });
      expect(session?.expiresAt).toBeGreaterThanOrEqual(before + 7 * 60_000);
      expect(session?.expiresAt).toBeLessThanOrEqual(Date.now() + 7 * 60_000);
    });

    it('accepts the brand in any case', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand, { brand: brand.brand.toUpperCase() }));

      expect(answer.statusCode).toBe(200);
    });

    it('opens a session for an EMAIL identifier in any spelling', async () => {
      const brand = await firstFactorBrand();
      const body = await bodyFor(
        brand,
        { identifierType: 'EMAIL', identifierValue: ' Jane.Doe@Example.com ' },
        { identifier: { type: 'EMAIL', value: 'jane.doe@example.com' } },
      );

      const answer = await post(brand.brand, body);
      const session = await store.getSession((answer.body.user as { sessionId: string }).sessionId);

      expect(answer.statusCode).toBe(200);
      expect(session).toMatchObject({ identifierType: 'EMAIL', identifierValue: 'jane.doe@example.com' });
    });

    it.each<[IdentifierType, string]>([
      ['USERNAME', 'jane'],
      ['EXTERNALID', 'ext-42'],
    ])('opens a session for identifierType %s, the identifier trimmed', async (identifierType, identifierValue) => {
      const brand = await firstFactorBrand();
      const body = await bodyFor(
        brand,
        { identifierType, identifierValue: ` ${identifierValue} ` },
        { identifier: { type: identifierType, value: identifierValue } },
      );

      const answer = await post(brand.brand, body);
      const session = await store.getSession((answer.body.user as { sessionId: string }).sessionId);

      expect(answer.statusCode).toBe(200);
      expect(session).toMatchObject({ identifierType, identifierValue });
    });
  });

  it('logs why a first-factor token was refused, and neither that token, the issued token nor the raw mobile number', async () => {
    const brand = await firstFactorBrand();
    const body = await bodyFor(brand);

    const refused = await post(brand.brand, await bodyFor(brand, {}, { deviceId: 'device-2' }));
    const answer = await post(brand.brand, body);
    const text = logs().text();

    expect([refused.statusCode, answer.statusCode]).toEqual([401, 200]);
    expect(logs().lines().map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'First-factor token refused', reason: 'device_mismatch', brand: brand.brand }),
    );
    expect(text).toContain('MFA session opened');
    expect(text).toContain(MASKED_PHONE);
    for (const secret of [body.authorizedToken, (answer.body.auth as { token: string }).token, PHONE]) {
      expect(text).not.toContain(secret);
    }
  });

  describe('refuses the authorizedToken with 401/1504', () => {
    it.each<[string, TokenOptions]>([
      ['signed with another secret', { secret: OTHER_SECRET }],
      ['expired', { ttlSeconds: -60 }],
      ['for another brand', { brand: 'another-brand' }],
      ['for another device', { deviceId: 'device-2' }],
      ['for another identifier', { identifier: { type: 'MOBILE', value: '+18767431755' } }],
      ['for another identifier type', { identifier: { type: 'USERNAME', value: '+18767431754' } }],
    ])('when it is %s, opening no session', async (_, token) => {
      const brand = await firstFactorBrand();
      const created = jest.spyOn(DynamoStore.prototype, 'createSession');

      const answer = await post(brand.brand, await bodyFor(brand, {}, token));

      expect(answer.statusCode).toBe(401);
      expect(answer.body).toEqual({ status: { success: false, code: 1504, message: 'Unable to generate token' } });
      expect(created).not.toHaveBeenCalled();
    });

    it('when it is for another username, opening no session', async () => {
      const brand = await firstFactorBrand();
      const created = jest.spyOn(DynamoStore.prototype, 'createSession');
      const body = await bodyFor(brand, { identifierType: 'USERNAME', identifierValue: 'jane' }, { identifier: { type: 'USERNAME', value: 'john' } });

      const answer = await post(brand.brand, body);

      expect(outcome(answer)).toEqual([401, 1504]);
      expect(created).not.toHaveBeenCalled();
    });

    it('when it is not a JWT at all', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand, { authorizedToken: 'not-a-jwt' }));

      expect(outcome(answer)).toEqual([401, 1504]);
    });

    it('when the brand has no first-factor configuration', async () => {
      const brand = await seedBrand(store);

      const answer = await post(brand.brand, await bodyFor(brand));

      expect(outcome(answer)).toEqual([401, 1504]);
    });
  });

  describe('refuses the request', () => {
    it.each(['identifierType', 'identifierValue', 'deviceId', 'brand', 'authorizedToken'])(
      'with 400/1519 naming %s when it is missing',
      async (field) => {
        const brand = await firstFactorBrand();
        const body: Record<string, unknown> = await bodyFor(brand);
        delete body[field];

        const answer = await post(brand.brand, body);

        expect(answer.statusCode).toBe(400);
        expect(answer.body.status).toEqual({ success: false, code: 1519, message: `Invalid details passed: ${field}` });
      },
    );

    it.each([
      ['an empty deviceId', { deviceId: '' }, 'deviceId'],
      ['a numeric authorizedToken', { authorizedToken: 42 }, 'authorizedToken'],
      ['a mobile number that is not one', { identifierValue: '12' }, 'identifierValue'],
    ])('with 400/1519 for %s', async (_, overrides, field) => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand, overrides));

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: `Invalid details passed: ${field}` });
    });

    it('with 400/1519 when the body is not JSON', async () => {
      const brand = await firstFactorBrand();

      const answer = await invoke(handler, apiEvent({ path: PATH, rawBody: '{"brand":', caller: { brand: brand.brand } }));

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Invalid details passed: body' });
    });

    it('with 400/1546 for an unknown identifierType', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand, { identifierType: 'PHONE' }));

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1546, message: 'Invalid identifierType passed' });
    });

    it('with 400/1504 for a brand without configuration', async () => {
      const brand = uniqueBrand();

      const answer = await post(brand, { identifierType: 'MOBILE', identifierValue: '+18767431754', deviceId: 'd', brand, authorizedToken: 'x' });

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1504, message: 'Unsupported brand' });
    });

    it('with 415 for a body that is not application/json', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand), { headers: { 'Content-Type': 'text/plain' } });

      expect(answer.statusCode).toBe(415);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Content-Type must be application/json' });
    });

    it('with 413 for a body over 16 KiB', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand, { padding: 'x'.repeat(16 * 1024) }));

      expect(answer.statusCode).toBe(413);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Request body too large' });
    });

    it('with 401 when no caller was authenticated', async () => {
      const brand = await firstFactorBrand();

      const answer = await invoke(handler, apiEvent({ path: PATH, body: await bodyFor(brand), caller: null }));

      expect(answer.statusCode).toBe(401);
      expect(answer.body.status).toEqual({ success: false, code: 401, message: 'Unauthorized' });
    });

    it('with 403 when the credential lacks customer:write', async () => {
      const brand = await firstFactorBrand();

      const answer = await post(brand.brand, await bodyFor(brand), { caller: { brand: brand.brand, scopes: ['customer:read'] } });

      expect(answer.statusCode).toBe(403);
      expect(answer.body.status).toEqual({ success: false, code: 403, message: 'Forbidden' });
    });

    it("with 403 when the credential is another brand's", async () => {
      const brand = await firstFactorBrand();
      const other = await firstFactorBrand();

      const answer = await post(other.brand, await bodyFor(brand));

      expect(answer.statusCode).toBe(403);
      expect(answer.body.status).toEqual({ success: false, code: 403, message: 'Forbidden' });
    });
  });
});
