import { counterKey, takeAllowance } from '../../functions/domain/rate-limiter';
import { ServiceUnavailableError } from '../../functions/shared/errors';
import { FakeOtpStore } from '../support/fake-otp-store';

const KEY = counterKey('acme', '+18767431754');
const LIMIT = { maxCount: 3, windowMs: 10 * 60_000 };
const NOW = 1_700_000_000_000;

describe('counterKey', () => {
  it('joins the brand and the destination', () => {
    expect(counterKey('acme', 'jane@example.com')).toBe('acme#jane@example.com');
  });
});

describe('takeAllowance', () => {
  it('opens a window of windowMs with count 1 when there is no counter', async () => {
    const store = new FakeOtpStore();

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: NOW + LIMIT.windowMs });
  });

  it('counts in the open window without moving its end', async () => {
    const store = new FakeOtpStore();
    const windowEnd = NOW + 60_000;
    store.counters.set(KEY, { count: 1, windowEnd });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, { count: 1, windowEnd });

    expect(allowance).toEqual({ allowed: true, windowEnd });
    expect(store.counters.get(KEY)).toEqual({ count: 2, windowEnd });
  });

  it('refuses with the seconds left in the window, rounded up, once the window is full', async () => {
    const store = new FakeOtpStore();
    const state = { count: 3, windowEnd: NOW + 90_500 };
    store.counters.set(KEY, { ...state });
    const countInWindow = jest.spyOn(store, 'countInWindow');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, state);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 91 });
    expect(countInWindow).not.toHaveBeenCalled();
    expect(store.counters.get(KEY)).toEqual(state);
  });

  it('says at least one second in Retry-After when the window ends within the second', async () => {
    const store = new FakeOtpStore();
    const state = { count: 3, windowEnd: NOW + 1 };
    store.counters.set(KEY, { ...state });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, state);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('finds a full window itself when the counter was not read beforehand', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, { count: 3, windowEnd: NOW + 5_000 });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(store.counters.get(KEY)?.count).toBe(3);
  });

  it('treats an expired window as absent although its item still exists', async () => {
    const store = new FakeOtpStore();
    const expired = { count: 3, windowEnd: NOW - 1 };
    store.counters.set(KEY, { ...expired });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, expired);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: NOW + LIMIT.windowMs });
  });

  it('treats a window that ends exactly now as closed', async () => {
    const store = new FakeOtpStore();
    const ending = { count: 3, windowEnd: NOW };
    store.counters.set(KEY, { ...ending });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, ending);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
  });

  it('still counts a window that ends one millisecond after now', async () => {
    const store = new FakeOtpStore();
    const open = { count: 1, windowEnd: NOW + 1 };
    store.counters.set(KEY, { ...open });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, open);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + 1 });
    expect(store.counters.get(KEY)?.count).toBe(2);
  });

  it('re-reads and counts in the window another request opened first', async () => {
    const store = new FakeOtpStore();
    const theirs = NOW + 5_000;
    jest.spyOn(store, 'openWindow').mockImplementationOnce(async () => {
      store.counters.set(KEY, { count: 1, windowEnd: theirs });
      return false;
    });
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, null);

    expect(allowance).toEqual({ allowed: true, windowEnd: theirs });
    expect(readCounter).toHaveBeenCalledTimes(1);
    expect(store.counters.get(KEY)).toEqual({ count: 2, windowEnd: theirs });
  });

  it('re-reads and refuses when other requests filled the window it meant to count in', async () => {
    const store = new FakeOtpStore();
    const seen = { count: 2, windowEnd: NOW + 30_000 };
    store.counters.set(KEY, { count: 3, windowEnd: seen.windowEnd });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, seen);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(store.counters.get(KEY)?.count).toBe(3);
  });

  it('opens a new window when the one it saw closed before its write', async () => {
    const store = new FakeOtpStore();
    const seen = { count: 1, windowEnd: NOW + 1_000 };
    jest.spyOn(store, 'countInWindow').mockResolvedValueOnce(undefined);

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, seen);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual({ count: 1, windowEnd: NOW + LIMIT.windowMs });
  });

  it('gives up with ServiceUnavailableError when every attempt loses a race', async () => {
    const store = new FakeOtpStore();
    const openWindow = jest.spyOn(store, 'openWindow').mockResolvedValue(false);
    jest.spyOn(store, 'readCounter').mockResolvedValue(undefined);

    await expect(takeAllowance(store, KEY, LIMIT, NOW)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(openWindow).toHaveBeenCalledTimes(4);
  });

  it('gives up after the same number of attempts when counting keeps failing in an open window', async () => {
    const store = new FakeOtpStore();
    const open = { count: 1, windowEnd: NOW + 60_000 };
    const countInWindow = jest.spyOn(store, 'countInWindow').mockResolvedValue(undefined);
    jest.spyOn(store, 'readCounter').mockResolvedValue(open);

    await expect(takeAllowance(store, KEY, LIMIT, NOW, open)).rejects.toMatchObject({ httpStatus: 503, code: 1503 });
    expect(countInWindow).toHaveBeenCalledTimes(4);
  });

  it('lets exactly maxCount of many concurrent takers through', async () => {
    const store = new FakeOtpStore();

    const results = await Promise.all(Array.from({ length: 20 }, () => takeAllowance(store, KEY, LIMIT, NOW)));

    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    expect(results.filter((r) => !r.allowed)).toHaveLength(17);
    expect(store.counters.get(KEY)?.count).toBe(3);
  });
});
