import fc from 'fast-check';
import { runAdmin } from '../../scripts/admin/commands';
import type { Answer } from '../support/api-events';
import { assertEnvelope, junk, nasty, partialItems } from '../support/fuzz';
import { startTestStack, type TestStack } from '../support/local-stack';

// No handler module is imported here: startTestStack sets the environment they read first.

/**
 * Generated Authorization headers, methods, paths and bodies against the whole local
 * API over HTTP: the authorizer and its cache, the gateway's own refusals and every
 * route behind them, as API Gateway puts them together. Every answer is a spec envelope
 * with 200 or a 4xx (the JWKS route answers its keys), and the demo brand's items stay whole.
 */
const RUNS = 1000;
const ROUTES = ['/auth/v1/mfa/token/generate', '/auth/v1/mfa/otp/generate', '/auth/v1/mfa/otp/validate'];
const JWKS = '/auth/v1/mfa/.well-known/jwks.json';

/** What fetch can put in a header: visible ASCII and spaces, as a client library would send. */
const sendable = (value: string) => value.replace(/[^\x20-\x7e]/g, '').trim();
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('fuzzing the local API over HTTP', () => {
  let local: TestStack;
  let session: Record<string, string>;

  beforeAll(async () => {
    local = await startTestStack('fuzz-local-api');
    const { sessionId } = (await runAdmin(
      ['session', 'create', '--brand', 'demo', '--identifier-type', 'MOBILE', '--identifier-value', '+18767431754', '--device-id', 'device-fuzz'],
      { store: local.store, now: Date.now },
    )) as { sessionId: string };
    session = { identifierType: 'MOBILE', identifierValue: '+18767431754', deviceId: 'device-fuzz', brand: 'demo', sessionId };
  });

  afterAll(async () => {
    await local.stop();
  });

  beforeEach(() => {
    // The outbox echoes each message, OTP included, to the console for local developers.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it(`answers ${RUNS} generated requests with an envelope and 200 or a 4xx, whatever their Authorization`, async () => {
    const authorization = fc.oneof(
      { weight: 3, arbitrary: fc.constant(local.authorization) },
      { weight: 1, arbitrary: fc.constantFrom(local.authorization.toLowerCase(), `${local.authorization}=`, local.authorization.slice(0, -2), `Bearer ${local.authorization.slice(6)}`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('Basic', 'Bearer', 'Digest', ''), fc.oneof(fc.base64String(), fc.string({ maxLength: 80 }), nasty)).map(([scheme, rest]) => `${scheme} ${rest}`) },
      { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map(([id, secret]) => `Basic ${b64(`${id}:${secret}`)}`) },
      { weight: 1, arbitrary: fc.oneof(fc.constant('x'.repeat(5000)), fc.constant(`Basic ${'A'.repeat(6000)}`), fc.constant('')) },
    );
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.constant(session).map((valid) => JSON.stringify(valid)) },
      { weight: 1, arbitrary: fc.record({ otp: fc.stringMatching(/^\d{6}$/) }).map((extra) => JSON.stringify({ ...session, ...extra })) },
      { weight: 2, arbitrary: junk.map((value) => JSON.stringify(value) ?? '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );
    const path = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ROUTES) }, fc.constantFrom(JWKS, '/', '/auth/v1/mfa/otp', `${ROUTES[1]}/`, '/health/x'));
    const method = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'));
    const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, fc.constantFrom('text/plain', 'application/json; charset=utf-8', ''));
    let refusedCaller = 0;
    let passedCaller = 0;

    await fc.assert(
      fc.asyncProperty(fc.option(authorization, { freq: 10 }), method, path, contentType, body, async (auth, verb, route, type, text) => {
        const headers: Record<string, string> = {};
        if (auth !== null) headers.Authorization = sendable(auth);
        if (type) headers['Content-Type'] = type;
        const response = await fetch(`${local.stack.url}${route}`, { method: verb, headers, ...(verb === 'GET' ? {} : { body: text }) });
        const raw = await response.text();
        let parsed: Answer['body'];
        try {
          parsed = JSON.parse(raw) as Answer['body'];
        } catch {
          throw new Error(`${verb} ${route} answered ${response.status} with no JSON: ${raw.slice(0, 200)}`);
        }
        if (verb === 'GET' && route === JWKS) {
          if (response.status !== 200 || !Array.isArray((parsed as { keys?: unknown }).keys)) throw new Error(`JWKS answered ${response.status}: ${raw}`);
          return;
        }
        assertEnvelope({ statusCode: response.status, body: parsed, headers: { 'Content-Type': response.headers.get('content-type') ?? '' } });
        if (response.status === 401 || response.status === 403) refusedCaller++;
        else if (response.status !== 404) passedCaller++;
      }),
      { numRuns: RUNS },
    );

    expect(refusedCaller).toBeGreaterThan(0);
    expect(passedCaller).toBeGreaterThan(0);
    expect(await partialItems(['demo'])).toEqual([]);
  });
});
