import { ServiceUnavailableError } from '../shared/errors';

/**
 * Refuses to start a step once the route has answered for the request by itself (a 503
 * just before the function's timeout, functions/shared/route-options.ts): work left
 * running after that answer must not send an OTP or spend one that its client was told failed.
 */
export function assertBeforeDeadline(deadline: number | undefined, now: () => number): void {
  if (deadline !== undefined && now() >= deadline) throw new ServiceUnavailableError();
}
