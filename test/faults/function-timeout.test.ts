import { PublishCommand } from '@aws-sdk/client-sns';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler as generateHandler } from '../../functions/otp-generate';
import { handler as jwksHandler } from '../../functions/jwks';
import { handler as validateHandler } from '../../functions/otp-validate';
import { documentClient } from '../../functions/shared/aws-clients';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { ROUTE_OPTIONS } from '../../functions/shared/route-options';
import { logger } from '../../functions/shared/logger';
import { tokenSigner } from '../../functions/shared/token-signer';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { apiEvent } from '../support/api-events';
import { CALLS, type AnyCommand, type CallName } from '../support/fault-injection';
import { scanLogsOfEachTest } from '../support/log-scan';
import { counterItem, generateBody, issuedFixture, otpFixture, refreshKeysOf, sessionItem, type OtpFixture } from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;

/** Lambda's deadline for these invocations: shorter than a DynamoDB call's own timeouts and retries. */
const FUNCTION_TIMEOUT_MS = 1500;
/** The route must answer with time to spare for the answer to leave before Lambda stops it. */
const ANSWERED_BY_MS = FUNCTION_TIMEOUT_MS - ROUTE_OPTIONS.timeoutEarlyInMillis / 2;
const UNAVAILABLE = { status: { success: false, code: 1503, message: 'Unable to generate OTP' } };
const OTP = '482913';

const sns = mockSnsPublish();

/** Holds every DynamoDB call of one kind until `release` is called; the rest go through. */
function holdCalls(call: CallName): { release: () => void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const target = documentClient as unknown as { send: (command: AnyCommand) => Promise<unknown> };
  const original = target.send.bind(documentClient);
  jest.spyOn(target, 'send').mockImplementation(async (command: AnyCommand) => {
    if (CALLS[call](command)) await gate;
    return original(command);
  });
  return { release: () => release() };
}

/** Settles once the store's `method` has run to its end, on any instance (the handlers' own included). */
function finished(method: 'refund' | 'discardRefreshKey'): Promise<void> {
  const prototype = DynamoStore.prototype as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  const original = prototype[method] as (...args: unknown[]) => Promise<void>;
  return new Promise((resolve) => {
    jest.spyOn(prototype, method).mockImplementation(async function (this: DynamoStore, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } finally {
        resolve();
      }
    });
  });
}

/** A session holding OTP, as otp/generate stores it. */
const issued = (): Promise<OtpFixture> => issuedFixture({ otp: OTP });

async function invokeTimed(handler: unknown, event: unknown): Promise<{ result: APIGatewayProxyResult; elapsedMs: number }> {
  const started = Date.now();
  const result = await (handler as Handler)(event, lambdaContext('test', FUNCTION_TIMEOUT_MS));
  return { result, elapsedMs: Date.now() - started };
}

describe('a route whose dependency does not answer within the function timeout', () => {
  const logs = scanLogsOfEachTest();

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each<[string, Handler, string]>([
    ['otp/generate', generateHandler as unknown as Handler, '/auth/v1/mfa/otp/generate'],
    ['otp/validate', validateHandler as unknown as Handler, '/auth/v1/mfa/otp/validate'],
  ])('%s answers 503/1503 with Retry-After half a second before Lambda would stop it', async (_route, handler, path) => {
    const fixture = await otpFixture();
    // DynamoDB accepts the request and never answers (the SDK's own timeout is longer than the function's).
    jest.spyOn(documentClient, 'send').mockImplementation(() => new Promise(() => undefined));
    const event = apiEvent({ path, body: { ...generateBody(fixture), otp: OTP }, caller: { brand: fixture.brand.brand } });

    const { result, elapsedMs } = await invokeTimed(handler, event);

    expect(elapsedMs).toBeLessThan(ANSWERED_BY_MS);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toEqual(UNAVAILABLE);
    expect(logs().text()).toContain('TimeoutError');
  });

  it('jwks answers 503/1503 with Retry-After when the public keys do not come in time', async () => {
    jest.spyOn(tokenSigner, 'publicJwks').mockImplementation(() => new Promise(() => undefined));

    const { result, elapsedMs } = await invokeTimed(jwksHandler, apiEvent({ path: '/auth/v1/mfa/.well-known/jwks.json' }));

    expect(elapsedMs).toBeLessThan(ANSWERED_BY_MS);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toEqual(UNAVAILABLE);
  });

  it('otp/generate sends nothing and gives the allowance back when its counter write answers after the 503', async () => {
    const fixture = await otpFixture();
    const counter = holdCalls('counterWrite');
    const refunded = finished('refund');

    const { result } = await invokeTimed(generateHandler, apiEvent({ body: generateBody(fixture), caller: { brand: fixture.brand.brand } }));
    counter.release();
    // The abandoned request runs on: its write lands, then it must stop and refund.
    await refunded;

    expect(result.statusCode).toBe(503);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 0 });
  });

  it('otp/generate logs an OTP it sends after its 503 under its own request, not the one running by then', async () => {
    const late = await otpFixture();
    const next = await otpFixture();
    const sentLines = () =>
      logs()
        .lines()
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => record.message === 'OTP sent');
    let releaseLate = () => undefined as void;
    const lateGate = new Promise<void>((resolve) => (releaseLate = resolve));
    let lateLogged = () => undefined as void;
    const lateLine = new Promise<void>((resolve) => (lateLogged = resolve));
    const info = logger.info.bind(logger) as (...args: unknown[]) => void;
    jest.spyOn(logger, 'info').mockImplementation((...args: unknown[]) => {
      info(...args);
      if (args[0] === 'OTP sent') lateLogged();
    });
    sns
      .on(PublishCommand)
      .callsFakeOnce(async () => {
        await lateGate;
        return { MessageId: 'late' };
      })
      // The next request's publish lets the late one through and waits until it has logged.
      .callsFake(async () => {
        releaseLate();
        await lateLine;
        return { MessageId: 'next' };
      });
    const lateEvent = apiEvent({ body: generateBody(late), caller: { brand: late.brand.brand } });
    const nextEvent = apiEvent({ body: generateBody(next), caller: { brand: next.brand.brand } });
    const lateContext = lambdaContext('test', FUNCTION_TIMEOUT_MS);
    const nextContext = lambdaContext('test', 15_000);

    const lateAnswer = await (generateHandler as unknown as Handler)(lateEvent, lateContext);
    const nextAnswer = await (generateHandler as unknown as Handler)(nextEvent, nextContext);

    expect([lateAnswer.statusCode, nextAnswer.statusCode]).toEqual([503, 200]);
    expect(sentLines().map((record) => [record.correlation_id, record.function_request_id])).toEqual([
      [lateEvent.requestContext.requestId, lateContext.awsRequestId],
      [nextEvent.requestContext.requestId, nextContext.awsRequestId],
    ]);
  });

  it('otp/validate does not spend the OTP when its refresh-key write answers after the 503', async () => {
    const fixture = await issued();
    const before = await sessionItem(fixture.session);
    const refreshKey = holdCalls('putRefreshKey');
    const discarded = finished('discardRefreshKey');

    const { result } = await invokeTimed(validateHandler, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp: OTP }), caller: { brand: fixture.brand.brand } }));
    refreshKey.release();
    // The abandoned request runs on: its key lands, then it must stop and take the key back.
    await discarded;

    expect(result.statusCode).toBe(503);
    expect(await sessionItem(fixture.session)).toEqual(before);
    expect(await refreshKeysOf(fixture.brand.brand)).toEqual([]);
  });
});
