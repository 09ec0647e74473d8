import { PublishCommand } from '@aws-sdk/client-sns';
import { handler as otpGenerate } from '../../functions/otp-generate';
import { handler as otpValidate } from '../../functions/otp-validate';
import { logger } from '../../functions/shared/logger';
import { apiEvent, invoke } from '../support/api-events';
import { seedSession, testStore } from '../support/fixtures';
import { SNS_REFUSALS } from '../support/fault-injection';
import { counterItem, generate, generateBody, otpFixture, otpOf, outcome, PHONE, sessionItem, type OtpFixture } from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

/** The threat-model cases of docs/security.md that no other test file pins down. */
const sns = mockSnsPublish();
const store = testStore();

const validate = (fixture: OtpFixture, otp: string) =>
  invoke(otpValidate, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp }), caller: { brand: fixture.brand.brand } }));

const lastOtp = () => {
  const calls = sns.commandCalls(PublishCommand);
  return otpOf(calls[calls.length - 1]?.args[0].input);
};

/** Polls `condition` until it holds (true) or `answer` settles first (false). */
async function comesBefore(condition: () => Promise<boolean>, answer: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void answer.finally(() => (settled = true));
  while (!settled) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

describe('threat model', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('enumeration', () => {
    it('does not say whether a username exists to a caller without a session opened for it', async () => {
      const fixture = await otpFixture({ session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: '+18767431754' });

      const known = await generate(otpGenerate, fixture, { identifierValue: 'jane', sessionId: 'P-00000000-0000-4000-8000-000000000000' });
      const unknown = await generate(otpGenerate, fixture, { identifierValue: 'nobody', sessionId: 'P-00000000-0000-4000-8000-000000000000' });
      const otherName = await generate(otpGenerate, fixture, { identifierValue: 'nobody' });

      expect(outcome(known)).toEqual([401, 1505]);
      expect(outcome(unknown)).toEqual([401, 1505]);
      // Only a session opened (by the first factor) for this very username learns 1515.
      expect(outcome(otherName)).toEqual([401, 1541]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    });
  });

  describe('brute force', () => {
    it('allows at most otpMaxCount × mfaMaxOtpRetryCount judged guesses per window, however often OTPs are requested', async () => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10, mfaMaxOtpRetryCount: 3, otpLength: 6 } });
      const answers: string[] = [];

      for (let round = 0; round < 4; round++) {
        answers.push(outcome(await generate(otpGenerate, fixture)).join('/'));
        for (let guess = 0; guess < 5; guess++) {
          // A wrong code: the delivered one with its last digit changed.
          const otp = lastOtp();
          const wrong = otp.slice(0, -1) + String((Number(otp.slice(-1)) + 1) % 10);
          answers.push(outcome(await validate(fixture, wrong)).join('/'));
        }
      }

      const judged = answers.filter((answer) => answer === '401/1506');
      expect(judged).toHaveLength(2 * 3);
      expect(answers.filter((answer) => answer === '200/200')).toHaveLength(2);
      expect(answers).toContain('429/1534');
      expect(answers).toContain('429/1518');
    });

    // The OTP is stored beside its publish, so it can be guessed at until a failed publish
    // is answered; a number SNS always refuses (opted out) must not turn that into free rounds.
    it('charges the allowance for guesses judged while a refused publish was pending', async () => {
      const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10, mfaMaxOtpRetryCount: 3 } });
      let refuse = () => undefined as void;
      sns.on(PublishCommand).callsFake(async () => {
        await new Promise<void>((resolve) => (refuse = resolve));
        throw SNS_REFUSALS.OptedOutException?.(PHONE);
      });
      const answers: string[] = [];
      let judged = 0;

      for (let round = 0; round < 4; round++) {
        const pending = generate(otpGenerate, fixture);
        const live = async () => sns.commandCalls(PublishCommand).length > round && (await sessionItem(fixture.session))?.otpHash !== undefined;
        if (await comesBefore(live, pending)) {
          const otp = lastOtp();
          const wrong = ['1', '2', '3', '4'].map((digit) => otp.slice(0, -1) + String((Number(otp.slice(-1)) + Number(digit)) % 10));
          const guesses = await Promise.all(wrong.map((code) => validate(fixture, code)));
          judged += guesses.filter((guess) => outcome(guess).join('/') === '401/1506').length;
          refuse();
        }
        answers.push(outcome(await pending).join('/'));
      }

      expect(answers).toEqual(['400/1540', '400/1540', '429/1534', '429/1534']);
      expect(judged).toBe(2 * 3);
      expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 2 });
    });
  });

  describe('SMS pumping', () => {
    it('sends nothing and counts nothing for a number outside the brand allowed countries', async () => {
      const fixture = await otpFixture({ brand: { allowedCountries: ['US'], defaultCountry: 'US' }, session: { identifierValue: '+447911123456' } });
      // Cache the brand, so the number is judged before the first DynamoDB read.
      await generate(otpGenerate, fixture);
      sns.reset();

      const answer = await generate(otpGenerate, fixture);

      expect(outcome(answer)).toEqual([400, 1519]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
      expect(await counterItem(fixture.brand.brand, '+447911123456')).toBeUndefined();
    });

    it("sends nothing and counts nothing for a customer's stored number outside the brand allowed countries", async () => {
      const fixture = await otpFixture({ brand: { allowedCountries: ['US'] }, session: { identifierType: 'USERNAME', identifierValue: 'jane' } });
      // Stored before the brand limited its countries, as customer put checks them now.
      await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: '+447911123456' });

      const answer = await generate(otpGenerate, fixture);

      expect(outcome(answer)).toEqual([400, 1540]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
      expect(await counterItem(fixture.brand.brand, '+447911123456')).toBeUndefined();
    });
  });

  describe('replay', () => {
    it('refuses an OTP delivered for one session on another session of the same customer', async () => {
      const fixture = await otpFixture();
      const other = { brand: fixture.brand, session: await seedSession(store, { brand: fixture.brand.brand }) };
      await generate(otpGenerate, fixture);
      const otp = lastOtp();
      // The other session holds the very same OTP, stored as it is on the first: only the
      // session ID in the keyed hash tells the two apart.
      const delivered = (await store.getSession(fixture.session.sessionId))?.otp;
      if (!delivered) throw new Error('otp/generate stored no OTP');
      await store.saveOtp(other.session.sessionId, delivered, Date.now());

      const elsewhere = await validate(other, otp);
      const where = await validate(fixture, otp);
      const again = await validate(fixture, otp);

      expect(outcome(elsewhere)).toEqual([401, 1506]);
      expect((await store.getSession(other.session.sessionId))?.otp?.wrongTries).toBe(1);
      expect(outcome(where)).toEqual([200, 200]);
      expect(outcome(again)).toEqual([401, 1505]);
    });
  });
});
