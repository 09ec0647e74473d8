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
    if (state && state.windowEnd > now) {
      if (state.takes.includes(takeId)) return { allowed: true, windowEnd: state.windowEnd };
      if (state.count >= limit.maxCount) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((state.windowEnd - now) / 1000)) };
      }
      const counted = await store.countInWindow(key, limit.maxCount, now, takeId);
      if (counted) return { allowed: true, windowEnd: counted.windowEnd };
    } else {
      const windowEnd = now + limit.windowMs;
      const opening = await store.openWindow(key, windowEnd, now, takeId);
      if (opening.opened) return { allowed: true, windowEnd };
      // The open's condition failed, so a window is open (its counter was not read first,
      // or another request opened it since). Decide on it as DynamoDB returned it, or else
      // count in it at once, and read it only if that fails too.
      if (opening.current) {
        state = opening.current;
        continue;
      }
      const counted = await store.countInWindow(key, limit.maxCount, now, takeId);
      if (counted) return { allowed: true, windowEnd: counted.windowEnd };
    }
    state = await store.readCounter(key);
  }
  throw new ServiceUnavailableError();
}
