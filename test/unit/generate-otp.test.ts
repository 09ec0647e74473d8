import { BrandCache } from '../../functions/domain/brand-cache';
import { type BrandConfig, type BrandConfigInput } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { generateOtp, type GenerateOtpDeps, type GenerateOtpRequest } from '../../functions/domain/generate-otp';
import type { Session } from '../../functions/domain/ports';
import { counterKey } from '../../functions/domain/rate-limiter';
import { InvalidSessionError, RateLimitedError, ServiceUnavailableError, UnsupportedBrandError } from '../../functions/shared/errors';
import { FakeOtpSender, FakeOtpStore } from '../support/fake-otp-store';

const T0 = 1_700_000_000_000;
const PHONE = '+18767431754';
const KEY = counterKey('acme', PHONE);

interface Setup {
  store: FakeOtpStore;
  sender: FakeOtpSender;
  config: BrandConfig;
  session: Session;
  deps: GenerateOtpDeps;
  request: GenerateOtpRequest;
  clock: { now: number };
}

/** A brand, a session for +18767431754 on device-1 and deps with a hand-moved clock. */
function setup(overrides: Partial<BrandConfigInput> = {}, sessionOverrides: Partial<Session> = {}): Setup {
  const store = new FakeOtpStore();
  const sender = new FakeOtpSender();
  const config = parseBrandConfig({ brand: 'acme', defaultCountry: 'US', otpMaxCount: 3, otpTimeOut: 10, ...overrides });
  store.brands.set('acme', config);
  const session: Session = {
    sessionId: 'P-session-1',
    brand: 'acme',
    identifierType: 'MOBILE',
    identifierValue: PHONE,
    deviceId: 'device-1',
    expiresAt: T0 + 15 * 60_000,
    ...sessionOverrides,
  };
  store.sessions.set(session.sessionId, session);
  const clock = { now: T0 };
  let issued = 0;
  let takes = 0;
  const deps: GenerateOtpDeps = {
    store,
    sender,
    brands: new BrandCache(60_000),
    now: () => clock.now,
    newOtp: (length) => String(++issued).padStart(length, '0'),
    newTakeId: () => `take-${++takes}`,
    hashOtp: (sessionId, otp) => `hash(${sessionId}:${otp})`,
  };
  const request: GenerateOtpRequest = {
    brand: 'acme',
    identifierType: 'MOBILE',
    identifierValue: '(876) 743-1754',
    deviceId: 'device-1',
    sessionId: session.sessionId,
  };
  return { store, sender, config, session, deps, request, clock };
}

const failure = (name: string) => Object.assign(new Error(`${name} from a fake`), { name });

describe('generateOtp', () => {
  it('sends a new OTP by SMS, stores only its hash on the session and counts one', async () => {
    const { store, sender, deps, request } = setup({ otpValidityMinutes: 7, mfaMaxOtpRetryCount: 4 });

    const result = await generateOtp(deps, request);

    expect(result).toEqual({ channel: 'SMS', to: PHONE });
    expect(sender.sent).toEqual([
      {
        channel: 'SMS',
        to: PHONE,
        brand: 'acme',
        sessionId: 'P-session-1',
        otp: '000001',
        text: '000001 is your verification code. Do not share it with anyone.',
      },
    ]);
    expect(store.sessions.get('P-session-1')?.otp).toEqual({
      hash: 'hash(P-session-1:000001)',
      expiresAt: T0 + 7 * 60_000,
      wrongTries: 0,
      maxTries: 4,
      channel: 'SMS',
      country: 'JM',
    });
    expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: T0 + 10 * 60_000, takes: ['take-1'] });
  });

  it('asks for an OTP of the brand length', async () => {
    const { deps, request, sender } = setup({ otpLength: 9 });
    const newOtp = jest.fn(() => '123456789');

    await generateOtp({ ...deps, newOtp }, request);

    expect(newOtp).toHaveBeenCalledWith(9);
    expect(sender.sent[0]?.otp).toBe('123456789');
  });

  it('hands the brand sender ID and origination number to the sender', async () => {
    const { deps, request, sender } = setup({ smsSenderId: 'ACME', smsOriginationNumber: '+15005550006' });

    await generateOtp(deps, request);

    expect(sender.sent[0]).toMatchObject({ smsSenderId: 'ACME', smsOriginationNumber: '+15005550006' });
  });

  it('renders the brand template with the OTP', async () => {
    const { deps, request, sender } = setup({ templates: { SMS: 'Acme: {otp}' } });

    await generateOtp(deps, request);

    expect(sender.sent[0]?.text).toBe('Acme: 000001');
  });

  it('replaces the earlier OTP of the session', async () => {
    const { store, deps, request } = setup();
    await generateOtp(deps, request);

    await generateOtp(deps, request);

    expect(store.sessions.get('P-session-1')?.otp?.hash).toBe('hash(P-session-1:000002)');
  });

  it('sends a USERNAME to the customer read in the same round trip as the session', async () => {
    const { store, sender, deps, request } = setup({}, { identifierType: 'USERNAME', identifierValue: 'jane' });
    store.putCustomer('acme', 'USERNAME', 'jane', { mobile: PHONE });

    const result = await generateOtp(deps, { ...request, identifierType: 'USERNAME', identifierValue: ' jane ' });

    expect(result).toEqual({ channel: 'SMS', to: PHONE });
    expect(store.contextReads).toEqual([
      { sessionId: 'P-session-1', brand: 'acme', customer: { brand: 'acme', identifier: { type: 'USERNAME', value: 'jane' } } },
    ]);
    expect(sender.sent).toHaveLength(1);
    expect(store.counters.get(KEY)?.count).toBe(1);
  });

  it("records the channel and the country of a customer's number with the OTP, for its validation", async () => {
    const { store, deps, request } = setup({}, { identifierType: 'USERNAME', identifierValue: 'jane' });
    const observed: unknown[] = [];
    deps.observe = (event) => observed.push(event);
    store.putCustomer('acme', 'USERNAME', 'jane', { mobile: '+4915123456789' });

    await generateOtp(deps, { ...request, identifierType: 'USERNAME', identifierValue: 'jane' });

    expect(store.sessions.get('P-session-1')?.otp).toMatchObject({ channel: 'SMS', country: 'DE' });
    expect(observed).toEqual([{ outcome: 'generated', brand: 'acme', channel: 'SMS', country: 'DE' }]);
  });

  it('records no country with an OTP sent by e-mail', async () => {
    const { store, deps, request } = setup({}, { identifierType: 'EMAIL', identifierValue: 'jane@example.com' });

    await generateOtp(deps, { ...request, identifierType: 'EMAIL', identifierValue: 'jane@example.com' });

    expect(store.sessions.get('P-session-1')?.otp).toMatchObject({ channel: 'EMAIL' });
    expect(store.sessions.get('P-session-1')?.otp?.country).toBeUndefined();
  });

  it('refuses an unknown brand with 1504 and writes nothing', async () => {
    const { store, sender, deps, request } = setup();
    store.brands.clear();

    await expect(generateOtp(deps, request)).rejects.toBeInstanceOf(UnsupportedBrandError);
    expect(sender.sent).toEqual([]);
    expect(store.counters.size).toBe(0);
    expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
  });

  it('refuses a session that has expired with 1505 and counts nothing', async () => {
    const { store, sender, deps, request } = setup({}, { expiresAt: T0 });

    await expect(generateOtp(deps, request)).rejects.toBeInstanceOf(InvalidSessionError);
    expect(sender.sent).toEqual([]);
    expect(store.counters.size).toBe(0);
  });

  describe('brand cache', () => {
    it('reads the brand once, then reads the counter with the session instead', async () => {
      const { store, deps, request } = setup();

      await generateOtp(deps, request);
      await generateOtp(deps, request);

      expect(store.contextReads).toEqual([
        { sessionId: 'P-session-1', brand: 'acme' },
        { sessionId: 'P-session-1', counterKey: KEY },
      ]);
    });

    it('reads the counter of a number in E.164 with the brand, before the brand is cached', async () => {
      const { store, deps, request } = setup();
      store.counters.set(KEY, { count: 1, windowEnd: T0 + 60_000, takes: ['take-0'] });
      const openWindow = jest.spyOn(store, 'openWindow');

      await generateOtp(deps, { ...request, identifierValue: PHONE });

      expect(store.contextReads).toEqual([{ sessionId: 'P-session-1', brand: 'acme', counterKey: KEY }]);
      expect(openWindow).not.toHaveBeenCalled();
      expect(store.counters.get(KEY)?.count).toBe(2);
    });

    it('counts in the window it read with the session, without trying to open one', async () => {
      const { store, deps, request } = setup();
      await generateOtp(deps, request);
      const openWindow = jest.spyOn(store, 'openWindow');

      await generateOtp(deps, request);

      expect(openWindow).not.toHaveBeenCalled();
      expect(store.counters.get(KEY)?.count).toBe(2);
    });

    it('reads the counter of a number sent in E.164 and takes its country from the session', async () => {
      const { store, deps, request } = setup({}, { identifierCountry: 'JM' });
      const observed: unknown[] = [];
      deps.observe = (event) => observed.push(event);
      const e164 = { ...request, identifierValue: PHONE };

      await generateOtp(deps, e164);
      await generateOtp(deps, e164);

      expect(store.contextReads[1]).toEqual({ sessionId: 'P-session-1', counterKey: KEY });
      expect(store.counters.get(KEY)?.count).toBe(2);
      expect(observed).toEqual([
        { outcome: 'generated', brand: 'acme', channel: 'SMS', country: 'JM' },
        { outcome: 'generated', brand: 'acme', channel: 'SMS', country: 'JM' },
      ]);
    });

    it('refuses with 1507 an E.164 number that is not the session\'s, counting nothing for it', async () => {
      const { store, deps, request, sender } = setup();
      await generateOtp(deps, request);
      const other = '+18767431755';

      await expect(generateOtp(deps, { ...request, identifierValue: other })).rejects.toMatchObject({ code: 1507 });

      expect(store.contextReads[1]).toEqual({ sessionId: 'P-session-1', counterKey: counterKey('acme', other) });
      expect(store.counters.has(counterKey('acme', other))).toBe(false);
      expect(sender.sent).toHaveLength(1);
    });

    it('refuses with 1519 a number shaped like E.164 that is no valid number', async () => {
      const { deps, request } = setup();
      await generateOtp(deps, request);

      await expect(generateOtp(deps, { ...request, identifierValue: '+10000000000' })).rejects.toMatchObject({ code: 1519 });
    });

    it('does not read the counter when the cached brand has no rate limit', async () => {
      const { store, deps, request } = setup({ otpTimeOut: null });

      await generateOtp(deps, request);
      await generateOtp(deps, request);

      expect(store.contextReads[1]).toEqual({ sessionId: 'P-session-1' });
    });

    it('reads the brand again once the cache entry has expired', async () => {
      const { store, deps, request, clock } = setup();
      await generateOtp(deps, request);

      clock.now += 60_000;
      await generateOtp(deps, request);

      expect(store.contextReads[1]).toEqual({ sessionId: 'P-session-1', brand: 'acme' });
    });

    it('uses the cached configuration, not a change written since', async () => {
      const { store, deps, request, config } = setup();
      await generateOtp(deps, request);

      store.brands.set('acme', { ...config, otpMaxCount: 1 });
      await generateOtp(deps, request);

      expect(store.counters.get(KEY)?.count).toBe(2);
    });
  });

  describe('rate limit', () => {
    it('refuses with 1534 and the seconds left once otpMaxCount were sent, sending and storing nothing', async () => {
      const { store, sender, deps, request, clock } = setup();
      for (let i = 0; i < 3; i++) await generateOtp(deps, request);
      const hashBefore = store.sessions.get('P-session-1')?.otp?.hash;
      clock.now = T0 + 4 * 60_000;

      const attempt = generateOtp(deps, request);

      await expect(attempt).rejects.toBeInstanceOf(RateLimitedError);
      await expect(attempt).rejects.toMatchObject({ httpStatus: 429, code: 1534, retryAfterSeconds: 360 });
      expect(sender.sent).toHaveLength(3);
      expect(store.sessions.get('P-session-1')?.otp?.hash).toBe(hashBefore);
    });

    it('opens a new window once otpTimeOut minutes have passed, though the counter is still there', async () => {
      const { store, deps, request, clock } = setup();
      for (let i = 0; i < 3; i++) await generateOtp(deps, request);

      clock.now = T0 + 10 * 60_000;
      await generateOtp(deps, request);

      expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: clock.now + 10 * 60_000, takes: ['take-4'] });
    });

    it.each([
      ['otpMaxCount', { otpMaxCount: null }],
      ['otpTimeOut', { otpTimeOut: null }],
    ])('applies no limit when %s is null', async (_field, overrides) => {
      const { store, sender, deps, request } = setup(overrides);

      for (let i = 0; i < 5; i++) await generateOtp(deps, request);

      expect(sender.sent).toHaveLength(5);
      expect(store.counters.size).toBe(0);
    });
  });

  describe('deadline', () => {
    it('starts no write once the route has answered for the request', async () => {
      const { store, sender, deps, request } = setup();

      await expect(generateOtp({ ...deps, deadline: T0 }, request)).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(store.counters.size).toBe(0);
      expect(sender.sent).toHaveLength(0);
    });

    it('gives the allowance back and sends nothing when the deadline passes during the counter write', async () => {
      const { store, sender, deps, request, clock } = setup();
      const open = FakeOtpStore.prototype.openWindow.bind(store);
      jest.spyOn(store, 'openWindow').mockImplementationOnce(async (...args) => {
        clock.now = T0 + 5_000;
        return open(...args);
      });

      await expect(generateOtp({ ...deps, deadline: T0 + 1_000 }, request)).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(sender.sent).toHaveLength(0);
      expect(store.counters.get(KEY)?.count).toBe(0);
      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('starts no second round of counter writes once the deadline has passed during the first', async () => {
      const { store, sender, deps, request, clock } = setup();
      await generateOtp(deps, request);
      // The count fails as a lost race would, and the read after it shows room again: a second round would follow.
      const countInWindow = jest.spyOn(store, 'countInWindow').mockImplementationOnce(async () => {
        clock.now = T0 + 5_000;
        return undefined;
      });
      const readCounter = jest.spyOn(store, 'readCounter');

      await expect(generateOtp({ ...deps, deadline: T0 + 1_000 }, request)).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(countInWindow).toHaveBeenCalledTimes(1);
      expect(readCounter).toHaveBeenCalledTimes(1);
      expect(sender.sent).toHaveLength(1);
    });
  });

  describe('compensation', () => {
    it('removes the stored OTP and refunds the allowance when the publish fails', async () => {
      const { store, sender, deps, request } = setup();
      const outage = failure('ThrottledException');
      jest.spyOn(sender, 'send').mockRejectedValueOnce(outage);
      const discardOtp = jest.spyOn(store, 'discardOtp');
      const refund = jest.spyOn(store, 'refund');

      await expect(generateOtp(deps, request)).rejects.toBe(outage);

      expect(discardOtp).toHaveBeenCalledWith('P-session-1', 'hash(P-session-1:000001)');
      expect(refund).toHaveBeenCalledWith(KEY, 'take-1');
      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
      expect(store.counters.get(KEY)?.count).toBe(0);
    });

    it('leaves no OTP after a failed resend, the earlier delivered one included', async () => {
      const { store, sender, deps, request, clock } = setup();
      await generateOtp(deps, request);
      clock.now = T0 + 60_000;
      jest.spyOn(sender, 'send').mockRejectedValueOnce(failure('ThrottledException'));

      await expect(generateOtp(deps, request)).rejects.toThrow('ThrottledException');

      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('leaves no OTP when two resends at once both fail to deliver', async () => {
      const { store, sender, deps, request } = setup();
      await generateOtp(deps, request);
      const deliveries: Array<(error: Error) => void> = [];
      jest.spyOn(sender, 'send').mockImplementation(() => new Promise((_resolve, reject) => deliveries.push(reject)));
      const settled = () => new Promise((resolve) => setImmediate(resolve));

      // A stores OTP 2 and B replaces it with OTP 3; then A's delivery fails, then B's.
      const a = generateOtp(deps, request).catch((error: unknown) => error);
      await settled();
      const b = generateOtp(deps, request).catch((error: unknown) => error);
      await settled();
      expect(store.sessions.get('P-session-1')?.otp?.hash).toBe('hash(P-session-1:000003)');
      deliveries[0]?.(failure('ThrottledException'));
      await a;
      deliveries[1]?.(failure('ThrottledException'));
      await b;

      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('leaves no OTP when the write the failed resend made was sent twice and replaced itself', async () => {
      const { store, sender, deps, request, clock } = setup();
      await generateOtp(deps, request);
      clock.now = T0 + 60_000;
      const write = FakeOtpStore.prototype.saveOtp.bind(store);
      // The first write was applied but its answer lost; the SDK's resend replaced it with itself.
      jest.spyOn(store, 'saveOtp').mockImplementationOnce(async (...args) => {
        await write(...args);
        return write(...args);
      });
      jest.spyOn(sender, 'send').mockRejectedValueOnce(failure('ThrottledException'));

      await expect(generateOtp(deps, request)).rejects.toThrow('ThrottledException');

      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('keeps the whole allowance after a failed publish', async () => {
      const { sender, deps, request } = setup();
      jest.spyOn(sender, 'send').mockRejectedValueOnce(failure('InternalErrorException'));
      await expect(generateOtp(deps, request)).rejects.toThrow();

      for (let i = 0; i < 3; i++) await generateOtp(deps, request);

      await expect(generateOtp(deps, request)).rejects.toBeInstanceOf(RateLimitedError);
      expect(sender.sent).toHaveLength(3);
    });

    it('counts the message it sent and leaves no OTP when storing the OTP fails', async () => {
      const { store, sender, deps, request } = setup();
      const outage = failure('ProvisionedThroughputExceededException');
      jest.spyOn(store, 'saveOtp').mockRejectedValueOnce(outage);
      const refund = jest.spyOn(store, 'refund');

      await expect(generateOtp(deps, request)).rejects.toBe(outage);

      expect(sender.sent).toHaveLength(1);
      expect(refund).not.toHaveBeenCalled();
      expect(store.counters.get(KEY)?.count).toBe(1);
      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('stops sending at the limit while every OTP write fails', async () => {
      const { store, sender, deps, request } = setup();
      jest.spyOn(store, 'saveOtp').mockRejectedValue(failure('ProvisionedThroughputExceededException'));

      const errors = [];
      for (let i = 0; i < 6; i++) errors.push(await generateOtp(deps, request).catch((error: unknown) => error));

      expect(sender.sent).toHaveLength(3);
      expect(errors.slice(3).every((error) => error instanceof RateLimitedError)).toBe(true);
    });

    it('gives back its take when the counter write failed after being applied, and sends nothing', async () => {
      const { store, sender, deps, request } = setup();
      await generateOtp(deps, request);
      const timeout = failure('TimeoutError');
      const applied = FakeOtpStore.prototype.countInWindow.bind(store);
      jest.spyOn(store, 'countInWindow').mockImplementationOnce(async (...args) => {
        await applied(...args);
        throw timeout;
      });

      await expect(generateOtp(deps, request)).rejects.toBe(timeout);

      expect(sender.sent).toHaveLength(1);
      expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: T0 + 10 * 60_000, takes: ['take-1'] });
    });

    it('gives back nothing when the counter write failed before it was applied', async () => {
      const { store, deps, request } = setup();
      await generateOtp(deps, request);
      const throttled = failure('ThrottlingException');
      jest.spyOn(store, 'countInWindow').mockRejectedValueOnce(throttled);

      await expect(generateOtp(deps, request)).rejects.toBe(throttled);

      expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: T0 + 10 * 60_000, takes: ['take-1'] });
    });

    it('answers 1505 and counts the message it sent when the session closed before the OTP could be stored', async () => {
      const { store, sender, deps, request } = setup();
      jest.spyOn(store, 'saveOtp').mockResolvedValueOnce(false);
      const discardOtp = jest.spyOn(store, 'discardOtp');
      const observed: unknown[] = [];
      deps.observe = (event) => observed.push(event);

      await expect(generateOtp(deps, request)).rejects.toBeInstanceOf(InvalidSessionError);

      expect(discardOtp).not.toHaveBeenCalled();
      expect(sender.sent).toHaveLength(1);
      expect(store.counters.get(KEY)?.count).toBe(1);
      expect(observed).toEqual([{ outcome: 'generated', brand: 'acme', channel: 'SMS', country: 'JM' }]);
    });

    it('refunds when the session closed before the OTP could be stored and the publish failed too', async () => {
      const { store, sender, deps, request } = setup();
      jest.spyOn(store, 'saveOtp').mockResolvedValueOnce(false);
      const publishError = failure('ThrottledException');
      jest.spyOn(sender, 'send').mockRejectedValueOnce(publishError);

      await expect(generateOtp(deps, request)).rejects.toBe(publishError);

      expect(store.counters.get(KEY)?.count).toBe(0);
    });

    it('throws the publish error when both halves fail, and keeps the take: the failed OTP write may have landed and been tried', async () => {
      const { store, sender, deps, request } = setup();
      const publishError = failure('ThrottledException');
      jest.spyOn(store, 'saveOtp').mockRejectedValueOnce(failure('ProvisionedThroughputExceededException'));
      jest.spyOn(sender, 'send').mockRejectedValueOnce(publishError);

      await expect(generateOtp(deps, request)).rejects.toBe(publishError);
      expect(store.counters.get(KEY)?.count).toBe(1);
    });

    // The OTP is live from its write, which runs beside the publish, until the discard.
    it.each<[string, (otp: NonNullable<Session['otp']>, session: Session) => void]>([
      ['a wrong try was counted against', (otp) => (otp.wrongTries = 1)],
      ['the customer consumed', (_otp, session) => delete session.otp],
    ])('keeps the take when %s the OTP before its publish failed', async (_label, judge) => {
      const { store, sender, deps, request } = setup();
      const outage = failure('ThrottledException');
      jest.spyOn(sender, 'send').mockImplementationOnce(async () => {
        const session = store.sessions.get(request.sessionId) as Session;
        judge(session.otp as NonNullable<Session['otp']>, session);
        throw outage;
      });

      await expect(generateOtp(deps, request)).rejects.toBe(outage);

      expect(store.counters.get(KEY)).toMatchObject({ count: 1, takes: ['take-1'] });
      expect(store.sessions.get(request.sessionId)?.otp).toBeUndefined();
    });

    it('counts the message it sent as generated when the OTP write failed', async () => {
      const { store, deps, request } = setup();
      const writeError = failure('ProvisionedThroughputExceededException');
      jest.spyOn(store, 'saveOtp').mockRejectedValueOnce(writeError);
      const observed: unknown[] = [];
      deps.observe = (event) => observed.push(event);

      await expect(generateOtp(deps, request)).rejects.toBe(writeError);

      expect(observed).toEqual([{ outcome: 'generated', brand: 'acme', channel: 'SMS', country: 'JM' }]);
    });

    it('refunds nothing when the brand has no rate limit', async () => {
      const { store, sender, deps, request } = setup({ otpMaxCount: null });
      jest.spyOn(sender, 'send').mockRejectedValueOnce(failure('ThrottledException'));
      const refund = jest.spyOn(store, 'refund');

      await expect(generateOtp(deps, request)).rejects.toThrow('ThrottledException');

      expect(refund).not.toHaveBeenCalled();
      expect(store.sessions.get('P-session-1')?.otp).toBeUndefined();
    });

    it('reports a failed discard, still throws the request error and keeps the take of the OTP it could not check', async () => {
      const { store, sender, deps, request } = setup();
      const publishError = failure('ThrottledException');
      const discardError = failure('InternalServerError');
      jest.spyOn(sender, 'send').mockRejectedValueOnce(publishError);
      jest.spyOn(store, 'discardOtp').mockRejectedValueOnce(discardError);
      const refund = jest.spyOn(store, 'refund');
      const onCleanupFailure = jest.fn();

      await expect(generateOtp({ ...deps, onCleanupFailure }, request)).rejects.toBe(publishError);

      expect(onCleanupFailure.mock.calls).toEqual([['discard-otp', discardError]]);
      expect(refund).not.toHaveBeenCalled();
    });

    it('reports a failed refund and still throws the request error', async () => {
      const { store, sender, deps, request } = setup();
      const publishError = failure('ThrottledException');
      const refundError = failure('ThrottlingException');
      jest.spyOn(sender, 'send').mockRejectedValueOnce(publishError);
      jest.spyOn(store, 'refund').mockRejectedValueOnce(refundError);
      const onCleanupFailure = jest.fn();

      await expect(generateOtp({ ...deps, onCleanupFailure }, request)).rejects.toBe(publishError);

      expect(onCleanupFailure.mock.calls).toEqual([['refund', refundError]]);
      expect(store.sessions.get(request.sessionId)?.otp).toBeUndefined();
    });
  });
});
