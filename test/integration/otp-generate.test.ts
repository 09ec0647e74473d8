import {
  InternalErrorException,
  KMSThrottlingException,
  PublishCommand,
  ThrottledException,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashOtp } from '../../functions/domain/otp-code';
import { handler } from '../../functions/otp-generate';
import { metrics } from '../../functions/shared/metrics';
import { apiEvent, invoke, uniqueBrand } from '../support/api-events';
import { seedSession, testStore } from '../support/fixtures';
import { publishedOtps, scanLogsOfEachTest } from '../support/log-scan';
import {
  counterItem,
  generate,
  generateBody,
  otpFixture,
  otpOf,
  outcome,
  PHONE,
  sessionItem,
} from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

const TOPIC = process.env.OTP_TOPIC_ARN as string;
const SUCCESS = { status: { success: true, code: 200, message: 'SUCCESS' } };
const TRANSACTIONAL = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };
const store = testStore();
const sns = mockSnsPublish();

const published = (): PublishCommandInput[] => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

describe('POST /auth/v1/mfa/otp/generate', () => {
  scanLogsOfEachTest(() => ({
    otps: publishedOtps(sns),
    phones: [PHONE, '+15005550006', '+12025550123', '+1 555 0100'],
    emails: ['jane@example.com', 'john@example.com'],
    identifiers: ['jane', 'john', 'ghost', 'ext-42', 'ext-1'],
  }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('200', () => {
    it('publishes the OTP by SMS as a transactional message and answers the bare success envelope', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(200);
      expect(answer.body).toEqual(SUCCESS);
      expect(answer.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      const otp = otpOf(published()[0]);
      expect(published()).toEqual([
        {
          PhoneNumber: PHONE,
          Message: `${otp} is your verification code. Do not share it with anyone.`,
          MessageAttributes: TRANSACTIONAL,
        },
      ]);
      expect(otp).toMatch(/^\d{6}$/);
    });

    it('stores the keyed hash of the OTP on the session, never the OTP', async () => {
      const fixture = await otpFixture({ brand: { otpValidityMinutes: 7, mfaMaxOtpRetryCount: 3 } });
      const before = Date.now();

      await generate(handler, fixture);

      const otp = otpOf(published()[0]);
      const item = await sessionItem(fixture.session);
      expect(item?.otpHash).toBe(hashOtp(process.env.OTP_PEPPER as string, fixture.session.sessionId, otp));
      expect(item).toMatchObject({ otpWrongTries: 0, otpMaxTries: 3 });
      expect(item?.otpExpiresAt).toBeGreaterThanOrEqual(before + 7 * 60_000);
      expect(item?.otpExpiresAt).toBeLessThanOrEqual(Date.now() + 7 * 60_000);
      expect(JSON.stringify(item)).not.toContain(otp);
    });

    it('publishes with the brand sender ID, origination number and SMS template', async () => {
      const fixture = await otpFixture({
        brand: { smsSenderId: 'ACME', smsOriginationNumber: '+15005550006', templates: { SMS: 'Acme code {otp}' } },
      });

      await generate(handler, fixture);

      const otp = otpOf(published()[0]);
      expect(published()).toEqual([
        {
          PhoneNumber: PHONE,
          Message: `Acme code ${otp}`,
          MessageAttributes: {
            ...TRANSACTIONAL,
            'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACME' },
            'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+15005550006' },
          },
        },
      ]);
    });

    it('publishes an EMAIL on the delivery topic as a versioned JSON message with a channel attribute', async () => {
      const fixture = await otpFixture({
        brand: { otpLength: 8, templates: { EMAIL: 'Your Acme code: {otp}' } },
        session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' },
      });

      const answer = await generate(handler, fixture, { identifierValue: '  Jane@Example.COM ' });

      expect(answer.statusCode).toBe(200);
      const otp = otpOf(published()[0]);
      expect(otp).toMatch(/^\d{8}$/);
      expect(published()).toEqual([
        {
          TopicArn: TOPIC,
          Message: expect.any(String),
          MessageAttributes: { channel: { DataType: 'String', StringValue: 'EMAIL' } },
        },
      ]);
      expect(JSON.parse(published()[0]?.Message ?? '')).toEqual({
        version: 1,
        channel: 'EMAIL',
        to: 'jane@example.com',
        brand: fixture.brand.brand,
        sessionId: fixture.session.sessionId,
        otp,
        message: `Your Acme code: ${otp}`,
      });
    });

    it('publishes on the delivery topic for the brand mobile sub-channel', async () => {
      const fixture = await otpFixture({ brand: { mobileSubChannel: 'WHATSAPP' } });

      await generate(handler, fixture);

      expect(published()).toEqual([
        expect.objectContaining({ TopicArn: TOPIC, MessageAttributes: { channel: { DataType: 'String', StringValue: 'WHATSAPP' } } }),
      ]);
      expect(JSON.parse(published()[0]?.Message ?? '')).toMatchObject({ channel: 'WHATSAPP', to: PHONE });
    });

    it('sends by SMS instead of the sub-channel with fallbackChannel=SMS', async () => {
      const fixture = await otpFixture({ brand: { mobileSubChannel: 'ZALO' } });

      const answer = await generate(handler, fixture, {}, { query: { fallbackChannel: 'sms' } });

      expect(answer.statusCode).toBe(200);
      expect(published()).toEqual([expect.objectContaining({ PhoneNumber: PHONE, MessageAttributes: TRANSACTIONAL })]);
    });

    it('sends a USERNAME to the mobile of the customer record', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE, email: 'jane@example.com' });

      const answer = await generate(handler, fixture, { identifierValue: ' jane ' });

      expect(answer.statusCode).toBe(200);
      expect(published()).toEqual([expect.objectContaining({ PhoneNumber: PHONE })]);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
    });

    it('sends an EXTERNALID to the customer e-mail when the brand says otpSendForExternalId EMAIL', async () => {
      const fixture = await otpFixture({
        brand: { externalIdLoginEnabled: true, otpSendForExternalId: 'EMAIL' },
        session: { identifierType: 'EXTERNALID', identifierValue: 'ext-42' },
      });
      await store.putCustomer(fixture.brand.brand, { type: 'EXTERNALID', value: 'ext-42' }, { mobile: PHONE, email: 'jane@example.com' });

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(published()[0]?.Message ?? '')).toMatchObject({ channel: 'EMAIL', to: 'jane@example.com' });
    });

    it('accepts the brand in another case for the caller of that brand', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { brand: fixture.brand.brand.toUpperCase() });

      expect(answer.statusCode).toBe(200);
    });

    it('ignores unknown body fields', async () => {
      const fixture = await otpFixture();

      expect((await generate(handler, fixture, { otp: '123456', extra: { deep: true } })).statusCode).toBe(200);
    });

    it('replaces the earlier OTP of the session with a new one', async () => {
      const fixture = await otpFixture({ brand: { otpLength: 10 } });
      await generate(handler, fixture);
      const first = await sessionItem(fixture.session);

      await generate(handler, fixture);

      const second = await sessionItem(fixture.session);
      const latest = otpOf(published()[1]);
      expect(second?.otpHash).not.toBe(first?.otpHash);
      expect(second?.otpHash).toBe(hashOtp(process.env.OTP_PEPPER as string, fixture.session.sessionId, latest));
    });
  });

  describe('400 / 1519', () => {
    it.each(['identifierType', 'identifierValue', 'deviceId', 'brand', 'sessionId'])(
      'names %s when it is missing',
      async (field) => {
        const fixture = await otpFixture();
        const body = generateBody(fixture);
        delete body[field];

        const answer = await invoke(handler, apiEvent({ body, caller: { brand: fixture.brand.brand } }));

        expect(answer.statusCode).toBe(400);
        expect(answer.body).toEqual({ status: { success: false, code: 1519, message: `Invalid details passed: ${field}` } });
      },
    );

    it.each([
      ['identifierType', 1],
      ['identifierValue', 18767431754],
      ['identifierValue', ''],
      ['deviceId', true],
      ['deviceId', null],
      ['brand', ['x']],
      ['brand', '   '],
      ['sessionId', { id: 1 }],
      ['sessionId', 'P'.repeat(129)],
    ])('names %s when it is %p', async (field, value) => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { [field]: value });

      expect(outcome(answer)).toEqual([400, 1519]);
      expect(answer.body.status.message).toBe(`Invalid details passed: ${field}`);
    });

    it.each([
      ['malformed JSON', '{"identifierType":'],
      ['an array', '[]'],
      ['null', 'null'],
      ['a string', '"MOBILE"'],
      ['an empty body', ''],
    ])('names the body for %s', async (_shape, rawBody) => {
      const fixture = await otpFixture();

      const answer = await invoke(handler, apiEvent({ rawBody, caller: { brand: fixture.brand.brand } }));

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toEqual({ status: { success: false, code: 1519, message: 'Invalid details passed: body' } });
    });

    it.each(['EMAIL', 'WHATSAPP', ''])('names fallbackChannel when it is %p', async (fallbackChannel) => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, {}, { query: { fallbackChannel } });

      expect(outcome(answer)).toEqual([400, 1519]);
      expect(answer.body.status.message).toBe('Invalid details passed: fallbackChannel');
    });

    it.each(['12', 'not a number', '+1 555 0100'])('names identifierValue for the mobile %p', async (identifierValue) => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { identifierValue });

      expect(outcome(answer)).toEqual([400, 1519]);
      expect(answer.body.status.message).toBe('Invalid details passed: identifierValue');
    });

    it('names identifierValue for a malformed e-mail', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' } });

      const answer = await generate(handler, fixture, { identifierValue: 'jane@' });

      expect(answer.body.status.message).toBe('Invalid details passed: identifierValue');
    });
  });

  it.each(['PHONE', 'mobile', ''])('answers 400/1546 for the identifierType %p', async (identifierType) => {
    const fixture = await otpFixture();

    const answer = await generate(handler, fixture, { identifierType });

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toEqual({ status: { success: false, code: 1546, message: 'Invalid identifierType passed' } });
  });

  it('answers 400/1504 for a brand without configuration', async () => {
    const brand = uniqueBrand('none');
    const session = await seedSession(store, { brand });

    const body = { identifierType: 'MOBILE', identifierValue: PHONE, deviceId: session.deviceId, brand, sessionId: session.sessionId };

    const answer = await invoke(handler, apiEvent({ body, caller: { brand } }));

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toEqual({ status: { success: false, code: 1504, message: 'Unsupported brand' } });
  });

  it('answers 415 for a body that is not declared JSON', async () => {
    const fixture = await otpFixture();

    const answer = await generate(handler, fixture, {}, { headers: { 'Content-Type': 'text/plain' } });

    expect(answer.statusCode).toBe(415);
    expect(answer.body).toEqual({ status: { success: false, code: 1519, message: 'Content-Type must be application/json' } });
  });

  it('accepts application/json with a charset', async () => {
    const fixture = await otpFixture();

    const answer = await generate(handler, fixture, {}, { headers: { 'content-type': 'application/json; charset=utf-8' } });

    expect(answer.statusCode).toBe(200);
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const fixture = await otpFixture();

    const answer = await generate(handler, fixture, { padding: 'x'.repeat(16 * 1024) });

    expect(answer.statusCode).toBe(413);
    expect(answer.body).toEqual({ status: { success: false, code: 1519, message: 'Request body too large' } });
  });

  describe('401 / 403', () => {
    it('answers 401 without an authorizer context', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, {}, { caller: null });

      expect(answer.statusCode).toBe(401);
      expect(answer.body).toEqual({ status: { success: false, code: 401, message: 'Unauthorized' } });
    });

    it('answers 403 to a caller without customer:write', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, {}, { caller: { brand: fixture.brand.brand, scopes: ['customer:read'] } });

      expect(answer.statusCode).toBe(403);
      expect(answer.body).toEqual({ status: { success: false, code: 403, message: 'Forbidden' } });
    });

    it("answers 403 to a caller of another brand, even for a valid session of the body's brand", async () => {
      const fixture = await otpFixture();
      const other = await otpFixture();

      const answer = await generate(handler, fixture, {}, { caller: { brand: other.brand.brand } });

      expect(outcome(answer)).toEqual([403, 403]);
      expect(published()).toEqual([]);
    });
  });

  describe('session checks', () => {
    it('answers 401/1505 for an unknown session', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { sessionId: 'P-00000000-0000-0000-0000-000000000000' });

      expect(answer.statusCode).toBe(401);
      expect(answer.body).toEqual({ status: { success: false, code: 1505, message: 'Invalid session' } });
    });

    it('answers 401/1505 for an expired session whose item is still there', async () => {
      const fixture = await otpFixture({ session: { expiresAt: Date.now() - 1 } });

      expect(outcome(await generate(handler, fixture))).toEqual([401, 1505]);
    });

    it('answers 401/1507 for another mobile number', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { identifierValue: '+12025550123' });

      expect(outcome(answer)).toEqual([401, 1507]);
    });

    it('answers 401/1541 for another e-mail address', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' } });

      expect(outcome(await generate(handler, fixture, { identifierValue: 'john@example.com' }))).toEqual([401, 1541]);
    });

    it('answers 401/1541 for another username', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'john' }, { mobile: PHONE });

      expect(outcome(await generate(handler, fixture, { identifierValue: 'john' }))).toEqual([401, 1541]);
    });

    it('answers 401/1541 when the session was opened for another identifier type', async () => {
      const fixture = await otpFixture();

      expect(outcome(await generate(handler, fixture, { identifierType: 'EMAIL', identifierValue: 'jane@example.com' }))).toEqual([
        401, 1541,
      ]);
    });

    it('answers 401/1508 for another device', async () => {
      const fixture = await otpFixture();

      const answer = await generate(handler, fixture, { deviceId: 'device-2' });

      expect(answer.body).toEqual({ status: { success: false, code: 1508, message: 'Device ID does not match' } });
    });

    it('answers 401/1509 for a session of another brand', async () => {
      const fixture = await otpFixture();
      const other = await otpFixture();

      const answer = await generate(handler, fixture, { sessionId: other.session.sessionId });

      expect(answer.statusCode).toBe(401);
      expect(answer.body).toEqual({ status: { success: false, code: 1509, message: 'Brand name does not match' } });
    });
  });

  describe('destination', () => {
    it('answers 403/3005 for EXTERNALID when external ID login is disabled', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'EXTERNALID', identifierValue: 'ext-1' } });
      await store.putCustomer(fixture.brand.brand, { type: 'EXTERNALID', value: 'ext-1' }, { mobile: PHONE });

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(403);
      expect(answer.body).toEqual({ status: { success: false, code: 3005, message: 'External ID login must be enabled' } });
    });

    it('answers 400/1515 for a username without a customer record', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'USERNAME', identifierValue: 'ghost' } });

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toEqual({ status: { success: false, code: 1515, message: 'User does not exist' } });
    });

    it('answers 400/1540 for a customer with neither mobile nor e-mail', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, {});

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toEqual({
        status: { success: false, code: 1540, message: 'Either mobile or email is required to send OTP' },
      });
    });

    it('answers 400/1603 for fallbackChannel=SMS when the brand allows no fallback', async () => {
      const fixture = await otpFixture({ brand: { mobileSubChannel: 'WHATSAPP', fallbackChannels: [] } });

      const answer = await generate(handler, fixture, {}, { query: { fallbackChannel: 'SMS' } });

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toEqual({ status: { success: false, code: 1603, message: 'Channel is not configured properly' } });
      expect(published()).toEqual([]);
    });
  });

  it('answers 429/1534 with Retry-After once otpMaxCount OTPs were sent', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
    await generate(handler, fixture);
    await generate(handler, fixture);

    const answer = await generate(handler, fixture);

    expect(answer.statusCode).toBe(429);
    expect(answer.body).toEqual({
      status: { success: false, code: 1534, message: 'Reached the maximum number of OTPs allowed per customer' },
    });
    expect(Number(answer.headers['Retry-After'])).toBeGreaterThan(590);
    expect(Number(answer.headers['Retry-After'])).toBeLessThanOrEqual(600);
    expect(published()).toHaveLength(2);
  });

  describe('when SNS fails', () => {
    it.each([
      ['ThrottledException', () => new ThrottledException({ message: 'Rate exceeded', $metadata: {} })],
      ['InternalErrorException', () => new InternalErrorException({ message: 'Internal error', $metadata: {} })],
    ])('answers 503/1503 with Retry-After for %s, keeps the allowance and leaves no OTP', async (_name, error) => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
      sns.on(PublishCommand).rejects(error());

      const failed = await generate(handler, fixture);
      sns.on(PublishCommand).resolves({ MessageId: 'message-2' });

      expect(failed.statusCode).toBe(503);
      expect(failed.headers['Retry-After']).toBe('1');
      expect(failed.body).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 0 });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([429, 1534]);
    });

    it('answers 503/1503 with Retry-After when KMS throttles the publish to the encrypted delivery topic, keeps the allowance, leaves no OTP and counts OtpDeliveryFailed', async () => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 }, session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' } });
      sns.on(PublishCommand).rejects(new KMSThrottlingException({ message: 'KMS throttled', $metadata: {} }));
      const counted = jest.spyOn(metrics, 'addMetric');

      const failed = await generate(handler, fixture);
      sns.on(PublishCommand).resolves({ MessageId: 'message-2' });

      expect(failed.statusCode).toBe(503);
      expect(failed.headers['Retry-After']).toBe('1');
      expect(failed.body).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
      expect(counted.mock.calls.map(([name]) => name)).toEqual(['OtpDeliveryFailed']);
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
      expect(await counterItem(fixture.brand.brand, 'jane@example.com')).toMatchObject({ count: 0 });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([429, 1534]);
    });

    it('leaves the session with no OTP at all, the earlier delivered one included', async () => {
      const fixture = await otpFixture();
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect((await sessionItem(fixture.session))?.otpHash).toEqual(expect.any(String));
      sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));

      const answer = await generate(handler, fixture);

      expect(outcome(answer)).toEqual([503, 1503]);
      expect(await sessionItem(fixture.session)).not.toHaveProperty('otpHash');
    });

    it('answers an unexpected publish error with a bare 500/1503, and still keeps the allowance', async () => {
      const fixture = await otpFixture();
      sns.on(PublishCommand).rejects(new Error('socket hang up: +18767431754 internal detail'));

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(500);
      expect(answer.body).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
      expect(answer.headers['Retry-After']).toBeUndefined();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 0 });
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
    });
  });

  describe('when DynamoDB fails', () => {
    const throttled = () => new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', $metadata: {} });

    /** Lets every DynamoDB call through to dynalite except those `fails` picks, which throw `error`. */
    function failDynamo(fails: (command: object) => boolean, error: () => Error) {
      const send = DynamoDBDocumentClient.prototype.send;
      return jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (this: DynamoDBDocumentClient, command: object) {
        if (fails(command)) return Promise.reject(error());
        return (send as (command: object) => Promise<unknown>).call(this, command);
      } as never);
    }

    const isOtpWrite = (command: object) =>
      command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET otpHash = :hash,');

    it('answers 503 with Retry-After when the first read is throttled, and writes nothing', async () => {
      const fixture = await otpFixture();
      failDynamo((command) => command instanceof BatchGetCommand, throttled);

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(503);
      expect(answer.headers['Retry-After']).toBe('1');
      expect(answer.body).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
      expect(published()).toEqual([]);
      expect(await counterItem(fixture.brand.brand)).toBeUndefined();
    });

    it('answers 503 when the OTP write is throttled, leaves no OTP and counts the message that went out', async () => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
      const dynamo = failDynamo(isOtpWrite, throttled);

      const failed = await generate(handler, fixture);
      dynamo.mockRestore();

      expect(outcome(failed)).toEqual([503, 1503]);
      expect(failed.headers['Retry-After']).toBe('1');
      expect(published()).toHaveLength(1);
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([429, 1534]);
    });

    it('stores no OTP on a session that a validation consumed between the read and the write', async () => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      const delivered = (await sessionItem(fixture.session))?.otpHash as string;
      const send = DynamoDBDocumentClient.prototype.send as (command: object) => Promise<unknown>;
      jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(async function (this: DynamoDBDocumentClient, command: object) {
        if (isOtpWrite(command)) await store.consumeOtp(fixture.session.sessionId, delivered, Date.now(), 'validation-meanwhile');
        return send.call(this, command);
      } as never);

      const answer = await generate(handler, fixture);

      expect(outcome(answer)).toEqual([401, 1505]);
      const item = await sessionItem(fixture.session);
      expect(item?.consumedBy).toBe('validation-meanwhile');
      expect(item?.otpHash).toBeUndefined();
      // Its message went out all the same, and counts.
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 2 });
    });

    it('answers a DynamoDB validation error with a bare 500', async () => {
      const fixture = await otpFixture();
      failDynamo(isOtpWrite, () => Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $fault: 'client' }));

      const answer = await generate(handler, fixture);

      expect(outcome(answer)).toEqual([500, 1503]);
      expect(answer.headers['Retry-After']).toBeUndefined();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: published().length });
    });
  });
});
