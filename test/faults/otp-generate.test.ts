import { PublishCommand } from '@aws-sdk/client-sns';
import { hashOtp } from '../../functions/domain/otp-code';
import { handler } from '../../functions/otp-generate';
import { handler as validateHandler } from '../../functions/otp-validate';
import { documentClient, dynamoDb } from '../../functions/shared/aws-clients';
import { apiEvent, invoke } from '../support/api-events';
import { publishedOtps, scanLogsOfEachTest } from '../support/log-scan';
import { seedSession, testStore } from '../support/fixtures';
import {
  CALLS,
  DYNAMO_FAULTS,
  holdBackBatchKeys,
  injectDynamoFault,
  injectDynamoFaults,
  loseFirstAnswer,
  SNS_OUTAGES,
  SNS_REFUSALS,
  type CallName,
} from '../support/fault-injection';
import { counterItem, expectUnavailable, generate, generateBody, otpFixture, otpOf, outcome, PHONE, sessionItem, type OtpFixture } from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

const sns = mockSnsPublish();
const store = testStore();
const LIMIT = { otpMaxCount: 2, otpTimeOut: 10 };

const published = () => publishedOtps(sns);

/** Exactly `remaining` more OTPs (the whole allowance unless told), then 429. */
async function expectAllowance(fixture: OtpFixture, remaining: number = LIMIT.otpMaxCount): Promise<void> {
  sns.on(PublishCommand).resolves({ MessageId: 'after-the-fault' });
  const answers = [];
  for (let i = 0; i <= remaining; i++) answers.push(outcome(await generate(handler, fixture)));
  expect(answers).toEqual([...Array(remaining).fill([200, 200]), [429, 1534]]);
}

/** The session is still there, and not a single attribute of an OTP is left on it. */
async function expectNoOtpStored(fixture: OtpFixture): Promise<void> {
  const item = await sessionItem(fixture.session);
  expect(item).toMatchObject({ identifierValue: fixture.session.identifierValue, deviceId: fixture.session.deviceId });
  expect(Object.keys(item ?? {}).filter((name) => name.startsWith('otp'))).toEqual([]);
}

/** The steps of the compensations a request logged as failed, in order. */
const failedCleanups = (lines: string[]) =>
  lines
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as { message?: string; step?: string })
    .filter((record) => record.message === 'OTP cleanup failed')
    .map((record) => record.step);

const faults = Object.entries(DYNAMO_FAULTS);

describe('otp/generate under dependency faults', () => {
  // Whatever failed, no log line names the number or carries an OTP that was sent.
  const logs = scanLogsOfEachTest(() => ({ otps: published() }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  // Before the publish, nothing is sent and the allowance stays whole; the OTP write runs
  // beside the publish, so when it fails a message has gone out and counts.
  describe.each<[string, CallName, number]>([
    ['BatchGetItem', 'batchGet', 0],
    ['the counter UpdateItem', 'counterWrite', 0],
    ['the OTP UpdateItem', 'saveOtp', 1],
  ])('when %s fails', (_label, call, sent) => {
    it.each(faults)(`answers 503/1503 with Retry-After for %s, leaves no OTP and counts only the ${sent} message(s) sent`, async (_name, fault) => {
      const fixture = await otpFixture({ brand: LIMIT });
      const injection = injectDynamoFault(documentClient, call, fault);

      const answer = await generate(handler, fixture);

      expect(injection.thrown).toBe(1);
      expectUnavailable(answer);
      expect(published()).toHaveLength(sent);
      await expectNoOtpStored(fixture);
      injection.restore();
      await expectAllowance(fixture, LIMIT.otpMaxCount - sent);
    });
  });

  // Every OTP after the first in a window is counted into it: the other counter write,
  // sent alone once the first round trip has read the open window.
  describe('when the counter UpdateItem into an open window fails', () => {
    /** The first OTP, delivered: it opens the window and stays on the session. */
    async function resendFixture(): Promise<{ fixture: OtpFixture; before: Record<string, unknown> | undefined }> {
      const fixture = await otpFixture({ brand: LIMIT });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
      return { fixture, before: await sessionItem(fixture.session) };
    }

    it.each(faults)('answers 503/1503 with Retry-After for %s, sends nothing, leaves the delivered OTP as it was and keeps the allowance', async (_name, fault) => {
      const { fixture, before } = await resendFixture();
      const injection = injectDynamoFault(documentClient, 'countInWindow', fault);

      const answer = await generate(handler, fixture);

      expect(injection.thrown).toBe(1);
      expect(injection.commands.filter(CALLS.counterWrite)).toHaveLength(1);
      expectUnavailable(answer);
      expect(published()).toHaveLength(1);
      expect(await sessionItem(fixture.session)).toEqual(before);
      injection.restore();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
      await expectAllowance(fixture, LIMIT.otpMaxCount - 1);
    });

    it('answers 503/1503 with Retry-After and gives the take back when the count was applied but its answer timed out', async () => {
      const { fixture, before } = await resendFixture();
      const injection = injectDynamoFault(documentClient, 'countInWindow', DYNAMO_FAULTS.TimeoutError as () => Error, { afterApplying: true });

      const answer = await generate(handler, fixture);

      expect(injection.thrown).toBe(1);
      expect(outcome(answer)).toEqual([503, 1503]);
      expect(answer.headers['Retry-After']).toBe('1');
      expect(published()).toHaveLength(1);
      expect(await sessionItem(fixture.session)).toEqual(before);
      injection.restore();
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
      await expectAllowance(fixture, LIMIT.otpMaxCount - 1);
    });
  });

  describe('when BatchGetItem leaves its keys unprocessed', () => {
    it('asks again for them and sends the OTP when the table answers in time', async () => {
      const fixture = await otpFixture({ brand: LIMIT });
      const batches = holdBackBatchKeys(documentClient, 2);

      const answer = await generate(handler, fixture);

      expect(batches).toMatchObject({ asked: 3, heldBack: 2 });
      expect(outcome(answer)).toEqual([200, 200]);
      expect(published()).toHaveLength(1);
    });

    it('answers 503/1503 with Retry-After when they stay unprocessed, and keeps the allowance', async () => {
      const fixture = await otpFixture({ brand: LIMIT });
      const batches = holdBackBatchKeys(documentClient, Infinity);

      const answer = await generate(handler, fixture);

      expect(batches).toMatchObject({ asked: 3, heldBack: 3 });
      expectUnavailable(answer);
      expect(published()).toHaveLength(0);
      batches.restore();
      await expectAllowance(fixture);
    });

    // The retry for the keys held back meets a throttled, timed-out or failing table itself.
    it.each(faults.flatMap(([name, fault]) => [2, 3].map((request) => [request, name, fault] as const)))(
      'answers 503/1503 with Retry-After when BatchGetItem request %i fails with %s, sends nothing, leaves no OTP and keeps the allowance',
      async (request, _name, fault) => {
        const fixture = await otpFixture({ brand: LIMIT });
        const batches = holdBackBatchKeys(documentClient, request - 1, fault);

        const answer = await generate(handler, fixture);

        expect(batches).toMatchObject({ asked: request, heldBack: request - 1, thrown: 1 });
        expectUnavailable(answer);
        expect(published()).toHaveLength(0);
        await expectNoOtpStored(fixture);
        batches.restore();
        await expectAllowance(fixture);
      },
    );
  });

  it('stops sending at otpMaxCount while every OTP write is throttled', async () => {
    const fixture = await otpFixture({ brand: LIMIT });
    injectDynamoFault(documentClient, 'saveOtp', DYNAMO_FAULTS.ProvisionedThroughputExceededException as () => Error, { always: true });

    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(outcome(await generate(handler, fixture)));

    expect(answers).toEqual([[503, 1503], [503, 1503], [429, 1534], [429, 1534], [429, 1534]]);
    expect(published()).toHaveLength(LIMIT.otpMaxCount);
  });

  describe('when the counter is not read first (USERNAME: the open and the count go side by side)', () => {
    async function customerFixture(otpMaxCount: number): Promise<{ first: OtpFixture; second: OtpFixture }> {
      const first = await otpFixture({ brand: { ...LIMIT, otpMaxCount }, session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(first.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE });
      const session = await seedSession(store, { brand: first.brand.brand, identifierType: 'USERNAME', identifierValue: 'jane' });
      // The first OTP opens the window, so that the second request's open fails and its count applies.
      expect(outcome(await generate(handler, first))).toEqual([200, 200]);
      return { first, second: { brand: first.brand, session } };
    }

    it('answers 503 when the count beside the failing open was applied but its answer timed out, and gives the take back', async () => {
      const { second } = await customerFixture(3);
      const injection = injectDynamoFault(documentClient, 'counterWrite', DYNAMO_FAULTS.TimeoutError as () => Error, { nth: 2, afterApplying: true });

      const answer = await generate(handler, second);

      expect(injection.thrown).toBe(1);
      expect(outcome(answer)).toEqual([503, 1503]);
      expect(answer.headers['Retry-After']).toBe('1');
      await expectNoOtpStored(second);
      injection.restore();
      expect(await counterItem(second.brand.brand)).toMatchObject({ count: 1 });
      expect(outcome(await generate(handler, second))).toEqual([200, 200]);
      expect(outcome(await generate(handler, second))).toEqual([200, 200]);
      expect(outcome(await generate(handler, second))).toEqual([429, 1534]);
    });

    it('answers 503 when the open of the first OTP fails beside a count that cannot apply, and counts nothing', async () => {
      const fixture = await otpFixture({ brand: LIMIT, session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE });
      const injection = injectDynamoFault(documentClient, 'counterWrite', DYNAMO_FAULTS.ThrottlingException as () => Error);

      const answer = await generate(handler, fixture);

      expect(injection.thrown).toBe(1);
      expect(outcome(answer)).toEqual([503, 1503]);
      expect(published()).toHaveLength(0);
      await expectNoOtpStored(fixture);
      injection.restore();
      expect(await counterItem(fixture.brand.brand)).toBeUndefined();
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
    });

    it('counts a request once and sends its OTP when its count beside the open filled the window and the answer was lost', async () => {
      const { second } = await customerFixture(2);
      const lost = loseFirstAnswer(dynamoDb, (target, body) => target === 'UpdateItem' && body.includes('OTPCOUNT#') && body.includes('+ :one'));

      const answer = await generate(handler, second);

      expect(lost.attempts).toBe(2);
      expect(outcome(answer)).toEqual([200, 200]);
      expect(published()).toHaveLength(2);
      expect(await counterItem(second.brand.brand)).toMatchObject({ count: 2 });
    });

    it.each(faults)('answers 503/1503 with Retry-After for %s when the counter GetItem after a full window fails, sends nothing, leaves no OTP and counts nothing', async (_name, fault) => {
      const { second } = await customerFixture(1);
      const injection = injectDynamoFault(documentClient, 'counterRead', fault);

      const answer = await generate(handler, second);

      expect(injection.thrown).toBe(1);
      expectUnavailable(answer);
      expect(published()).toHaveLength(1);
      await expectNoOtpStored(second);
      injection.restore();
      expect(await counterItem(second.brand.brand)).toMatchObject({ count: 1 });
      expect(outcome(await generate(handler, second))).toEqual([429, 1534]);
    });
  });

  it.each<[string, CallName, number]>([
    ['the OTP UpdateItem', 'saveOtp', 1],
    ['the counter UpdateItem', 'counterWrite', 0],
  ])('answers 503, leaves no OTP and counts only what was sent when %s was applied but its answer timed out', async (_label, call, sent) => {
    const fixture = await otpFixture({ brand: LIMIT });
    const injection = injectDynamoFault(documentClient, call, DYNAMO_FAULTS.TimeoutError as () => Error, { afterApplying: true });

    const answer = await generate(handler, fixture);

    expect(injection.thrown).toBe(1);
    expect(outcome(answer)).toEqual([503, 1503]);
    expect(published()).toHaveLength(sent);
    await expectNoOtpStored(fixture);
    injection.restore();
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: sent });
    await expectAllowance(fixture, LIMIT.otpMaxCount - sent);
  });

  describe('when the answer to a counter write is lost and the SDK sends it again', () => {
    const counterWrite = (target: string, body: string) => target === 'UpdateItem' && body.includes('OTPCOUNT#') && !body.includes('- :one');

    it('counts a request that opened the window once', async () => {
      const fixture = await otpFixture({ brand: LIMIT });
      const lost = loseFirstAnswer(dynamoDb, counterWrite);

      const answer = await generate(handler, fixture);

      expect(lost.attempts).toBe(2);
      expect(outcome(answer)).toEqual([200, 200]);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
      lost.restore();
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      expect(outcome(await generate(handler, fixture))).toEqual([429, 1534]);
    });

    it('counts a request once and sends its OTP when its count filled the window', async () => {
      const fixture = await otpFixture({ brand: LIMIT });
      expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
      const lost = loseFirstAnswer(dynamoDb, counterWrite);

      const answer = await generate(handler, fixture);

      expect(lost.attempts).toBe(2);
      expect(outcome(answer)).toEqual([200, 200]);
      expect(published()).toHaveLength(2);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: LIMIT.otpMaxCount });
    });
  });

  // The refund after a failed publish: the take it should have given back stays until the window ends.
  it.each(faults)('still answers 503/1503 with Retry-After when the refund fails too with %s, logs it, leaves no OTP and keeps the take', async (_name, fault) => {
    const fixture = await otpFixture({ brand: LIMIT });
    sns.on(PublishCommand).rejects((SNS_OUTAGES.InternalErrorException as () => Error)());
    const [refund] = injectDynamoFaults(documentClient, [{ call: 'refund', fault }]);

    const answer = await generate(handler, fixture);

    expect(refund?.thrown).toBe(1);
    expectUnavailable(answer);
    expect(failedCleanups(logs().lines())).toEqual(['refund']);
    await expectNoOtpStored(fixture);
    refund?.restore();
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
    await expectAllowance(fixture, LIMIT.otpMaxCount - 1);
  });

  it('leaves the undelivered OTP stored and keeps its take when the publish and then its discard fail, until the next OTP replaces it', async () => {
    const fixture = await otpFixture({ brand: LIMIT });
    sns.on(PublishCommand).rejects((SNS_OUTAGES.InternalErrorException as () => Error)());
    const discard = injectDynamoFault(documentClient, 'discardOtp', DYNAMO_FAULTS.ThrottlingException as () => Error);
    const hashOf = (otp: string) => hashOtp(process.env.OTP_PEPPER as string, fixture.session.sessionId, otp);
    const validate = (otp: string) =>
      invoke(validateHandler, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp }), caller: { brand: fixture.brand.brand } }));

    const answer = await generate(handler, fixture);

    expect(discard.thrown).toBe(1);
    expectUnavailable(answer);
    expect(failedCleanups(logs().lines())).toEqual(['discard-otp']);
    // The failed discard cannot say whether a guess was judged against the live OTP.
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1 });
    const [undelivered] = published();
    expect((await sessionItem(fixture.session))?.otpHash).toBe(hashOf(undelivered as string));

    // DynamoDB and SNS are back: the customer asks again.
    discard.restore();
    sns.on(PublishCommand).resolves({ MessageId: 'after-the-fault' });
    expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
    const delivered = otpOf(sns.commandCalls(PublishCommand)[1]?.args[0].input);
    expect((await sessionItem(fixture.session))?.otpHash).toBe(hashOf(delivered));
    expect(outcome(await validate(undelivered as string))).toEqual([401, 1506]);
    expect(outcome(await validate(delivered))).toEqual([200, 200]);
  });

  describe('when SNS is unavailable', () => {
    it.each(Object.entries(SNS_OUTAGES))('answers 503/1503 with Retry-After for %s, keeps the allowance and leaves no OTP', async (_name, fault) => {
      const fixture = await otpFixture({ brand: LIMIT });
      sns.on(PublishCommand).rejects(fault());

      const answer = await generate(handler, fixture);

      expectUnavailable(answer);
      await expectNoOtpStored(fixture);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 0 });
      await expectAllowance(fixture);
    });
  });

  it('leaves no OTP when two resends at once both fail to deliver', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 5, otpTimeOut: 10 } });
    expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
    const failDelivery: Array<() => void> = [];
    sns.on(PublishCommand).callsFake(() => new Promise((_resolve, reject) => failDelivery.push(() => reject(SNS_OUTAGES.ThrottledException?.()))));
    const storedHash = async () => (await sessionItem(fixture.session))?.otpHash;
    const until = async (reached: () => Promise<boolean>) => {
      for (let i = 0; !(await reached()); i++) {
        if (i === 400) throw new Error('the resend never got that far');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    // A stores its OTP and B replaces it; then A's delivery fails, then B's.
    const delivered = await storedHash();
    const a = generate(handler, fixture);
    await until(async () => failDelivery.length === 1 && (await storedHash()) !== delivered);
    const undelivered = await storedHash();
    expect(undelivered).not.toBe(delivered);
    const b = generate(handler, fixture);
    await until(async () => failDelivery.length === 2 && (await storedHash()) !== undelivered);
    expect(await storedHash()).not.toBe(undelivered);
    failDelivery[0]?.();
    expect(outcome(await a)).toEqual([503, 1503]);
    failDelivery[1]?.();
    expect(outcome(await b)).toEqual([503, 1503]);

    await expectNoOtpStored(fixture);
  });

  it('leaves no OTP usable when a resend fails after its OTP write was sent twice', async () => {
    const fixture = await otpFixture({ brand: LIMIT });
    expect(outcome(await generate(handler, fixture))).toEqual([200, 200]);
    const lost = loseFirstAnswer(dynamoDb, (target, body) => target === 'UpdateItem' && body.includes('SET otpHash = :hash,'));
    sns.on(PublishCommand).rejects(SNS_OUTAGES.InternalErrorException?.());

    expect(outcome(await generate(handler, fixture))).toEqual([503, 1503]);

    expect(lost.attempts).toBe(2);
    await expectNoOtpStored(fixture);
  });

  describe('when SNS refuses the number', () => {
    it.each(Object.entries(SNS_REFUSALS))('answers 400/1540 without Retry-After for %s, logs its name, keeps the allowance and leaves no OTP', async (_name, fault) => {
      const fixture = await otpFixture({ brand: LIMIT });
      const refusal = fault(PHONE);
      sns.on(PublishCommand).rejects(refusal);

      const answer = await generate(handler, fixture);

      expect(answer.statusCode).toBe(400);
      expect(answer.headers['Retry-After']).toBeUndefined();
      expect(answer.body).toEqual({
        status: { success: false, code: 1540, message: 'OTP cannot be delivered to this mobile number' },
      });
      const refusals = logs()
        .lines()
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => record.message === 'Request refused');
      expect(refusals).toEqual([expect.objectContaining({ code: 1540, cause: refusal.name })]);
      await expectNoOtpStored(fixture);
      await expectAllowance(fixture);
    });

    it('answers 500 for an invalid parameter that is not the number: a fault of ours, not the customer', async () => {
      const fixture = await otpFixture({ brand: LIMIT });
      const refusal = SNS_REFUSALS['InvalidParameterException (PhoneNumber)'] as (phone: string) => Error;
      sns.on(PublishCommand).rejects(Object.assign(refusal(PHONE), { message: 'Invalid parameter: SenderID' }));

      const answer = await generate(handler, fixture);

      expect(outcome(answer)).toEqual([500, 1503]);
      await expectNoOtpStored(fixture);
      await expectAllowance(fixture);
    });
  });
});
