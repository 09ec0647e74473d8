import { counterKey, takeAllowance } from '../../functions/domain/rate-limiter';
import { ServiceUnavailableError } from '../../functions/shared/errors';
import { FakeOtpStore } from '../support/fake-otp-store';

const KEY = counterKey('acme', '+18767431754');
const LIMIT = { maxCount: 3, windowMs: 10 * 60_000 };
const NOW = 1_700_000_000_000;
const TAKE = 'take-1';

/** A counter as the store holds it; `takes` are other requests' unless given. */
const counter = (count: number, windowEnd: number, takes: string[] = Array.from({ length: count }, (_, i) => `other-${i}`)) => ({ count, windowEnd, takes });

describe('counterKey', () => {
  it('joins the brand and the destination', () => {
    expect(counterKey('acme', 'jane@example.com')).toBe('acme#jane@example.com');
  });
});

describe('takeAllowance', () => {
  it('opens a window of windowMs with count 1 when there is no counter', async () => {
    const store = new FakeOtpStore();

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual(counter(1, NOW + LIMIT.windowMs, [TAKE]));
  });

  it('counts in the open window without moving its end', async () => {
    const store = new FakeOtpStore();
    const windowEnd = NOW + 60_000;
    store.counters.set(KEY, counter(1, windowEnd));

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, counter(1, windowEnd));

    expect(allowance).toEqual({ allowed: true, windowEnd });
    expect(store.counters.get(KEY)).toEqual(counter(2, windowEnd, ['other-0', TAKE]));
  });

  it('refuses with the seconds left in the window, rounded up, once the window is full', async () => {
    const store = new FakeOtpStore();
    const state = counter(3, NOW + 90_500);
    store.counters.set(KEY, { ...state });
    const countInWindow = jest.spyOn(store, 'countInWindow');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, state);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 91 });
    expect(countInWindow).not.toHaveBeenCalled();
    expect(store.counters.get(KEY)).toEqual(state);
  });

  it('says at least one second in Retry-After when the window ends within the second', async () => {
    const store = new FakeOtpStore();
    const state = counter(3, NOW + 1);
    store.counters.set(KEY, { ...state });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, state);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('finds a full window itself when the counter was not read beforehand', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, counter(3, NOW + 5_000));

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(store.counters.get(KEY)?.count).toBe(3);
  });

  it('treats an expired window as absent although its item still exists', async () => {
    const store = new FakeOtpStore();
    const expired = counter(3, NOW - 1);
    store.counters.set(KEY, { ...expired });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, expired);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual(counter(1, NOW + LIMIT.windowMs, [TAKE]));
  });

  it('treats a window that ends exactly now as closed', async () => {
    const store = new FakeOtpStore();
    const ending = counter(3, NOW);
    store.counters.set(KEY, { ...ending });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, ending);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
  });

  it('still counts a window that ends one millisecond after now', async () => {
    const store = new FakeOtpStore();
    const open = counter(1, NOW + 1);
    store.counters.set(KEY, { ...open });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, open);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + 1 });
    expect(store.counters.get(KEY)?.count).toBe(2);
  });

  it('counts in the window another request opened first, without reading it, when the failed open returns nothing', async () => {
    const store = new FakeOtpStore();
    const theirs = NOW + 5_000;
    // dynalite's answer: the condition failed, and no item comes back with it.
    jest.spyOn(store, 'openWindow').mockImplementationOnce(async () => {
      store.counters.set(KEY, counter(1, theirs));
      return { opened: false };
    });
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, null);

    expect(allowance).toEqual({ allowed: true, windowEnd: theirs });
    expect(readCounter).not.toHaveBeenCalled();
    expect(store.counters.get(KEY)).toEqual(counter(2, theirs, ['other-0', TAKE]));
  });

  it('sends the open and the count side by side for a counter it did not read, and the count applies in an open window', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, counter(1, NOW + 60_000));
    const calls: string[] = [];
    const fakeOpen = FakeOtpStore.prototype.openWindow.bind(store);
    const fakeCount = FakeOtpStore.prototype.countInWindow.bind(store);
    jest.spyOn(store, 'openWindow').mockImplementation(async (...args) => {
      calls.push('open sent');
      await new Promise((resolve) => setImmediate(resolve));
      calls.push('open answered');
      return fakeOpen(...args);
    });
    jest.spyOn(store, 'countInWindow').mockImplementation(async (...args) => {
      calls.push('count sent');
      return fakeCount(...args);
    });
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + 60_000 });
    expect(calls).toEqual(['open sent', 'count sent', 'open answered']);
    expect(readCounter).not.toHaveBeenCalled();
    expect(store.counters.get(KEY)?.count).toBe(2);
  });

  it('counts the request when its count applied although the open beside it failed with an error', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, counter(1, NOW + 60_000));
    jest.spyOn(store, 'openWindow').mockRejectedValueOnce(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + 60_000 });
    expect(store.counters.get(KEY)?.takes).toContain(TAKE);
  });

  it('throws the error of a write beside one that did not apply, for the caller to refund', async () => {
    const store = new FakeOtpStore();
    const throttled = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    jest.spyOn(store, 'countInWindow').mockRejectedValueOnce(throttled);
    jest.spyOn(store, 'openWindow').mockResolvedValueOnce({ opened: false });

    await expect(takeAllowance(store, KEY, LIMIT, NOW, TAKE)).rejects.toBe(throttled);
  });

  it('refuses on the full window it reads once both writes failed, with no second round of writes', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, counter(3, NOW + 30_000));
    const openWindow = jest.spyOn(store, 'openWindow');
    const countInWindow = jest.spyOn(store, 'countInWindow');
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(openWindow).toHaveBeenCalledTimes(1);
    expect(countInWindow).toHaveBeenCalledTimes(1);
    expect(readCounter).toHaveBeenCalledTimes(1);
  });

  it('counts a request whose count beside the open was applied but lost, though the open returned the window full from before it', async () => {
    const store = new FakeOtpStore();
    const windowEnd = NOW + 30_000;
    store.counters.set(KEY, counter(3, windowEnd));
    jest.spyOn(store, 'openWindow').mockResolvedValueOnce({ opened: false, current: counter(3, windowEnd) });
    const applyThenLose = FakeOtpStore.prototype.countInWindow.bind(store);
    jest.spyOn(store, 'countInWindow').mockImplementationOnce(async (...args) => {
      // Another request's refund frees a place, this count takes it, and its answer is lost.
      store.counters.set(KEY, counter(2, windowEnd));
      await applyThenLose(...args);
      return undefined;
    });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: true, windowEnd });
    expect(store.counters.get(KEY)).toEqual(counter(3, windowEnd, ['other-0', 'other-1', TAKE]));
  });

  it('decides on a full window its last failed open returned, instead of giving up', async () => {
    const store = new FakeOtpStore();
    const full = counter(3, NOW + 30_000);
    jest.spyOn(store, 'countInWindow').mockResolvedValue(undefined);
    jest.spyOn(store, 'readCounter').mockResolvedValue(counter(1, NOW - 1));
    const openWindow = jest
      .spyOn(store, 'openWindow')
      .mockResolvedValueOnce({ opened: false })
      .mockResolvedValueOnce({ opened: false })
      .mockResolvedValueOnce({ opened: false })
      .mockResolvedValueOnce({ opened: false, current: full });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(openWindow).toHaveBeenCalledTimes(4);
    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('reads and refuses when the window it did not read is full and the failed open returns nothing', async () => {
    const store = new FakeOtpStore();
    store.counters.set(KEY, counter(3, NOW + 30_000));
    jest.spyOn(store, 'openWindow').mockResolvedValueOnce({ opened: false });
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(readCounter).toHaveBeenCalledTimes(1);
    expect(store.counters.get(KEY)?.count).toBe(3);
  });

  it('re-reads and refuses when other requests filled the window it meant to count in', async () => {
    const store = new FakeOtpStore();
    const seen = counter(2, NOW + 30_000);
    store.counters.set(KEY, counter(3, seen.windowEnd));

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, seen);

    expect(allowance).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(store.counters.get(KEY)?.count).toBe(3);
  });

  it('opens a new window when the one it saw closed before its write', async () => {
    const store = new FakeOtpStore();
    const seen = counter(1, NOW + 1_000);
    jest.spyOn(store, 'countInWindow').mockResolvedValueOnce(undefined);

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, seen);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(store.counters.get(KEY)).toEqual(counter(1, NOW + LIMIT.windowMs, [TAKE]));
  });

  it('gives up with ServiceUnavailableError when every attempt loses a race', async () => {
    const store = new FakeOtpStore();
    const openWindow = jest.spyOn(store, 'openWindow').mockResolvedValue({ opened: false });
    jest.spyOn(store, 'readCounter').mockResolvedValue(undefined);

    await expect(takeAllowance(store, KEY, LIMIT, NOW, TAKE)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(openWindow).toHaveBeenCalledTimes(4);
  });

  it('gives up after the same number of attempts when counting keeps failing in an open window', async () => {
    const store = new FakeOtpStore();
    const open = counter(1, NOW + 60_000);
    store.counters.set(KEY, { ...open });
    const countInWindow = jest.spyOn(store, 'countInWindow').mockResolvedValue(undefined);

    await expect(takeAllowance(store, KEY, LIMIT, NOW, TAKE, open)).rejects.toMatchObject({ httpStatus: 503, code: 1503 });
    expect(countInWindow).toHaveBeenCalledTimes(4);
  });

  it('finds its own take and counts nothing more when its count was applied but the answer was lost', async () => {
    const store = new FakeOtpStore();
    const windowEnd = NOW + 60_000;
    store.counters.set(KEY, counter(1, windowEnd));
    const applyThenLose = FakeOtpStore.prototype.countInWindow.bind(store);
    // What the SDK's retry sees after the first attempt was applied: the condition now fails.
    jest.spyOn(store, 'countInWindow').mockImplementationOnce(async (...args) => {
      await applyThenLose(...args);
      return undefined;
    });

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, counter(1, windowEnd));

    expect(allowance).toEqual({ allowed: true, windowEnd });
    expect(store.counters.get(KEY)).toEqual(counter(2, windowEnd, ['other-0', TAKE]));
  });

  it('finds the window it opened itself in what the resent open returned, when the answer to opening it was lost', async () => {
    const store = new FakeOtpStore();
    const applyThenSendAgain = FakeOtpStore.prototype.openWindow.bind(store);
    // The SDK's resend of an applied open fails its condition and returns the window it made.
    jest.spyOn(store, 'openWindow').mockImplementationOnce(async (...args) => {
      await applyThenSendAgain(...args);
      return applyThenSendAgain(...args);
    });
    const countInWindow = jest.spyOn(store, 'countInWindow');
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, null);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    expect(countInWindow).not.toHaveBeenCalled();
    expect(readCounter).not.toHaveBeenCalled();
    expect(store.counters.get(KEY)).toEqual(counter(1, NOW + LIMIT.windowMs, [TAKE]));
  });

  it('finds the window it opened itself when the answer to opening it was lost and the failed open returns nothing', async () => {
    const store = new FakeOtpStore();
    const fakeOpen = FakeOtpStore.prototype.openWindow.bind(store);
    // As dynalite answers: a failed open returns no window.
    jest
      .spyOn(store, 'openWindow')
      .mockImplementation(async (...args) => ((await fakeOpen(...args)).opened ? { opened: true } : { opened: false }))
      .mockImplementationOnce(async (...args) => {
        await fakeOpen(...args);
        return { opened: false };
      });
    const countInWindow = jest.spyOn(store, 'countInWindow');
    const readCounter = jest.spyOn(store, 'readCounter');

    const allowance = await takeAllowance(store, KEY, LIMIT, NOW, TAKE, null);

    expect(allowance).toEqual({ allowed: true, windowEnd: NOW + LIMIT.windowMs });
    // The next round sends both writes; both fail on the window holding the take, and the read finds it.
    expect(countInWindow).toHaveBeenCalledTimes(1);
    expect(readCounter).toHaveBeenCalledTimes(1);
    expect(store.counters.get(KEY)).toEqual(counter(1, NOW + LIMIT.windowMs, [TAKE]));
  });

  it('lets exactly maxCount of many concurrent takers through', async () => {
    const store = new FakeOtpStore();

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => takeAllowance(store, KEY, LIMIT, NOW, `take-${i}`)));

    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    expect(results.filter((r) => !r.allowed)).toHaveLength(17);
    expect(store.counters.get(KEY)?.count).toBe(3);
  });
});
