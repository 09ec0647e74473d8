import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { signFirstFactorToken } from '../../functions/domain/first-factor';
import { handler as authorizer } from '../../functions/authorizer';
import { handler as otpGenerate } from '../../functions/otp-generate';
import { handler as otpValidate } from '../../functions/otp-validate';
import { handler as tokenGenerate } from '../../functions/token-generate';
import { documentClient } from '../../functions/shared/aws-clients';
import { newCredential } from '../../functions/domain/credentials';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { apiEvent, invoke, type Answer } from '../support/api-events';
import { DYNAMO_FAULTS, injectDynamoFault } from '../support/fault-injection';
import { seedBrand, testStore } from '../support/fixtures';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { issuedIn, leaksIn, publishedOtps } from '../support/log-scan';

const sns = mockClient(SNSClient);
const store = testStore();
const SECRET = 'first-factor-shared-secret-0123456789';
// A number and an address of their own, so that no other fixture's value can hide a leak.
const PHONE = '+447911123456';
const SPELLINGS = [PHONE, '447911123456', '07911 123456', '7911123456'];
const EMAIL = 'Jane.Leak@Example.com';

/**
 * One customer through the whole second factor and its failures, with the real logger
 * writing: every line is scanned afterwards. The OTPs, tokens and keys the flow
 * produced must be in none of them, nor the number or address in any spelling.
 */
describe('log lines of the whole flow', () => {
  let logs: LogCapture;
  const secrets: string[] = [SECRET, process.env.OTP_PEPPER as string];
  const otps: string[] = [];
  const requestIds: string[] = [];

  function event(path: string, body: unknown, brand: string): APIGatewayProxyEvent {
    const built = apiEvent({ path, body, caller: { brand } });
    requestIds.push(built.requestContext.requestId);
    return built;
  }

  async function call(handler: unknown, path: string, body: unknown, brand: string): Promise<Answer> {
    const answer = await invoke(handler, event(path, body, brand));
    secrets.push(...issuedIn(answer));
    return answer;
  }

  beforeAll(async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    logs = captureLogs();
    const brand = await seedBrand(store, { defaultCountry: 'GB', firstFactor: { hs256Secret: SECRET }, otpMaxCount: 3, otpTimeOut: 10, otpLength: 8 });
    const b = brand.brand;
    const credential = newCredential(b, ['customer:write']);
    await store.putCredential(credential.stored, Date.now());
    secrets.push(credential.clientSecret);

    // The authorizer, with the credential and with garbage.
    for (const authorization of [
      `Basic ${Buffer.from(`${credential.stored.clientId}:${credential.clientSecret}`).toString('base64')}`,
      `Basic ${Buffer.from(`${credential.stored.clientId}:wrong-${PHONE}`).toString('base64')}`,
    ]) {
      // The header is as much a secret as the client secret inside it.
      secrets.push(authorization);
      const authorizerEvent = {
        type: 'REQUEST',
        methodArn: 'arn:aws:execute-api:us-east-1:123456789012:api/test/POST/auth/v1/mfa/otp/generate',
        headers: { Authorization: authorization },
        requestContext: { requestId: `authz-${requestIds.length}` },
      } as unknown as APIGatewayRequestAuthorizerEvent;
      requestIds.push(authorizerEvent.requestContext.requestId);
      await (authorizer as unknown as (e: unknown, c: unknown) => Promise<unknown>)(authorizerEvent, lambdaContext('authorizer')).catch(() => undefined);
    }

    // token/generate, then otp/generate for the session it opened.
    const token = await signFirstFactorToken({ secret: SECRET, brand: b, identifier: { type: 'MOBILE', value: PHONE }, deviceId: 'device-1', ttlSeconds: 300 });
    secrets.push(token);
    const identity = { identifierType: 'MOBILE', identifierValue: '07911 123456', deviceId: 'device-1', brand: b };
    const opened = await call(tokenGenerate, '/auth/v1/mfa/token/generate', { ...identity, authorizedToken: token }, b);
    const sessionId = String((opened.body.user as { sessionId: string }).sessionId);
    const session = { ...identity, sessionId };
    const generated = await call(otpGenerate, '/auth/v1/mfa/otp/generate', session, b);

    // A wrong code, an SNS outage whose error names the number, a DynamoDB fault, the limit, bad input.
    await call(otpValidate, '/auth/v1/mfa/otp/validate', { ...session, otp: '00000000' }, b);
    sns.on(PublishCommand).rejects(new ThrottledException({ message: `Rate exceeded for ${PHONE}`, $metadata: {} }));
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', session, b);
    sns.on(PublishCommand).rejects(Object.assign(new Error(`socket hang up sending to ${PHONE} and ${EMAIL}`), { name: 'Error' }));
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', session, b);
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const fault = injectDynamoFault(documentClient, 'saveOtp', DYNAMO_FAULTS.InternalServerError as () => Error);
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', session, b);
    fault.restore();
    for (let i = 0; i < 4; i++) await call(otpGenerate, '/auth/v1/mfa/otp/generate', session, b);
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', { ...session, identifierType: 'EMAIL', identifierValue: EMAIL }, b);
    await call(otpValidate, '/auth/v1/mfa/otp/validate', { ...session, otp: PHONE }, b);

    // The last OTP sent is still valid: spend it.
    otps.push(...publishedOtps(sns));
    const validated = await call(otpValidate, '/auth/v1/mfa/otp/validate', { ...session, otp: otps[otps.length - 1] }, b);
    expect(generated.statusCode).toBe(200);
    expect(validated.statusCode).toBe(200);
    logs.restore();
  });

  afterAll(() => {
    sns.restore();
  });

  const lines = () => logs.lines();
  const records = () => lines().filter((line) => line.trim().startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

  it('wrote a structured line for each step of the flow', () => {
    const messages = records().map((record) => record.message);
    expect(messages).toEqual(expect.arrayContaining(['MFA session opened', 'OTP sent', 'OTP validated', 'Request refused', 'Request failed', 'Caller refused']));
    expect(lines().length).toBeGreaterThan(10);
  });

  it('carries the API Gateway request ID as correlation_id on every line', () => {
    for (const record of records()) {
      expect(requestIds).toContain(record.correlation_id);
    }
  });

  it('never names the mobile number in any spelling, nor the e-mail address', () => {
    expect(leaksIn(lines(), { phones: SPELLINGS, emails: [EMAIL] })).toEqual([]);
    expect(lines().join('\n')).toContain('+4479******56');
  });

  it('never carries an OTP, a token, a refresh key or a secret', () => {
    expect(otps.length).toBeGreaterThan(4);
    expect(secrets.length).toBeGreaterThan(6);
    expect(leaksIn(lines(), { otps, secrets })).toEqual([]);
  });
});

describe('the log scan', () => {
  it('finds a number in each of its spellings and passes its masked form', () => {
    const spellings = ['+44 7911 123456', '447911123456', '07911 123456', '7911123456', 'tel:+447911123456'];

    expect(spellings.map((line) => leaksIn([line], { phones: [PHONE] }).length > 0)).toEqual([true, true, true, true, true]);
    expect(leaksIn(['{"to":"+4479******56"}', 'id 24479111234567'], { phones: [PHONE] })).toEqual([]);
  });

  it('finds the fixture number of the whole suite without being told', () => {
    expect(leaksIn(['{"to":"18767431754"}'])).toHaveLength(1);
    expect(leaksIn(['{"to":"+1876*****54"}'])).toEqual([]);
  });

  it('finds an OTP only as a number of its own, never inside a longer number or an ID', () => {
    const otp = '482910';

    expect(leaksIn([`Your code is ${otp}.`, `{"otp":${otp}}`], { otps: [otp] })).toHaveLength(2);
    expect(leaksIn([`1748291${otp}`, `"requestId":"c0a${otp}e-1f"`, `${otp}1`], { otps: [otp] })).toEqual([]);
  });

  it('finds an address in any case, a username as a word, and a secret anywhere', () => {
    expect(leaksIn(['to JANE.LEAK@example.COM'], { emails: [EMAIL] })).toHaveLength(1);
    expect(leaksIn(['{"identifier":"Jane"}', '{"identifier":"janet"}'], { identifiers: ['jane'] })).toHaveLength(1);
    expect(leaksIn([`Basic ${SECRET}x`], { secrets: [SECRET] })).toHaveLength(1);
  });
});
