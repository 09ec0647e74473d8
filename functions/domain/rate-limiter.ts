import { ServiceUnavailableError } from '../shared/errors';
import type { CounterState, CounterStore } from './ports';

export interface RateLimit {
  maxCount: number;
  windowMs: number;
}

export type Allowance = { allowed: true; windowEnd: number } | { allowed: false; retryAfterSeconds: number };

/** Attempts before giving up under contention; each lost race means another request won. */
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
 * absent; undefined: not read), which lets the common case finish in one write; unread,
 * it takes two writes once a window is open (an open that fails, then the count).
 */
export async function takeAllowance(
  store: CounterStore,
  key: string,
  limit: RateLimit,
  now: number,
  takeId: string,
  observed?: CounterState | null,
): Promise<Allowance> {
  let state: CounterState | undefined | null = observed;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let window = state && state.windowEnd > now ? state : undefined;
    if (!window) {
      const windowEnd = now + limit.windowMs;
      const opening = await store.openWindow(key, windowEnd, now, takeId);
      if (opening.opened) return { allowed: true, windowEnd };
      // The open's condition failed, so a window is open (its counter was not read first,
      // or another request opened it since): decide on it as DynamoDB returned it.
      window = opening.current;
    }
    if (window) {
      if (window.takes.includes(takeId)) return { allowed: true, windowEnd: window.windowEnd };
      if (window.count >= limit.maxCount) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.windowEnd - now) / 1000)) };
      }
    }
    // In the window seen, or (when the failed open returned none) in whichever is open.
    const counted = await store.countInWindow(key, limit.maxCount, now, takeId);
    if (counted) return { allowed: true, windowEnd: counted.windowEnd };
    state = await store.readCounter(key);
  }
  throw new ServiceUnavailableError();
}
