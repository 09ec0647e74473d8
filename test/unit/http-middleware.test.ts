import middy from '@middy/core';
import { jsonRoute, type JsonEvent } from '../../functions/shared/http-middleware';
import { MAX_BODY_BYTES } from '../../functions/shared/service-defaults';
import { DestinationRefusedError, InvalidDetailsError, RateLimitedError } from '../../functions/shared/errors';
import { successResponse } from '../../functions/shared/http-response';
import { logger } from '../../functions/shared/logger';
import { apiEvent, invoke, type EventOptions } from '../support/api-events';

/** The route handlers' middleware list around a handler that echoes the parsed body. */
function echoHandler(inner: (event: JsonEvent) => Promise<unknown> = async (event) => event.jsonBody) {
  return middy(async (event: JsonEvent) => successResponse({ echo: await inner(event) })).use(jsonRoute());
}

/** An event from a caller allowed to act for brand acme. */
const routeEvent = (options: EventOptions) => apiEvent({ caller: { brand: 'acme' }, ...options });

const send = (options: EventOptions) => invoke(echoHandler(), routeEvent(options));

const envelope = (code: number, message: string) => ({ status: { success: false, code, message } });

describe('the caller checks, before the body is looked at', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const FORBIDDEN = envelope(403, 'Forbidden');

  it.each<[string, EventOptions]>([
    ['a malformed body', { rawBody: '{' }],
    ['a body that is not JSON', { rawBody: 'x=1', headers: { 'Content-Type': 'text/plain' } }],
    ['a body over 16 KiB', { body: { pad: 'x'.repeat(MAX_BODY_BYTES) } }],
  ])('answers 403 to a caller without customer:write whatever the body, here %s', async (_label, options) => {
    const answer = await invoke(echoHandler(), apiEvent({ caller: { brand: 'acme', scopes: ['customer:read'] }, ...options }));

    expect(answer.statusCode).toBe(403);
    expect(answer.body).toEqual(FORBIDDEN);
  });

  it('answers 401 when the event carries no caller', async () => {
    const answer = await invoke(echoHandler(), apiEvent({ rawBody: '{' }));

    expect(answer.statusCode).toBe(401);
  });

  it.each(['other', ' OTHER '])('answers 403 to a body naming another brand (%p) before any other field is checked', async (brand) => {
    const answer = await send({ body: { brand } });

    expect(answer.statusCode).toBe(403);
    expect(answer.body).toEqual(FORBIDDEN);
  });

  it.each([' ACME ', 'acme'])('passes a body naming the caller\'s brand as %p, in any case and spacing', async (brand) => {
    const answer = await send({ body: { brand } });

    expect(answer.statusCode).toBe(200);
  });

  it.each([undefined, 42, '   '])('leaves a body whose brand is %p to the route\'s schema', async (brand) => {
    const answer = await send({ body: { brand } });

    expect(answer.statusCode).toBe(200);
  });
});

describe('the body checks', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('parses a JSON object body for the handler', async () => {
    const answer = await send({ body: { a: 1, nested: { b: [true] } } });

    expect(answer.statusCode).toBe(200);
    expect(answer.body.echo).toEqual({ a: 1, nested: { b: [true] } });
  });

  it.each(['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8', ' application/json '])(
    'accepts the content type %p',
    async (contentType) => {
      const answer = await send({ body: { a: 1 }, headers: { 'Content-Type': contentType } });

      expect(answer.statusCode).toBe(200);
    },
  );

  it('finds the content type whatever the case of the header name', async () => {
    const event = routeEvent({ body: { a: 1 } });
    event.headers = { 'CONTENT-TYPE': 'application/json' };

    expect((await invoke(echoHandler(), event)).statusCode).toBe(200);
  });

  it.each(['text/plain', 'application/jsonp', 'application/json-patch+json', 'application/x-www-form-urlencoded', ''])(
    'answers 415 for the content type %p',
    async (contentType) => {
      const answer = await send({ body: { a: 1 }, headers: { 'Content-Type': contentType } });

      expect(answer.statusCode).toBe(415);
      expect(answer.body).toEqual(envelope(1519, 'Content-Type must be application/json'));
    },
  );

  it('answers 415 when there is no content type', async () => {
    const event = routeEvent({ body: { a: 1 } });
    event.headers = {};

    const answer = await invoke(echoHandler(), event);

    expect(answer.statusCode).toBe(415);
  });

  it('answers 415 when the event has no headers at all', async () => {
    const event = routeEvent({ body: { a: 1 } });
    (event as { headers: unknown }).headers = null;

    const answer = await invoke(echoHandler(), event);

    expect(answer.statusCode).toBe(415);
  });

  it('accepts a body of exactly 16 KiB', async () => {
    const raw = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES - 10) });

    const answer = await send({ rawBody: raw });

    expect(Buffer.byteLength(raw)).toBe(16 * 1024);
    expect(answer.statusCode).toBe(200);
  });

  it('answers 413 for a body one byte over 16 KiB', async () => {
    const answer = await send({ rawBody: JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES - 9) }) });

    expect(answer.statusCode).toBe(413);
    expect(answer.body).toEqual(envelope(1519, 'Request body too large'));
  });

  it('counts bytes, not characters', async () => {
    const answer = await send({ rawBody: JSON.stringify({ pad: 'é'.repeat(MAX_BODY_BYTES / 2) }) });

    expect(answer.statusCode).toBe(413);
  });

  it('answers 413 for a huge body before trying to parse it', async () => {
    const parse = jest.spyOn(JSON, 'parse');

    const answer = await send({ rawBody: `{"a":"${'x'.repeat(1024 * 1024)}` });

    expect(answer.statusCode).toBe(413);
    expect(parse).not.toHaveBeenCalledWith(expect.stringContaining('xxxx'));
  });

  it('decodes a base64-encoded body', async () => {
    const event = routeEvent({ rawBody: Buffer.from('{"a":"é"}').toString('base64') });
    event.isBase64Encoded = true;

    const answer = await invoke(echoHandler(), event);

    expect(answer.body.echo).toEqual({ a: 'é' });
  });

  it('answers 413 for a base64-encoded body over 16 KiB once decoded', async () => {
    const event = routeEvent({ rawBody: Buffer.from(JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) })).toString('base64') });
    event.isBase64Encoded = true;

    expect((await invoke(echoHandler(), event)).statusCode).toBe(413);
  });

  it.each([
    ['malformed JSON', '{"a":'],
    ['a trailing comma', '{"a":1,}'],
    ['an empty body', ''],
    ['an array', '[{"a":1}]'],
    ['null', 'null'],
    ['a string', '"text"'],
    ['a number', '42'],
    ['true', 'true'],
    ['a form body', 'a=1&b=2'],
  ])('answers 400/1519 naming the body for %s', async (_shape, rawBody) => {
    const answer = await send({ rawBody });

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toEqual(envelope(1519, 'Invalid details passed: body'));
  });

  it('answers 400/1519 when the event carries no body', async () => {
    const answer = await send({});

    expect(answer.statusCode).toBe(400);
    expect(answer.body.status.code).toBe(1519);
  });

  it('checks the content type before the size and the size before the JSON', async () => {
    const huge = 'x'.repeat(MAX_BODY_BYTES + 1);

    expect((await send({ rawBody: huge, headers: { 'Content-Type': 'text/plain' } })).statusCode).toBe(415);
    expect((await send({ rawBody: huge })).statusCode).toBe(413);
  });
});

describe('the error envelope', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const failing = (error: unknown) =>
    echoHandler(async () => {
      throw error;
    });

  it('answers an unexpected error with a bare 500/1503 that leaks nothing', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);

    const answer = await invoke(failing(new Error('secret detail +18767431754')), routeEvent({ body: {} }));

    expect(answer.statusCode).toBe(500);
    expect(answer.body).toEqual(envelope(1503, 'Unable to generate OTP'));
    expect(answer.headers['Retry-After']).toBeUndefined();
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalErrorException', 'ThrottledException'])(
    'answers a %s with 503/1503 and Retry-After',
    async (name) => {
      jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      const error = Object.assign(new Error('busy'), { name });

      const answer = await invoke(failing(error), routeEvent({ body: {} }));

      expect(answer.statusCode).toBe(503);
      expect(answer.headers['Retry-After']).toBe('1');
      expect(answer.body).toEqual(envelope(1503, 'Unable to generate OTP'));
    },
  );

  it('answers a network failure with 503', async () => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    expect((await invoke(failing(error), routeEvent({ body: {} }))).statusCode).toBe(503);
  });

  it('answers an API error with its status, code, message and Retry-After', async () => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);

    const answer = await invoke(failing(new RateLimitedError(42)), routeEvent({ body: {} }));

    expect(answer.statusCode).toBe(429);
    expect(answer.headers).toMatchObject({ 'Retry-After': '42', 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(answer.body).toEqual(envelope(1534, 'Reached the maximum number of OTPs allowed per customer'));
  });

  it('logs a refusal with what the client was told and the name of the dependency refusal behind it', async () => {
    const logged = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    const refusal = Object.assign(new Error('Phone number +18767431754 is opted out'), { name: 'OptedOutException' });

    await invoke(failing(new DestinationRefusedError({ cause: refusal })), routeEvent({ body: {} }));
    await invoke(failing(new InvalidDetailsError('sessionId')), routeEvent({ body: {} }));

    expect(logged.mock.calls).toEqual([
      ['Request refused', { code: 1540, httpStatus: 400, detail: 'OTP cannot be delivered to this mobile number', cause: 'OptedOutException' }],
      ['Request refused', { code: 1519, httpStatus: 400, detail: 'Invalid details passed: sessionId' }],
    ]);
  });

  it('logs a failure with its status, so that a 500 and a 503 (both 1503) are told apart', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const outage = Object.assign(new Error('busy'), { name: 'ThrottlingException' });

    await invoke(failing(outage), routeEvent({ body: {} }));
    await invoke(failing(new Error('bug')), routeEvent({ body: {} }));

    expect(logged.mock.calls.map(([, fields]) => (fields as { httpStatus?: number }).httpStatus)).toEqual([503, 500]);
  });

  it('answers a thrown non-error value with 500', async () => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);

    expect((await invoke(failing('a string'), routeEvent({ body: {} }))).statusCode).toBe(500);
  });
});
