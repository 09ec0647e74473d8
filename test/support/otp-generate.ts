import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { BrandConfig, BrandConfigInput } from '../../functions/domain/brand-config';
import { hashOtp } from '../../functions/domain/otp-code';
import type { OtpRecord, Session } from '../../functions/domain/ports';
import { tableKeys } from '../../functions/shared/table-keys';
import { localClients } from '../../scripts/local/dynamo-local';
import { apiEvent, invoke, type Answer, type EventOptions } from './api-events';
import { seedSession, seedBrand, testStore, type SessionOptions } from './fixtures';

export const PHONE = '+18767431754';
export const MASKED_PHONE = '+1876*****54';

const { documentClient } = localClients(process.env.DYNAMODB_ENDPOINT as string);
const tableName = () => process.env.TABLE_NAME as string;

export interface OtpFixture {
  brand: BrandConfig;
  session: Session;
}

/** A brand of its own (limit 5 in 10 minutes unless overridden) and a session on it for +18767431754. */
export async function otpFixture(
  options: { brand?: Partial<BrandConfigInput>; session?: Partial<SessionOptions> } = {},
): Promise<OtpFixture> {
  const store = testStore();
  const brand = await seedBrand(store, options.brand);
  const session = await seedSession(store, { brand: brand.brand, ...options.session });
  return { brand, session };
}

export interface IssueOptions {
  brand?: Partial<BrandConfigInput>;
  session?: Partial<SessionOptions>;
  /** The OTP stored on the session; null for a session with none. */
  otp: string | null;
  otpRecord?: Partial<OtpRecord>;
}

/** otpFixture's brand and session, with `otp` stored on the session as otp/generate stores it. */
export async function issuedFixture(options: IssueOptions): Promise<OtpFixture> {
  const fixture = await otpFixture(options);
  const { brand, session } = fixture;
  if (options.otp !== null) {
    const record: OtpRecord = {
      hash: hashOtp(process.env.OTP_PEPPER as string, session.sessionId, options.otp),
      expiresAt: Date.now() + brand.otpValidityMinutes * 60_000,
      wrongTries: 0,
      maxTries: brand.mfaMaxOtpRetryCount,
      ...options.otpRecord,
    };
    await testStore().saveOtp(session.sessionId, record, Date.now());
  }
  return fixture;
}

/** The body of an otp/generate request for the fixture's session. */
export function generateBody({ brand, session }: OtpFixture, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    identifierType: session.identifierType,
    identifierValue: session.identifierValue,
    deviceId: session.deviceId,
    brand: brand.brand,
    sessionId: session.sessionId,
    ...overrides,
  };
}

/** Invokes the otp/generate handler as the fixture brand's caller (override with options.caller). */
export function generate(
  handler: unknown,
  fixture: OtpFixture,
  overrides: Record<string, unknown> = {},
  options: EventOptions = {},
): Promise<Answer> {
  return invoke(handler, apiEvent({ body: generateBody(fixture, overrides), caller: { brand: fixture.brand.brand }, ...options }));
}

export const outcome = (answer: Answer) => [answer.statusCode, answer.body.status.code];

/** The spec's answer to an outage of a dependency. */
export const UNAVAILABLE = { status: { success: false, code: 1503, message: 'Unable to generate OTP' } };

/** Asserts the spec's answer to an outage: 503 / 1503, and Retry-After. */
export function expectUnavailable(answer: Answer): void {
  expect(answer.statusCode).toBe(503);
  expect(answer.headers['Retry-After']).toBe('1');
  expect(answer.body).toEqual(UNAVAILABLE);
}

/** The OTP in a publish: the digits of an SMS text, or the `otp` of a topic message. */
export function otpOf(input: PublishCommandInput | undefined): string {
  if (!input?.Message) throw new Error('no message was published');
  if (input.TopicArn) return String(JSON.parse(input.Message).otp);
  const digits = /\d{4,10}/.exec(input.Message);
  if (!digits) throw new Error(`no OTP in ${input.Message}`);
  return digits[0];
}

/** An item as it is stored, every attribute included. */
export async function storedItem(pk: string): Promise<Record<string, unknown> | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk }, ConsistentRead: true }));
  return result.Item;
}

export const sessionItem = (session: Session) => storedItem(tableKeys.session(session.sessionId));

export const counterItem = (brand: string, destination = PHONE) => storedItem(tableKeys.counter(`${brand}#${destination}`));

/** Every item of the run's table (shared by all test files), as stored. */
export async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The refresh keys stored for one brand: the table is shared, so never all of them. */
export const refreshKeysOf = async (brand: string) =>
  (await scanTable()).filter((item) => String(item.pk).startsWith('REFRESH#') && item.brand === brand);
