import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { type BrandConfig } from '../../functions/domain/brand-config';
import { MAX_OTP_COUNT } from '../../functions/domain/brand-config-schema';
import { signFirstFactorToken } from '../../functions/domain/first-factor';
import type { IdentifierType } from '../../functions/domain/identifiers';
import { hashOtp } from '../../functions/domain/otp-code';
import type { Session } from '../../functions/domain/ports';
import { handler as jwks } from '../../functions/jwks';
import { handler as otpGenerate } from '../../functions/otp-generate';
import { handler as otpValidate } from '../../functions/otp-validate';
import { handler as tokenGenerate } from '../../functions/token-generate';
import { logger } from '../../functions/shared/logger';
import { invoke, type Answer } from '../support/api-events';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { leaksIn, publishedOtps } from '../support/log-scan';
import { seedSession, seedBrand, testStore } from '../support/fixtures';
import { fuzzEvent, fuzzInvoke, fuzzRequest, junk, nasty, partialItems, type FuzzRequest } from '../support/fuzz';

/**
 * Generated bodies, headers, query strings and callers against the three API routes,
 * in-process on the run's dynalite: every answer is a spec envelope with 200 or a 4xx,
 * never a 5xx or a crash, and the table holds no partial item afterwards. Most inputs
 * are refused before DynamoDB; the near-valid ones reach the session, the counter and
 * the OTP on a few shared sessions, whose OTPs include some that wrong tries kill and
 * some already expired. The JWKS route, which answers keys rather than an
 * envelope, must answer the same public keys to whatever it is sent.
 */
const sns = mockClient(SNSClient);
const store = testStore();
const SECRET = 'fuzz-first-factor-secret-0123456789abcdef';
const OTP = '4829137465';
const RUNS = { generate: 3500, validate: 2500, token: 1500, jwks: 500 };
/** JWK members of a private or secret key: none may be published. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

interface World {
  brands: BrandConfig[];
  /** Sessions for otp/generate, which replaces their OTPs. */
  sessions: Session[];
  /** Sessions holding OTP, for otp/validate alone. */
  issued: Session[];
}

let world: World;

const spellings: Record<IdentifierType, string[]> = {
  MOBILE: ['+1 (876) 743-1754', '18767431754', '8767431754', '+44 7911 123456'],
  EMAIL: [' JANE@Example.com ', 'jane@example', 'jane@example.org'],
  USERNAME: [' jane ', 'JANE', 'john'],
  EXTERNALID: ['ext-1 ', 'ext-2'],
};

/** A body close to one that passes, for one of `sessions`. */
const validSessionBody = (sessions: () => Session[], extra: Record<string, fc.Arbitrary<unknown>> = {}) =>
  fc.constantFrom(...sessions()).chain((session) =>
    fc.record({
      identifierType: fc.oneof({ weight: 6, arbitrary: fc.constant(session.identifierType) }, fc.constantFrom('MOBILE', 'EMAIL', 'USERNAME', 'EXTERNALID', 'mobile', 'PHONE')),
      identifierValue: fc.oneof({ weight: 4, arbitrary: fc.constant(session.identifierValue) }, fc.constantFrom(...spellings[session.identifierType]), nasty),
      deviceId: fc.oneof({ weight: 6, arbitrary: fc.constant(session.deviceId) }, fc.constantFrom('device-2', ' device-1', 'DEVICE-1')),
      brand: fc.oneof({ weight: 6, arbitrary: fc.constant(session.brand) }, fc.constant(session.brand.toUpperCase()), fc.constantFrom(...world.brands.map((b) => b.brand))),
      sessionId: fc.oneof({ weight: 6, arbitrary: fc.constant(session.sessionId) }, fc.uuid().map((id) => `P-${id}`), fc.constantFrom(...sessions().map((s) => s.sessionId))),
      ...extra,
    }),
  );

async function run(requests: fc.Arbitrary<FuzzRequest>, call: (request: FuzzRequest) => Promise<unknown>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      await call(request);
    }),
    { numRuns },
  );
}

/** How often each answer came, as `status/code`: the fuzz must reach past the first checks. */
const outcomes = new Map<string, Map<string, number>>();
function count(route: string, answer: { statusCode: number; body: { status: { code: number } } }): void {
  const seen = outcomes.get(route) ?? new Map<string, number>();
  const key = `${answer.statusCode}/${answer.body.status.code}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  outcomes.set(route, seen);
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

describe('fuzzing the API routes', () => {
  let logs: LogCapture;

  beforeAll(async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'fuzz' });
    const open = await seedBrand(store, {
      otpMaxCount: MAX_OTP_COUNT,
      otpTimeOut: 10,
      otpLength: 10,
      mfaMaxOtpRetryCount: 100,
      externalIdLoginEnabled: true,
      otpSendForExternalId: 'EMAIL',
      fallbackChannels: ['SMS'],
      mobileSubChannel: 'WHATSAPP',
      firstFactor: { hs256Secret: SECRET },
    });
    const tight = await seedBrand(store, { otpMaxCount: 2, otpTimeOut: 10, firstFactor: { hs256Secret: SECRET } });
    await store.putCustomer(open.brand, { type: 'USERNAME', value: 'jane' }, { mobile: '+18767431754' });
    await store.putCustomer(open.brand, { type: 'EXTERNALID', value: 'ext-1' }, { email: 'jane@example.com' });
    const sessions: Session[] = [];
    const issued: Session[] = [];
    for (const [brand, identifierType, identifierValue] of [
      [open, 'MOBILE', '+18767431754'],
      [open, 'MOBILE', '+18767431754'],
      [open, 'EMAIL', 'jane@example.com'],
      [open, 'USERNAME', 'jane'],
      [open, 'EXTERNALID', 'ext-1'],
      [tight, 'MOBILE', '+18767431754'],
    ] as const) {
      sessions.push(await seedSession(store, { brand: brand.brand, identifierType, identifierValue }));
      // Three OTPs with tries to spare, two that two wrong tries kill (1518), one expired (1529).
      // A right code spends such an OTP before its tries run out about a third of the time;
      // with twelve of them, the chance that none reaches 1518 is below one in a million.
      for (const { maxTries, validForMs } of [
        { maxTries: 100, validForMs: 600_000 },
        { maxTries: 100, validForMs: 600_000 },
        { maxTries: 100, validForMs: 600_000 },
        { maxTries: 2, validForMs: 600_000 },
        { maxTries: 2, validForMs: 600_000 },
        { maxTries: 100, validForMs: -1_000 },
      ]) {
        const session = await seedSession(store, { brand: brand.brand, identifierType, identifierValue });
        const record = { hash: hashOtp(process.env.OTP_PEPPER as string, session.sessionId, OTP), expiresAt: Date.now() + validForMs, wrongTries: 0, maxTries };
        await store.saveOtp(session.sessionId, record, Date.now());
        issued.push(session);
      }
    }
    world = { brands: [open, tight], sessions, issued };
    // Every line the routes write, kept quiet and scanned at the end.
    logs = captureLogs();
  });

  afterAll(async () => {
    logs.restore();
    jest.restoreAllMocks();
    sns.restore();
  });

  it(`answers ${RUNS.generate} generated otp/generate requests with 200 or a 4xx envelope`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);

    await run(fuzzRequest(validSessionBody(() => world.sessions)), async (request) => count('generate', await fuzzInvoke(otpGenerate, '/auth/v1/mfa/otp/generate', request)), RUNS.generate);

    expect(errors).not.toHaveBeenCalled();
    expect(sns.commandCalls(PublishCommand).length).toBeGreaterThan(0);
  });

  it(`answers ${RUNS.validate} generated otp/validate requests with 200 or a 4xx envelope`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const otp = fc.oneof(
      { weight: 1, arbitrary: fc.constant<unknown>(OTP) },
      { weight: 4, arbitrary: fc.stringMatching(/^\d{1,12}$/) },
      { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(4829137465), fc.constant(9_999_999_999_999)) },
      { weight: 2, arbitrary: junk },
    );

    await run(fuzzRequest(validSessionBody(() => world.issued, { otp })), async (request) => count('validate', await fuzzInvoke(otpValidate, '/auth/v1/mfa/otp/validate', request)), RUNS.validate);

    expect(errors).not.toHaveBeenCalled();
  });

  it(`answers ${RUNS.token} generated token/generate requests with 200 or a 4xx envelope`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    // Placeholders for tokens signed in the property, from the body they end up in.
    const token = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('<signed>', '<signed with another secret>', '<expired>') },
      { weight: 1, arbitrary: fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join('.')) },
      { weight: 1, arbitrary: junk },
    );
    const body = validSessionBody(() => world.sessions, { authorizedToken: token }).map(({ sessionId: _sessionId, ...fields }) => fields);
    let opened = 0;

    await run(
      fuzzRequest(body),
      async (request) => {
        const fields = (request.body ?? {}) as Record<string, unknown>;
        const placeholder = typeof fields.authorizedToken === 'string' && fields.authorizedToken.startsWith('<') ? fields.authorizedToken : undefined;
        if (placeholder && request.raw === undefined) {
          fields.authorizedToken = await signFirstFactorToken({
            secret: placeholder === '<signed with another secret>' ? `${SECRET}-other` : SECRET,
            brand: text(fields.brand).toLowerCase(),
            identifier: { type: text(fields.identifierType) as IdentifierType, value: text(fields.identifierValue) },
            deviceId: text(fields.deviceId),
            ttlSeconds: placeholder === '<expired>' ? -60 : 300,
          });
        }
        const answer = await fuzzInvoke(tokenGenerate, '/auth/v1/mfa/token/generate', request);
        count('token', answer);
        if (answer.statusCode === 200) opened++;
      },
      RUNS.token,
    );

    expect(errors).not.toHaveBeenCalled();
    expect(opened).toBeGreaterThan(0);
  });

  it(`answers ${RUNS.jwks} generated jwks requests with 200 and the same public keys`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const method = fc.oneof({ weight: 8, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'POST', 'OPTIONS', 'get', '') });
    let first: string | undefined;

    await fc.assert(
      fc.asyncProperty(fuzzRequest(fc.constant({})), method, async (request, httpMethod) => {
        const event = fuzzEvent('/auth/v1/mfa/.well-known/jwks.json', request);
        event.httpMethod = httpMethod;
        const answer: Answer = await invoke(jwks, event);
        const body = answer.body as unknown as { keys?: unknown };
        if (answer.statusCode !== 200) throw new Error(`answered ${answer.statusCode}: ${JSON.stringify(body)}`);
        if (answer.headers['Content-Type'] !== 'application/json' || answer.headers['Cache-Control'] !== 'public, max-age=300') {
          throw new Error(`headers ${JSON.stringify(answer.headers)}`);
        }
        if (Object.keys(body).join() !== 'keys' || !Array.isArray(body.keys) || body.keys.length === 0) throw new Error(`not a key set: ${JSON.stringify(body)}`);
        for (const key of body.keys as Record<string, unknown>[]) {
          if (typeof key !== 'object' || key === null || typeof key.kty !== 'string') throw new Error(`not a key: ${JSON.stringify(key)}`);
          const exposed = PRIVATE_MEMBERS.filter((member) => member in key);
          if (exposed.length) throw new Error(`published ${exposed.join(', ')}`);
        }
        first ??= JSON.stringify(body);
        if (JSON.stringify(body) !== first) throw new Error(`keys changed: ${JSON.stringify(body)}`);
      }),
      { numRuns: RUNS.jwks },
    );

    expect(errors).not.toHaveBeenCalled();
    expect(first).toBeDefined();
  });

  it('reached past the first checks on every route: sessions, counters, OTPs and tokens', () => {
    // The answers a route never gave, of those it must: named in full when the test fails.
    const missed = (route: string, expected: string[]) => expected.filter((answer) => !outcomes.get(route)?.has(answer));

    expect(missed('generate', ['200/200', '429/1534', '401/1505', '401/1508', '401/1509'])).toEqual([]);
    expect(missed('validate', ['200/200', '401/1506', '401/1505', '429/1518', '401/1529'])).toEqual([]);
    expect(missed('token', ['200/200', '401/1504'])).toEqual([]);
  });

  it('leaves no partial item in the table', async () => {
    expect(await partialItems(world.brands.map((brand) => brand.brand))).toEqual([]);
  });

  it('wrote no OTP, number, address, username, external ID or secret in any log line', () => {
    const lines = logs.lines();

    expect(lines.length).toBeGreaterThan(1000);
    const watched = {
      otps: [OTP, ...publishedOtps(sns)],
      phones: ['+18767431754'],
      emails: ['jane@example.com'],
      identifiers: ['jane', 'ext-1'],
      secrets: [SECRET],
    };
    expect(leaksIn(lines, watched)).toEqual([]);
  });
});
