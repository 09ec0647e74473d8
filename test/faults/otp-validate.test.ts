import { hashOtp } from '../../functions/domain/otp-code';
import { refreshKeyDigest } from '../../functions/domain/tokens';
import { handler } from '../../functions/otp-validate';
import { documentClient, dynamoDb } from '../../functions/shared/aws-clients';
import { tableKeys } from '../../functions/shared/table-keys';
import { apiEvent, invoke, type Answer } from '../support/api-events';
import { scanLogsOfEachTest } from '../support/log-scan';
import { testStore } from '../support/fixtures';
import {
  DYNAMO_FAULTS,
  holdBackBatchKeys,
  injectDynamoFault,
  injectDynamoFaults,
  loseFirstAnswer,
  raceAhead,
  type AnyCommand,
  type CallName,
} from '../support/fault-injection';
import { expectUnavailable, generateBody, issuedFixture, outcome, sessionItem, storedItem, type OtpFixture } from '../support/otp-generate';

const OTP = '482913';
const WRONG = '000000';
/** The OTP a resend stores while a validation is under way. */
const RESENT = '731605';

/** A session holding OTP, as otp/generate stores it. */
const issued = (): Promise<OtpFixture> => issuedFixture({ otp: OTP });

const validate = (fixture: OtpFixture, otp: string): Promise<Answer> =>
  invoke(handler, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp }), caller: { brand: fixture.brand.brand } }));

const refreshKeysWritten = (commands: AnyCommand[]) =>
  commands.filter((c) => String((c.input.Item as { pk?: string } | undefined)?.pk ?? '').startsWith('REFRESH#')).map((c) => (c.input.Item as { pk: string }).pk);

const hashOf = (sessionId: string, otp: string) => hashOtp(process.env.OTP_PEPPER as string, sessionId, otp);

/** A resend of otp/generate storing `otp` on the fixture's session, as it stores one. */
const resend = ({ brand, session }: OtpFixture, otp: string) =>
  testStore().saveOtp(
    session.sessionId,
    { hash: hashOf(session.sessionId, otp), expiresAt: Date.now() + brand.otpValidityMinutes * 60_000, wrongTries: 0, maxTries: brand.mfaMaxOtpRetryCount },
    Date.now(),
  );

const wrongTryWrite = (target: string, body: string) => target === 'UpdateItem' && body.includes('otpWrongTries');
const consumingWrite = (target: string, body: string) => target === 'UpdateItem' && body.includes('consumedBy');
const refreshKeyWrite = (target: string, body: string) => target === 'PutItem' && body.includes('REFRESH#');

const faults = Object.entries(DYNAMO_FAULTS);

describe('otp/validate under dependency faults', () => {
  const logs = scanLogsOfEachTest(() => ({ otps: [OTP] }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers 503/1503 with Retry-After and leaves the OTP as it was when BatchGetItem keeps its keys unprocessed', async () => {
    const fixture = await issued();
    const before = await sessionItem(fixture.session);
    const batches = holdBackBatchKeys(documentClient, Infinity);

    const answer = await validate(fixture, OTP);

    expect(batches).toMatchObject({ asked: 3, heldBack: 3 });
    expect(outcome(answer)).toEqual([503, 1503]);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(await sessionItem(fixture.session)).toEqual(before);
  });

  describe.each<[string, CallName, string]>([
    ['BatchGetItem', 'batchGet', OTP],
    ['the wrong-try UpdateItem', 'recordWrongTry', WRONG],
    ['the refresh-key PutItem', 'putRefreshKey', OTP],
    ['the consuming UpdateItem', 'consumeOtp', OTP],
  ])('when %s fails', (_label, call, otp) => {
    it.each(faults)('answers 503/1503 with Retry-After for %s, leaves no refresh key and the OTP as it was', async (_name, fault) => {
      const fixture = await issued();
      const injection = injectDynamoFault(documentClient, call, fault);

      const answer = await validate(fixture, otp);

      expect(injection.thrown).toBe(1);
      expectUnavailable(answer);
      for (const pk of refreshKeysWritten(injection.commands)) expect(await storedItem(pk)).toBeUndefined();
      injection.restore();
      expect(await sessionItem(fixture.session)).toMatchObject({ otpWrongTries: 0 });
      const retry = await validate(fixture, OTP);
      expect(outcome(retry)).toEqual([200, 200]);
    });
  });

  // A resend replaces the OTP just before this request's write, whose condition then fails:
  // the store reads the session to tell why (1st GetItem), then the loop reads it again to
  // decide on what the resend left (2nd GetItem).
  describe.each<[string, string, (target: string, body: string) => boolean, number]>([
    ['the session GetItem after a wrong try lost its race', WRONG, wrongTryWrite, 1],
    ['the session GetItem re-read after a wrong try lost its race', WRONG, wrongTryWrite, 2],
    ['the session GetItem after the consume lost its race', OTP, consumingWrite, 1],
    ['the session GetItem re-read after the consume lost its race', OTP, consumingWrite, 2],
  ])('when %s fails', (_label, otp, write, nth) => {
    it.each(faults)('answers 503/1503 with Retry-After for %s, leaves no refresh key and the resent OTP with no try counted', async (_name, fault) => {
      const fixture = await issued();
      const race = raceAhead(dynamoDb, write, () => resend(fixture, RESENT));
      const injection = injectDynamoFault(documentClient, 'sessionRead', fault, { nth });

      const answer = await validate(fixture, otp);

      expect(race.ran).toBe(1);
      expect(injection.thrown).toBe(1);
      expectUnavailable(answer);
      const written = refreshKeysWritten(injection.commands);
      expect(written).toHaveLength(otp === OTP ? 1 : 0);
      for (const pk of written) expect(await storedItem(pk)).toBeUndefined();
      race.restore();
      injection.restore();
      expect(await sessionItem(fixture.session)).toMatchObject({ otpHash: hashOf(fixture.session.sessionId, RESENT), otpWrongTries: 0 });
      expect(outcome(await validate(fixture, RESENT))).toEqual([200, 200]);
    });
  });

  // The refresh-key put was applied, its answer lost and the SDK sent it again: the resend
  // fails attribute_not_exists(pk) and the store reads the key to tell whether it is its own.
  // The put failing, the key its first sending stored is discarded with the rest.
  it.each(faults)('answers 503/1503 with Retry-After for %s when the refresh-key GetItem after a resent put fails, leaves the OTP as it was and no refresh key', async (_name, fault) => {
    const fixture = await issued();
    const lost = loseFirstAnswer(dynamoDb, refreshKeyWrite);
    const injection = injectDynamoFault(documentClient, 'refreshKeyRead', fault);

    const answer = await validate(fixture, OTP);

    expect(lost.attempts).toBe(2);
    expect(injection.thrown).toBe(1);
    expectUnavailable(answer);
    const [pk, ...others] = refreshKeysWritten(injection.commands);
    expect(others).toEqual([]);
    expect(await storedItem(pk as string)).toBeUndefined();
    lost.restore();
    injection.restore();
    expect(await sessionItem(fixture.session)).toMatchObject({ otpWrongTries: 0 });
    expect(outcome(await validate(fixture, OTP))).toEqual([200, 200]);
  });

  it.each<[string, (target: string, body: string) => boolean]>([
    ['the refresh-key write', (target, body) => target === 'PutItem' && body.includes('REFRESH#')],
    ['the consuming write', (target, body) => target === 'UpdateItem' && body.includes('consumedBy')],
  ])('hands out the token and refresh key when %s was applied, its answer lost and the SDK sent it again', async (_label, matches) => {
    const fixture = await issued();
    const lost = loseFirstAnswer(dynamoDb, matches);

    const answer = await validate(fixture, OTP);

    expect(lost.attempts).toBe(2);
    expect(outcome(answer)).toEqual([200, 200]);
    const key = (answer.body.auth as { key: string }).key;
    expect(await storedItem(tableKeys.refreshKey(refreshKeyDigest(key)))).toMatchObject({ brand: fixture.brand.brand });
    lost.restore();
    // Spent all the same: the session is closed.
    expect(outcome(await validate(fixture, OTP))).toEqual([401, 1505]);
  });

  it.each([
    ['tries are left', 5, 1],
    ['it was the last one', 1, 1],
  ])('counts a wrong code once, as wrong, when its write was applied, its answer lost and the SDK sent it again (%s)', async (_label, maxTries, counted) => {
    const fixture = await issuedFixture({ otp: OTP, otpRecord: { maxTries } });
    const lost = loseFirstAnswer(dynamoDb, (target, body) => target === 'UpdateItem' && body.includes('otpWrongTries'));

    const answer = await validate(fixture, WRONG);

    expect(lost.attempts).toBe(2);
    expect(outcome(answer)).toEqual([401, 1506]);
    expect(await sessionItem(fixture.session)).toMatchObject({ otpWrongTries: counted });
  });

  it.each<[string, string, CallName, [number, number]]>([
    // The OTP was not spent: the customer tries again.
    ['the refresh-key write', 'the OTP stays as it was', 'putRefreshKey', [200, 200]],
    // The customer starts again: the session is closed.
    ['the consuming write', 'the OTP is spent', 'consumeOtp', [401, 1505]],
  ])('hands out no refresh key and keeps none when %s was applied and its answer timed out; %s', async (_label, _then, call, next) => {
    const fixture = await issued();
    const injection = injectDynamoFault(documentClient, call, DYNAMO_FAULTS.TimeoutError as () => Error, { afterApplying: true });

    const answer = await validate(fixture, OTP);

    expect(injection.thrown).toBe(1);
    expect(outcome(answer)).toEqual([503, 1503]);
    const [pk] = refreshKeysWritten(injection.commands);
    expect(pk).toBeDefined();
    expect(await storedItem(pk as string)).toBeUndefined();
    injection.restore();
    expect(outcome(await validate(fixture, OTP))).toEqual(next);
  });

  it.each(faults)('still answers 503/1503 with Retry-After and logs the failed compensation when discarding the refresh key fails too with %s', async (_name, fault) => {
    const fixture = await issued();
    const [consume, discard] = injectDynamoFaults(documentClient, [
      { call: 'consumeOtp', fault: DYNAMO_FAULTS.ProvisionedThroughputExceededException as () => Error },
      { call: 'discardRefreshKey', fault },
    ]);

    const answer = await validate(fixture, OTP);

    expect(consume?.thrown).toBe(1);
    expect(discard?.thrown).toBe(1);
    expectUnavailable(answer);
    expect(logs().lines().map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ message: 'OTP validation cleanup failed', step: 'discard-refresh-key' }),
    );
    // The key no one was given stays until its TTL.
    const [pk] = refreshKeysWritten(consume?.commands ?? []);
    expect(await storedItem(pk as string)).toMatchObject({ brand: fixture.brand.brand });
    consume?.restore();
    expect(await sessionItem(fixture.session)).toMatchObject({ otpWrongTries: 0 });
    expect(outcome(await validate(fixture, OTP))).toEqual([200, 200]);
  });
});
