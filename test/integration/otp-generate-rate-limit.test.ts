import { PublishCommand } from '@aws-sdk/client-sns';
import { handler } from '../../functions/otp-generate';
import { seedSession, testStore } from '../support/fixtures';
import { publishedOtps, scanLogsOfEachTest } from '../support/log-scan';
import { counterItem, generate, otpFixture, outcome, PHONE } from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

const store = testStore();
const sns = mockSnsPublish();
const TEN_MINUTES = 10 * 60_000;

const publishCount = () => sns.commandCalls(PublishCommand).length;

describe('POST /auth/v1/mfa/otp/generate rate limit', () => {
  scanLogsOfEachTest(() => ({
    otps: publishedOtps(sns),
    phones: [PHONE, '+1 (876) 743-1754', '18767431754', '(876) 743-1754'],
    identifiers: ['jane'],
  }));

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts three spellings of one number on one counter', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 3, otpTimeOut: 10 } });

    const answers = [];
    for (const spelling of ['+1 (876) 743-1754', '18767431754', '+18767431754', '(876) 743-1754']) {
      answers.push(await generate(handler, fixture, { identifierValue: spelling }));
    }

    expect(answers.map(outcome)).toEqual([
      [200, 200],
      [200, 200],
      [200, 200],
      [429, 1534],
    ]);
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.PhoneNumber)).toEqual([PHONE, PHONE, PHONE]);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 3 });
  });

  it('lets exactly otpMaxCount of 50 concurrent requests through and refuses the rest with Retry-After', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 5, otpTimeOut: 10 } });

    const answers = await Promise.all(Array.from({ length: 50 }, () => generate(handler, fixture)));

    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(45);
    const refused = answers.filter((answer) => answer.statusCode === 429);
    for (const answer of refused) {
      expect(answer.body.status.code).toBe(1534);
      expect(Number(answer.headers['Retry-After'])).toBeGreaterThan(0);
      expect(Number(answer.headers['Retry-After'])).toBeLessThanOrEqual(600);
    }
    expect(publishCount()).toBe(5);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 5 });
  });

  it('keeps the count exact under concurrency when the brand and the counter are read together', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 5, otpTimeOut: 10 } });
    await generate(handler, fixture);

    const answers = await Promise.all(Array.from({ length: 30 }, () => generate(handler, fixture)));

    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(4);
    expect(answers.filter((answer) => answer.statusCode === 429 && answer.headers['Retry-After'])).toHaveLength(26);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 5 });
  });

  it('keeps the count exact under concurrency when the counter key comes from the customer item, window open or not', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 5, otpTimeOut: 10 } });
    await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE });
    const byUsername = await seedSession(store, { brand: fixture.brand.brand, identifierType: 'USERNAME', identifierValue: 'jane' });
    const viaUsername = { ...fixture, session: byUsername };

    const first = await Promise.all(Array.from({ length: 3 }, () => generate(handler, viaUsername)));
    const rest = await Promise.all(Array.from({ length: 30 }, () => generate(handler, viaUsername)));

    expect(first.map(outcome)).toEqual([
      [200, 200],
      [200, 200],
      [200, 200],
    ]);
    expect(rest.filter((answer) => answer.statusCode === 200)).toHaveLength(2);
    expect(rest.filter((answer) => answer.statusCode === 429 && answer.headers['Retry-After'])).toHaveLength(28);
    expect(publishCount()).toBe(5);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 5 });
  });

  it('reopens the window after otpTimeOut although the counter item is still there', async () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 }, session: { expiresAt: start + 30 * 60_000 } });
    await generate(handler, fixture);
    await generate(handler, fixture);
    const full = await counterItem(fixture.brand.brand);

    clock.mockReturnValue(start + TEN_MINUTES - 1);
    const stillFull = await generate(handler, fixture);
    clock.mockReturnValue(start + TEN_MINUTES);
    const reopened = await generate(handler, fixture);

    expect(full).toMatchObject({ count: 2, windowEnd: start + TEN_MINUTES, ttl: Math.ceil((start + TEN_MINUTES) / 1000) });
    expect(outcome(stillFull)).toEqual([429, 1534]);
    expect(stillFull.headers['Retry-After']).toBe('1');
    expect(outcome(reopened)).toEqual([200, 200]);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1, windowEnd: start + 2 * TEN_MINUTES });
  });

  it('reopens the window after otpTimeOut for a USERNAME, whose counter is not read first', async () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const fixture = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 }, session: { expiresAt: start + 30 * 60_000 } });
    await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE });
    const byUsername = await seedSession(store, { brand: fixture.brand.brand, identifierType: 'USERNAME', identifierValue: 'jane', expiresAt: start + 30 * 60_000 });
    const viaUsername = { ...fixture, session: byUsername };
    const first = await generate(handler, viaUsername);
    const full = await counterItem(fixture.brand.brand);

    clock.mockReturnValue(start + TEN_MINUTES);
    const reopened = await generate(handler, viaUsername);
    const refused = await generate(handler, viaUsername);

    expect(outcome(first)).toEqual([200, 200]);
    expect(full).toMatchObject({ count: 1, windowEnd: start + TEN_MINUTES });
    expect(outcome(reopened)).toEqual([200, 200]);
    expect(outcome(refused)).toEqual([429, 1534]);
    expect(await counterItem(fixture.brand.brand)).toMatchObject({ count: 1, windowEnd: start + 2 * TEN_MINUTES });
  });

  it('counts in the reopened window with the brand cached and refuses when it is full again', async () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const fixture = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 }, session: { expiresAt: start + 60 * 60_000 } });
    await generate(handler, fixture);

    clock.mockReturnValue(start + TEN_MINUTES + 1_000);
    const reopened = await generate(handler, fixture);
    clock.mockReturnValue(start + TEN_MINUTES + 2_000);
    const refused = await generate(handler, fixture);

    expect(outcome(reopened)).toEqual([200, 200]);
    expect(outcome(refused)).toEqual([429, 1534]);
    expect(refused.headers['Retry-After']).toBe('599');
  });

  it('says in Retry-After how long the window has left', async () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const fixture = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 } });
    await generate(handler, fixture);

    clock.mockReturnValue(start + 4 * 60_000 + 500);
    const answer = await generate(handler, fixture);

    expect(answer.headers['Retry-After']).toBe('360');
  });

  it('counts per destination, whatever identifier led to it', async () => {
    const fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
    const byUsername = await seedSession(store, { brand: fixture.brand.brand, identifierType: 'USERNAME', identifierValue: 'jane' });
    await store.putCustomer(fixture.brand.brand, { type: 'USERNAME', value: 'jane' }, { mobile: PHONE });
    await generate(handler, fixture);
    await generate(handler, { ...fixture, session: byUsername });

    const third = await generate(handler, fixture);

    expect(outcome(third)).toEqual([429, 1534]);
  });

  it('keeps a counter per brand for the same number', async () => {
    const first = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 } });
    const second = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 } });
    await generate(handler, first);

    expect(outcome(await generate(handler, second))).toEqual([200, 200]);
    expect(outcome(await generate(handler, first))).toEqual([429, 1534]);
  });

  it.each([
    ['otpMaxCount', { otpMaxCount: null, otpTimeOut: 10 }],
    ['otpTimeOut', { otpMaxCount: 1, otpTimeOut: null }],
  ])('applies no limit and keeps no counter when %s is null', async (_field, limits) => {
    const fixture = await otpFixture({ brand: limits });

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await generate(handler, fixture));

    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200]);
    expect(await counterItem(fixture.brand.brand)).toBeUndefined();
  });
});
