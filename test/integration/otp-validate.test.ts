import type { BrandConfig } from '../../functions/domain/brand-config';
import type { IdentifierType } from '../../functions/domain/identifiers';
import { hashOtp } from '../../functions/domain/otp-code';
import { refreshKeyDigest } from '../../functions/domain/tokens';
import { REFRESH_KEY_TTL_MS } from '../../functions/domain/validate-otp';
import { handler } from '../../functions/otp-validate';
import { documentClient } from '../../functions/shared/aws-clients';
import { tableKeys } from '../../functions/shared/table-keys';
import { apiEvent, invoke, uniqueBrand, type Answer, type EventOptions } from '../support/api-events';
import { seedSession, seedBrand, testStore } from '../support/fixtures';
import { issuedIn, scanLogsOfEachTest } from '../support/log-scan';
import { generateBody, issuedFixture, MASKED_PHONE, outcome, PHONE, storedItem, type IssueOptions, type OtpFixture } from '../support/otp-generate';
import { verifyWithServedJwks } from '../support/served-jwks';

const PATH = '/auth/v1/mfa/otp/validate';
const OTP = '123456';
const store = testStore();
const issuedTokens: string[] = [];

/** A session holding OTP (or what `options` say) as otp/generate stores it. */
const issued = (options: Partial<IssueOptions> = {}): Promise<OtpFixture> => issuedFixture({ otp: OTP, ...options });

const bodyFor = (fixture: OtpFixture, overrides: Record<string, unknown> = {}) => generateBody(fixture, { otp: OTP, ...overrides });

async function post(brand: string, body: unknown, options: EventOptions = {}): Promise<Answer> {
  const answer = await invoke(handler, apiEvent({ path: PATH, body, caller: { brand }, ...options }));
  issuedTokens.push(...issuedIn(answer));
  return answer;
}

const validate = (fixture: OtpFixture, overrides: Record<string, unknown> = {}) => post(fixture.brand.brand, bodyFor(fixture, overrides));

describe('POST /auth/v1/mfa/otp/validate', () => {
  const logs = scanLogsOfEachTest(() => ({
    otps: [OTP, '654321', '012345', '000000', '12345678901'],
    phones: [PHONE, '+1 (876) 743-1754', '+18767431755'],
    emails: ['jane@example.com', 'john@example.com'],
    identifiers: ['jane', 'john', 'ext-42'],
    secrets: [process.env.OTP_PEPPER as string, ...issuedTokens],
  }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('with the right code', () => {
    it('answers 200 with a USER token, a refresh key and no session', async () => {
      const fixture = await issued();

      const answer = await validate(fixture);

      expect(answer.statusCode).toBe(200);
      expect(answer.body).toEqual({
        status: { success: true, code: 200, message: 'SUCCESS' },
        auth: { token: expect.any(String), key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        user: { appRegistered: false, sessionId: null, role: 'USER', userRegisteredForPassword: false },
      });
    });

    it('signs a 15-minute USER token with a key the JWKS route serves', async () => {
      const fixture = await issued();
      const before = Math.floor(Date.now() / 1000);

      const answer = await validate(fixture);
      const claims = await verifyWithServedJwks((answer.body.auth as { token: string }).token);

      expect(claims).toMatchObject({
        sub: `${fixture.brand.brand}:MOBILE|+18767431754`,
        idv: 'MOBILE|+18767431754',
        dev: 'device-1',
        org: fixture.brand.brand,
        rol: 'USER',
      });
      expect(claims.sid).toBeUndefined();
      expect(claims.exp).toBeGreaterThanOrEqual(before + 15 * 60);
      expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 15 * 60);
    });

    it('stores only the digest of the refresh key, with its subject and a 30-day expiry', async () => {
      const fixture = await issued();
      const before = Date.now();

      const answer = await validate(fixture);
      const key = (answer.body.auth as { key: string }).key;
      const Item = await storedItem(tableKeys.refreshKey(refreshKeyDigest(key)));

      expect(Item).toEqual({
        pk: tableKeys.refreshKey(refreshKeyDigest(key)),
        brand: fixture.brand.brand,
        sub: `${fixture.brand.brand}:MOBILE|+18767431754`,
        idv: 'MOBILE|+18767431754',
        dev: 'device-1',
        expiresAt: expect.any(Number),
        ttl: Math.ceil((Item?.expiresAt as number) / 1000),
      });
      expect(Item?.expiresAt).toBeGreaterThanOrEqual(before + REFRESH_KEY_TTL_MS);
      expect(Item?.expiresAt).toBeLessThanOrEqual(Date.now() + REFRESH_KEY_TTL_MS);
    });

    it('closes the session, so the code cannot be used twice', async () => {
      const fixture = await issued();

      const first = await validate(fixture);
      const second = await validate(fixture);

      expect(first.statusCode).toBe(200);
      expect(outcome(second)).toEqual([401, 1505]);
      expect(await store.getSession(fixture.session.sessionId)).toBeUndefined();
    });

    it('accepts the code as a JSON number', async () => {
      const fixture = await issued();

      const answer = await validate(fixture, { otp: 123456 });

      expect(answer.statusCode).toBe(200);
    });

    it('does not zero-pad a number shorter than otpLength', async () => {
      const fixture = await issued({ otp: '012345' });

      const asNumber = await validate(fixture, { otp: 12345 });
      const asString = await validate(fixture, { otp: '012345' });

      expect(outcome(asNumber)).toEqual([401, 1506]);
      expect(asString.statusCode).toBe(200);
    });

    it('accepts another spelling of the same mobile number and the brand in any case', async () => {
      const fixture = await issued();

      const answer = await validate(fixture, { identifierValue: '+1 (876) 743-1754', brand: fixture.brand.brand.toUpperCase() });

      expect(answer.statusCode).toBe(200);
    });

    it.each<[IdentifierType, string]>([
      ['USERNAME', 'jane'],
      ['EXTERNALID', 'ext-42'],
    ])('answers 200 for a session whose identifierType is %s, the identifier trimmed, after a wrong try', async (identifierType, identifierValue) => {
      const fixture = await issued({ session: { identifierType, identifierValue } });

      const wrong = await validate(fixture, { identifierValue: ` ${identifierValue} `, otp: '654321' });
      const right = await validate(fixture, { identifierValue: ` ${identifierValue} ` });

      expect(outcome(wrong)).toEqual([401, 1506]);
      expect(outcome(right)).toEqual([200, 200]);
    });

    it('is refused with 429/1518 once the wrong tries are used up', async () => {
      const fixture = await issued({ brand: { mfaMaxOtpRetryCount: 2 } });
      await validate(fixture, { otp: '000000' });
      await validate(fixture, { otp: '000000' });

      const answer = await validate(fixture);

      expect(answer.statusCode).toBe(429);
      expect(answer.body.status).toEqual({ success: false, code: 1518, message: 'Reached the maximum allowed OTP retry attempts' });
    });
  });

  describe('with a wrong code', () => {
    it('answers 401/1506 and counts the try', async () => {
      const fixture = await issued();

      const answer = await validate(fixture, { otp: '654321' });

      expect(answer.statusCode).toBe(401);
      expect(answer.body.status).toEqual({ success: false, code: 1506, message: 'Invalid OTP' });
      expect((await store.getSession(fixture.session.sessionId))?.otp?.wrongTries).toBe(1);
    });

    it('still accepts the right code while tries are left', async () => {
      const fixture = await issued();
      await validate(fixture, { otp: '654321' });

      const answer = await validate(fixture);

      expect(answer.statusCode).toBe(200);
    });
  });

  describe('refuses before comparing', () => {
    type IssueOptions = Parameters<typeof issued>[0];

    it.each<[string, IssueOptions, Record<string, unknown>, number, number, string]>([
      ['the OTP has expired', { otpRecord: { expiresAt: Date.now() - 1 } }, {}, 401, 1529, 'Token has expired'],
      ['no OTP was generated for the session', { otp: null }, {}, 400, 1537, 'OTP is not generated for the provided details'],
      ['the session is unknown', {}, { sessionId: 'P-00000000-0000-4000-8000-000000000000' }, 401, 1505, 'Invalid session'],
      ['the session has expired', { otp: null, session: { expiresAt: Date.now() - 1 } }, {}, 401, 1505, 'Invalid session'],
      ['the session was opened for another mobile', {}, { identifierValue: '+18767431755' }, 401, 1507, 'Mobile number does not match'],
      [
        'the session was opened for another identifier',
        { session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' } },
        { identifierValue: 'john@example.com' },
        401,
        1541,
        'Identifier does not match',
      ],
      [
        'the session was opened for another username',
        { session: { identifierType: 'USERNAME', identifierValue: 'jane' } },
        { identifierValue: 'john' },
        401,
        1541,
        'Identifier does not match',
      ],
      ['the session was opened on another device', {}, { deviceId: 'device-2' }, 401, 1508, 'Device ID does not match'],
    ])('with the right code when %s', async (_, options, overrides, httpStatus, code, message) => {
      const fixture = await issued(options);

      const answer = await validate(fixture, overrides);

      expect(answer.statusCode).toBe(httpStatus);
      expect(answer.body.status).toEqual({ success: false, code, message });
    });

    it('with 401/1509 when the session was opened for another brand', async () => {
      const fixture = await issued();
      const other = await seedBrand(store);

      const answer = await post(other.brand, bodyFor(fixture, { brand: other.brand }));

      expect(answer.statusCode).toBe(401);
      expect(answer.body.status).toEqual({ success: false, code: 1509, message: 'Brand name does not match' });
    });

    it('leaving the OTP and its tries untouched', async () => {
      const fixture = await issued();

      await validate(fixture, { deviceId: 'device-2', otp: '654321' });

      expect((await store.getSession(fixture.session.sessionId))?.otp?.wrongTries).toBe(0);
    });
  });

  describe('refuses the request', () => {
    it.each(['identifierType', 'identifierValue', 'deviceId', 'brand', 'sessionId', 'otp'])(
      'with 400/1519 naming %s when it is missing',
      async (field) => {
        const fixture = await issued({ otp: null });
        const body = bodyFor(fixture);
        delete body[field];

        const answer = await post(fixture.brand.brand, body);

        expect(answer.statusCode).toBe(400);
        expect(answer.body.status).toEqual({ success: false, code: 1519, message: `Invalid details passed: ${field}` });
      },
    );

    it.each<[string, unknown]>([
      ['a fraction', 1.5],
      ['a string with a letter', '12a'],
      ['an empty string', ''],
      ['a negative number', -123456],
      ['a negative number as a string', '-123456'],
      ['a number of more than 10 digits', 12345678901],
      ['a string of more than 10 digits', '12345678901'],
      ['a string with spaces', ' 123456'],
      ['non-ASCII digits', '１２３４５６'],
      ['null', null],
      ['a boolean', true],
      ['an array', ['123456']],
    ])('with 400/1519 naming otp when it is %s', async (_, otp) => {
      const fixture = await issued();

      const answer = await validate(fixture, { otp });

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Invalid details passed: otp' });
      expect((await store.getSession(fixture.session.sessionId))?.otp?.wrongTries).toBe(0);
    });

    it('with 400/1519 when the body is not a JSON object', async () => {
      const fixture = await issued({ otp: null });

      const answer = await invoke(handler, apiEvent({ path: PATH, rawBody: '["otp"]', caller: { brand: fixture.brand.brand } }));

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Invalid details passed: body' });
    });

    it('with 400/1546 for an unknown identifierType', async () => {
      const fixture = await issued({ otp: null });

      const answer = await validate(fixture, { identifierType: 'mobile' });

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1546, message: 'Invalid identifierType passed' });
    });

    it('with 400/1504 for a brand without configuration', async () => {
      const brand = uniqueBrand();
      const session = await seedSession(store, { brand });

      const answer = await post(brand, bodyFor({ brand: { brand } as BrandConfig, session }));

      expect(answer.statusCode).toBe(400);
      expect(answer.body.status).toEqual({ success: false, code: 1504, message: 'Unsupported brand' });
    });

    it('with 415 for a body that is not application/json', async () => {
      const fixture = await issued({ otp: null });

      const answer = await post(fixture.brand.brand, bodyFor(fixture), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

      expect(answer.statusCode).toBe(415);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Content-Type must be application/json' });
    });

    it('with 413 for a body over 16 KiB', async () => {
      const fixture = await issued({ otp: null });

      const answer = await validate(fixture, { padding: 'x'.repeat(16 * 1024) });

      expect(answer.statusCode).toBe(413);
      expect(answer.body.status).toEqual({ success: false, code: 1519, message: 'Request body too large' });
    });

    it('with 401 when no caller was authenticated', async () => {
      const fixture = await issued();

      const answer = await invoke(handler, apiEvent({ path: PATH, body: bodyFor(fixture), caller: null }));

      expect(answer.statusCode).toBe(401);
      expect(answer.body.status).toEqual({ success: false, code: 401, message: 'Unauthorized' });
    });

    it('with 403 when the credential lacks customer:write', async () => {
      const fixture = await issued();

      const answer = await post(fixture.brand.brand, bodyFor(fixture), { caller: { brand: fixture.brand.brand, scopes: ['customer:read'] } });

      expect(answer.statusCode).toBe(403);
      expect(answer.body.status).toEqual({ success: false, code: 403, message: 'Forbidden' });
    });

    it("with 403 when the credential is another brand's, and leaves the session's OTP as it was", async () => {
      const fixture = await issued();
      const other = await seedBrand(store);

      const answer = await post(other.brand, bodyFor(fixture));

      expect(answer.statusCode).toBe(403);
      expect(answer.body.status).toEqual({ success: false, code: 403, message: 'Forbidden' });
      expect((await store.getSession(fixture.session.sessionId))?.otp).toMatchObject({
        hash: hashOtp(process.env.OTP_PEPPER as string, fixture.session.sessionId, OTP),
        wrongTries: 0,
      });
    });
  });

  it('logs neither the OTP, the token, the refresh key nor the raw mobile number', async () => {
    const fixture = await issued();

    await validate(fixture, { otp: '654321' });
    const right = await validate(fixture);
    const text = logs().text();

    expect(text).toContain('OTP validated');
    expect(text).toContain(MASKED_PHONE);
    for (const secret of [OTP, '654321', right.body.auth, PHONE]) {
      const values = typeof secret === 'string' ? [secret] : Object.values(secret as object);
      for (const value of values) expect(text).not.toContain(value);
    }
  });

  describe('under concurrency', () => {
    it('accepts the right code sent twice at once exactly once', async () => {
      const fixture = await issued();

      const answers = await Promise.all([validate(fixture), validate(fixture)]);

      expect(answers.map(outcome).sort()).toEqual([
        [200, 200],
        [401, 1505],
      ]);
    });

    it('does not spend the OTP for the right code when a wrong try used the last try after the session was read', async () => {
      const fixture = await issued({ brand: { mfaMaxOtpRetryCount: 1 } });
      const { otpHash } = (await storedItem(tableKeys.session(fixture.session.sessionId))) as { otpHash: string };
      const send = documentClient.send.bind(documentClient);
      const spy = jest.spyOn(documentClient, 'send').mockImplementation(async (command: Parameters<typeof send>[0]) => {
        // Between this request's read and its consuming write, another request's wrong try lands.
        if (String((command.input as { UpdateExpression?: string }).UpdateExpression ?? '').startsWith('SET consumedBy')) {
          expect(await store.recordWrongTry(fixture.session.sessionId, otpHash)).toBe(true);
        }
        return send(command);
      });

      const answer = await validate(fixture);
      spy.mockRestore();

      expect(outcome(answer)).toEqual([429, 1518]);
      expect(answer.body.auth).toBeUndefined();
    });

    it('stops 20 wrong tries at once exactly at the cap of 5', async () => {
      const fixture = await issued({ brand: { mfaMaxOtpRetryCount: 5 } });

      const answers = await Promise.all(Array.from({ length: 20 }, () => validate(fixture, { otp: '654321' })));
      const codes = answers.map((answer) => answer.body.status.code);

      expect(codes.filter((code) => code === 1506)).toHaveLength(5);
      expect(codes.filter((code) => code === 1518)).toHaveLength(15);
      expect((await store.getSession(fixture.session.sessionId))?.otp?.wrongTries).toBe(5);
    });
  });
});
