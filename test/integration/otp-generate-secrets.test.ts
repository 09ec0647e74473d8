import { PublishCommand, ThrottledException } from '@aws-sdk/client-sns';
import { hashOtp } from '../../functions/domain/otp-code';
import { handler } from '../../functions/otp-generate';
import { apiEvent, invoke, type EventOptions } from '../support/api-events';
import { publishedOtps, scanLogsOfEachTest } from '../support/log-scan';
import {
  counterItem,
  generate,
  generateBody,
  MASKED_PHONE,
  otpFixture,
  PHONE,
  scanTable,
  sessionItem,
  type OtpFixture,
} from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

const sns = mockSnsPublish();
const PEPPER = process.env.OTP_PEPPER as string;

describe('POST /auth/v1/mfa/otp/generate secrets', () => {
  const logs = scanLogsOfEachTest(() => ({
    otps: publishedOtps(sns),
    phones: [PHONE, '+1 (876) 743-1754', '18767431754', '+12025550123'],
    emails: ['jane@example.com', 'jane.doe@example.com'],
    secrets: [PEPPER],
  }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  // 10-digit OTPs, so that finding one by chance among the table's numbers is out of the question.
  const tenDigits = { otpLength: 10 };

  it('stores no OTP anywhere in the table, only its keyed hash', async () => {
    const sms = await otpFixture({ brand: tenDigits });
    const email = await otpFixture({ brand: tenDigits, session: { identifierType: 'EMAIL', identifierValue: 'jane@example.com' } });
    await generate(handler, sms);
    await generate(handler, sms);
    await generate(handler, email);

    const otps = publishedOtps(sns);
    const table = JSON.stringify(await scanTable());

    expect(otps).toHaveLength(3);
    for (const otp of otps) {
      expect(otp).toMatch(/^\d{10}$/);
      expect(table).not.toContain(otp);
    }
    expect((await sessionItem(sms.session))?.otpHash).toBe(hashOtp(PEPPER, sms.session.sessionId, otps[1] as string));
    expect((await sessionItem(email.session))?.otpHash).toBe(hashOtp(PEPPER, email.session.sessionId, otps[2] as string));
  });

  it('logs the masked number and never the OTP or the number itself', async () => {
    const fixture = await otpFixture({ brand: { ...tenDigits, otpMaxCount: 2 } });
    await generate(handler, fixture, { identifierValue: '+1 (876) 743-1754' });
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
    await generate(handler, fixture);
    sns.on(PublishCommand).resolves({ MessageId: 'message-2' });
    await generate(handler, fixture, { identifierValue: '18767431754' });
    await generate(handler, fixture);

    const text = logs().text();
    const otps = publishedOtps(sns);

    expect(otps).toHaveLength(3);
    expect(text).toContain('OTP sent');
    expect(text).toContain(MASKED_PHONE);
    expect(text).toContain('Request failed');
    expect(text).toContain('Request refused');
    for (const otp of otps) expect(text).not.toContain(otp);
    for (const spelling of [PHONE, '8767431754', '876) 743-1754']) expect(text).not.toContain(spelling);
  });

  it('logs a masked e-mail address and never the address itself', async () => {
    const fixture = await otpFixture({ brand: tenDigits, session: { identifierType: 'EMAIL', identifierValue: 'jane.doe@example.com' } });

    await generate(handler, fixture, { identifierValue: 'Jane.Doe@Example.com' });

    const text = logs().text();
    expect(text).toContain('j*******@example.com');
    expect(text.toLowerCase()).not.toContain('jane.doe@example.com');
    expect(text).not.toContain(publishedOtps(sns)[0]);
  });

  describe('after bad input', () => {
    type BadInput = (fixture: OtpFixture) => EventOptions;
    const withBody = (overrides: Record<string, unknown>): BadInput => (fixture) => ({
      body: generateBody(fixture, overrides),
      caller: { brand: fixture.brand.brand },
    });
    const raw = (rawBody: string, headers: Record<string, string> = {}): BadInput => (fixture) => ({
      rawBody,
      headers,
      caller: { brand: fixture.brand.brand },
    });

    it.each<[string, number, BadInput]>([
      ['malformed JSON', 400, raw(`{"identifierType":"MOBILE","identifierValue":"${PHONE}"`)],
      ['a JSON array', 400, raw(`["MOBILE","${PHONE}"]`)],
      ['a number for identifierValue', 400, withBody({ identifierValue: 18767431754 })],
      ['no sessionId', 400, withBody({ sessionId: undefined })],
      ['an unknown identifierType', 400, withBody({ identifierType: 'PHONE' })],
      ['a malformed number', 400, withBody({ identifierValue: '+1876' })],
      ['another number', 401, withBody({ identifierValue: '+12025550123' })],
      ['another device', 401, withBody({ deviceId: 'device-2' })],
      ['an unknown session', 401, withBody({ sessionId: 'P-unknown' })],
      ['an unknown fallback channel', 400, (f) => ({ ...withBody({})(f), query: { fallbackChannel: 'PIGEON' } })],
      ['a body over 16 KiB', 413, withBody({ padding: '9'.repeat(20_000) })],
      ['a form content type', 415, (f) => ({ ...withBody({})(f), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })],
      ['no authorizer context', 401, (f) => ({ ...withBody({})(f), caller: null })],
      ['a caller without customer:write', 403, (f) => ({ ...withBody({})(f), caller: { brand: f.brand.brand, scopes: [] } })],
      ['a caller of another brand', 403, (f) => ({ ...withBody({})(f), caller: { brand: 'someone-else' } })],
    ])('leaves no OTP, no counter and sends nothing for %s (%i)', async (_case, status, input) => {
      const fixture = await otpFixture();

      const answer = await invoke(handler, apiEvent(input(fixture)));

      expect(answer.statusCode).toBe(status);
      expect(answer.body.status.success).toBe(false);
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
      expect(await counterItem(fixture.brand.brand)).toBeUndefined();
      expect(sns.commandCalls(PublishCommand)).toEqual([]);
      expect(logs().text()).not.toContain(PHONE);
    });
  });
});
