import { refreshKeyDigest } from '../../functions/domain/tokens';
import { handler } from '../../functions/otp-validate';
import { documentClient, dynamoDb } from '../../functions/shared/aws-clients';
import { tableKeys } from '../../functions/shared/table-keys';
import { apiEvent, invoke, type Answer } from '../support/api-events';
import { scanLogsOfEachTest } from '../support/log-scan';
import { DYNAMO_FAULTS, holdBackBatchKeys, injectDynamoFault, injectDynamoFaults, loseFirstAnswer, type AnyCommand, type CallName } from '../support/fault-injection';
import { generateBody, issuedFixture, outcome, sessionItem, storedItem, type OtpFixture } from '../support/otp-generate';

const OTP = '482913';
const WRONG = '000000';
const UNAVAILABLE = { status: { success: false, code: 1503, message: 'Unable to generate OTP' } };

/** A session holding OTP, as otp/generate stores it. */
const issued = (): Promise<OtpFixture> => issuedFixture({ otp: OTP });

const validate = (fixture: OtpFixture, otp: string): Promise<Answer> =>
  invoke(handler, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp }), caller: { brand: fixture.brand.brand } }));

const refreshKeysWritten = (commands: AnyCommand[]) =>
  commands.filter((c) => String((c.input.Item as { pk?: string } | undefined)?.pk ?? '').startsWith('REFRESH#')).map((c) => (c.input.Item as { pk: string }).pk);

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
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['Retry-After']).toBe('1');
      expect(answer.body).toEqual(UNAVAILABLE);
      for (const pk of refreshKeysWritten(injection.commands)) expect(await storedItem(pk)).toBeUndefined();
      injection.restore();
      expect(await sessionItem(fixture.session)).toMatchObject({ otpWrongTries: 0 });
      const retry = await validate(fixture, OTP);
      expect(outcome(retry)).toEqual([200, 200]);
    });
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

  it('spends the OTP but hands out no refresh key when the consuming write was applied and its answer timed out', async () => {
    const fixture = await issued();
    const injection = injectDynamoFault(documentClient, 'consumeOtp', DYNAMO_FAULTS.TimeoutError as () => Error, { afterApplying: true });

    const answer = await validate(fixture, OTP);

    expect(injection.thrown).toBe(1);
    expect(outcome(answer)).toEqual([503, 1503]);
    const [pk] = refreshKeysWritten(injection.commands);
    expect(pk).toBeDefined();
    expect(await storedItem(pk as string)).toBeUndefined();
    injection.restore();
    // The customer starts again: the session is closed.
    expect(outcome(await validate(fixture, OTP))).toEqual([401, 1505]);
  });

  it('still answers 503 and logs the failed compensation when discarding the refresh key fails too', async () => {
    const fixture = await issued();
    const [consume, discard] = injectDynamoFaults(documentClient, [
      { call: 'consumeOtp', fault: DYNAMO_FAULTS.ProvisionedThroughputExceededException as () => Error },
      { call: 'discardRefreshKey', fault: DYNAMO_FAULTS.TimeoutError as () => Error },
    ]);

    const answer = await validate(fixture, OTP);

    expect(consume?.thrown).toBe(1);
    expect(discard?.thrown).toBe(1);
    expect(outcome(answer)).toEqual([503, 1503]);
    expect(logs().text()).toContain('OTP validation cleanup failed');
    consume?.restore();
    expect(outcome(await validate(fixture, OTP))).toEqual([200, 200]);
  });
});
