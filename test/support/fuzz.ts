import { isPhoneChannel } from '../../functions/domain/brand-config';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { apiEvent, invoke, type Answer } from './api-events';
import { scanTable } from './otp-generate';

/** Strings that have broken parsers, keys and logs before. */
export const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '\r\n',
  '__proto__',
  'constructor',
  'toString',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '#',
  'SESSION#P-1',
  'BRAND#other',
  '%s%n%x',
  '😀'.repeat(80),
  'A'.repeat(400),
  '1e309',
  'NaN',
  'null',
  '+',
  '++1',
  '+1 (876) 743-1754',
  '18767431754',
  '+0000000000',
  'jane@example.com',
  'JANE@EXAMPLE.COM ',
  'MOBILE',
  'mobile',
  'EMAIL',
  'USERNAME',
  'EXTERNALID',
);

const scalar = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

/** Any JSON-ish value a field could be sent as. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
);

/**
 * A body near `valid`: each field kept (most often), replaced by junk or dropped, and
 * sometimes extra fields; or any JSON value at all.
 */
export function nearBody(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const mutated = valid.chain((fields) =>
    fc
      .tuple(
        fc.tuple(
          ...Object.entries(fields).map(([key, value]) =>
            fc.oneof(
              { weight: 16, arbitrary: fc.constant([key, value] as const) },
              { weight: 1, arbitrary: junk.map((other) => [key, other] as const) },
              { weight: 1, arbitrary: fc.constant([key, undefined] as const) },
            ),
          ),
        ),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), nasty), junk, { maxKeys: 2 }),
      )
      .map(([entries, extra]) => ({ ...extra, ...Object.fromEntries(entries.filter(([, value]) => value !== undefined)) })),
  );
  return fc.oneof({ weight: 12, arbitrary: mutated }, { weight: 1, arbitrary: fc.jsonValue() });
}

export interface FuzzRequest {
  body: unknown;
  /** Sent instead of JSON.stringify(body): not JSON, truncated, or base64. */
  raw?: string;
  base64?: boolean;
  headers: Record<string, string>;
  query: Record<string, string> | null;
  caller: { brand: string; scopes?: string[] } | null;
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8 ') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', '', 'multipart/form-data; boundary=x') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/**
 * A whole request: a body near `valid` (or raw text), headers, query string and the
 * authorizer context, most often for the brand `valid` names.
 */
export function fuzzRequest(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<FuzzRequest> {
  const headers = fc
    .tuple(
      // fc.option gives null (no Content-Type at all) one time in `freq`.
      fc.option(contentType, { freq: 12 }),
      fc.constantFrom('Content-Type', 'content-type', 'CONTENT-TYPE'),
      fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), fc.oneof(fc.string({ maxLength: 40 }), nasty), { maxKeys: 3 }),
    )
    .map(([type, name, extra]) => ({ ...extra, ...(type === null ? {} : { [name]: type }) }));
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    fc.record({ fallbackChannel: fc.oneof(fc.constantFrom('SMS', 'sms', 'EMAIL', 'WHATSAPP', ''), nasty) }),
    fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
  );
  type Caller = FuzzRequest['caller'];
  const callerFor = (brand: string): fc.Arbitrary<Caller> =>
    fc.oneof<fc.WeightedArbitrary<Caller>[]>(
      { weight: 12, arbitrary: fc.constant<Caller>({ brand: brand.toLowerCase() }) },
      { weight: 1, arbitrary: fc.constant<Caller>(null) },
      { weight: 1, arbitrary: fc.record({ brand: fc.oneof(nasty, fc.string({ maxLength: 20 })), scopes: fc.array(fc.string({ maxLength: 12 }), { maxLength: 2 }) }) as fc.Arbitrary<Caller> },
      { weight: 1, arbitrary: fc.constant<Caller>({ brand: brand.toLowerCase(), scopes: ['customer:read'] }) },
    );
  // Raw text (not JSON, truncated, oversized) instead of the body, one time in ten.
  const raw = fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('{', '{"identifierType":', '[]', 'null', '"x"', '{}{}', '\uFEFF{}', 'x'.repeat(17_000)),
      ),
    },
  );
  return valid.chain((fields) =>
    fc
      .record({
        body: nearBody(fc.constant(fields)),
        raw,
        base64: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        headers,
        query,
        caller: callerFor(typeof fields.brand === 'string' ? fields.brand : ''),
      })
      .map(({ body, raw: text, base64, headers: h, query: q, caller }) => {
        const request: FuzzRequest = { body, headers: h, query: q, caller };
        if (text !== null) request.raw = text;
        else if (base64) request.base64 = true;
        return request;
      }),
  );
}

/** The API Gateway event of a fuzzed request. */
export function fuzzEvent(path: string, request: FuzzRequest): APIGatewayProxyEvent {
  const json = JSON.stringify(request.body ?? null);
  const event = apiEvent({ path, rawBody: request.raw ?? json, caller: request.caller });
  event.headers = { ...request.headers };
  event.multiValueHeaders = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, [v]]));
  event.queryStringParameters = request.query;
  if (request.base64 && request.raw === undefined) {
    event.body = Buffer.from(json, 'utf8').toString('base64');
    event.isBase64Encoded = true;
  }
  return event;
}

/** Fails unless the answer is a spec envelope with 200 or a 4xx that agrees with it. */
export function assertEnvelope(answer: Answer): void {
  const { statusCode, body, headers } = answer;
  if (!(statusCode === 200 || (statusCode >= 400 && statusCode < 500))) {
    throw new Error(`answered ${statusCode}: ${JSON.stringify(body)}`);
  }
  const status = body?.status;
  if (
    typeof status !== 'object' ||
    typeof status.success !== 'boolean' ||
    !Number.isInteger(status.code) ||
    typeof status.message !== 'string' ||
    status.message === ''
  ) {
    throw new Error(`not an envelope: ${JSON.stringify(body)}`);
  }
  if (status.success !== (statusCode === 200)) throw new Error(`success ${status.success} with ${statusCode}`);
  if (statusCode === 200 && status.code !== 200) throw new Error(`200 with code ${status.code}`);
  if (!String(headers['Content-Type'] ?? '').startsWith('application/json')) throw new Error(`content type ${headers['Content-Type']}`);
}

/** Invokes a handler with a fuzzed request; a rejection (a crash) fails like a bad answer. */
export async function fuzzInvoke(handler: unknown, path: string, request: FuzzRequest): Promise<Answer> {
  const answer = await invoke(handler, fuzzEvent(path, request));
  assertEnvelope(answer);
  return answer;
}

// otpChannel and otpCountry go with them, but an OTP stored before they were recorded has neither.
const OTP_FIELDS = ['otpHash', 'otpExpiresAt', 'otpWrongTries', 'otpMaxTries'];
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/**
 * Every item of these brands in the table is whole: sessions with all their fields and
 * their OTP fields all or none (none once consumed), counters with a count, a window and
 * one take ID per OTP counted, refresh keys with their subject. Answers the problems found (empty: none).
 */
export async function partialItems(brands: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const item of await scanTable()) {
    const pk = String(item.pk);
    const brandOf = String(item.brand ?? '');
    if (pk.startsWith('SESSION#') && brands.includes(brandOf)) {
      for (const field of ['identifierType', 'identifierValue', 'deviceId']) if (typeof item[field] !== 'string') problems.push(`${pk} without ${field}`);
      if (!isNumber(item.expiresAt) || !isNumber(item.ttl)) problems.push(`${pk} without expiry`);
      const present = OTP_FIELDS.filter((field) => item[field] !== undefined);
      if (present.length !== 0 && present.length !== OTP_FIELDS.length) problems.push(`${pk} with only ${present.join(', ')}`);
      if (present.length && Number(item.otpWrongTries) > Number(item.otpMaxTries)) problems.push(`${pk} over its tries`);
      const otpAttributes = Object.keys(item).filter((name) => name.startsWith('otp'));
      if (otpAttributes.length && item.otpHash === undefined) problems.push(`${pk} with ${otpAttributes.join(', ')} but no OTP`);
      if (item.consumedBy !== undefined && otpAttributes.length) problems.push(`${pk} consumed but still holding ${otpAttributes.join(', ')}`);
      // A country goes with a phone channel's OTP, and with nothing else.
      if (item.otpCountry !== undefined && !isPhoneChannel(String(item.otpChannel))) problems.push(`${pk} with a country but no phone OTP`);
    }
    if (pk.startsWith('OTPCOUNT#') && brands.some((brand) => pk.startsWith(`OTPCOUNT#${brand}#`))) {
      if (!isNumber(item.count) || Number(item.count) < 0 || !isNumber(item.windowEnd) || !isNumber(item.ttl)) problems.push(`${pk} is not a whole counter`);
      // Every OTP counted keeps its take ID: a lost or doubled take shows as a mismatch.
      const takes = item.takes instanceof Set ? item.takes.size : 0;
      if (takes !== Number(item.count)) problems.push(`${pk} counts ${String(item.count)} with ${takes} takes`);
    }
    if (pk.startsWith('REFRESH#') && brands.includes(brandOf)) {
      for (const field of ['sub', 'idv', 'dev']) if (typeof item[field] !== 'string') problems.push(`${pk} without ${field}`);
      if (!isNumber(item.expiresAt) || !isNumber(item.ttl)) problems.push(`${pk} without expiry`);
    }
    if (!/^(SESSION|OTPCOUNT|REFRESH|BRAND|CREDENTIAL|CUSTOMER|OAUTH_ISSUER)#/.test(pk)) problems.push(`unexpected item ${pk}`);
  }
  return problems;
}
