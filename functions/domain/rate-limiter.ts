import { ServiceUnavailableError } from '../shared/errors';
import type { CounterState, CounterStore } from './ports';

export interface RateLimit {
  maxCount: number;
  windowMs: number;
}

export type Allowance = { allowed: true; windowEnd: number } | { allowed: false; retryAfterSeconds: number };

/** Rounds of writes before giving up: a round fails when the window changed under it. */
const MAX_ATTEMPTS = 4;

export function counterKey(brand: string, destination: string): string {
  return `${brand}#${destination}`;
}

/**
 * Takes one OTP from the destination's allowance: a window of `windowMs` that opens
 * with the first OTP and holds at most `maxCount`. Every change is one conditional
 * write, so the count stays exact across concurrent requests and instances; an
 * expired window counts as absent whether or not DynamoDB has deleted it yet.
 *
 * `takeId` is unique to the request: a write that was applied but whose answer was lost
 * (and that the SDK may have sent again) is found by it instead of being counted twice.
 * `observed` is the counter as read in the request's first round trip (null: read,
 * absent; undefined: not read). Read, it picks the one write that applies: an open, or a
 * count in the open window. Unread, both are sent side by side, so a request whose counter
 * key was not known in time still takes one round trip: their conditions exclude each
 * other (a window is closed or open, and a count fails on a take already in it), so at
 * most one applies. A full window is refused after a read (a failed count) or on the
 * window a failed open returned, never on a guess. `beforeRetry` runs before every round
 * after the first and may throw to stop (a deadline).
 */
export async function takeAllowance(
  store: CounterStore,
  key: string,
  limit: RateLimit,
  now: number,
  takeId: string,
  observed?: CounterState | null,
  beforeRetry?: () => void,
): Promise<Allowance> {
  let state: CounterState | undefined | null = observed;
  for (let attempt = 0; ; attempt++) {
    const window = state && state.windowEnd > now ? state : undefined;
    if (window?.takes.includes(takeId)) return { allowed: true, windowEnd: window.windowEnd };
    if (window && window.count >= limit.maxCount) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.windowEnd - now) / 1000)) };
    }
    if (attempt === MAX_ATTEMPTS) throw new ServiceUnavailableError();
    if (attempt > 0) beforeRetry?.();

    const windowEnd = now + limit.windowMs;
    const open = !window;
    const count = state === undefined || window !== undefined;
    const [opening, counted] = await Promise.allSettled([
      open ? store.openWindow(key, windowEnd, now, takeId) : undefined,
      count ? store.countInWindow(key, limit.maxCount, now, takeId) : undefined,
    ]);
    if (opening.status === 'fulfilled' && opening.value?.opened) return { allowed: true, windowEnd };
    if (counted.status === 'fulfilled' && counted.value) return { allowed: true, windowEnd: counted.value.windowEnd };
    // Neither applied, or one failed with an error and may have been: the caller refunds the take.
    if (opening.status === 'rejected') throw opening.reason;
    if (counted.status === 'rejected') throw counted.reason;
    if (count) {
      // A failed count may be the SDK's resend of one that was applied: only a read taken
      // after it shows the window as it is (a window returned by an open beside it may predate it).
      state = (await store.readCounter(key)) ?? null;
    } else {
      // A failed open returns the open window with it; dynalite returns none: try both next.
      state = opening.value && !opening.value.opened ? opening.value.current : undefined;
    }
  }
}
