import type { Context } from 'aws-lambda';

/**
 * middy's options for every route. Half a second before the function's timeout, whatever
 * the request still waits for (a dependency that never answers, a compensation after a
 * slow failure) is given up and middy's TimeoutError answered as an outage, 503/1503 with
 * Retry-After, while there is time to send it: API Gateway never sees the function time out.
 */
export const ROUTE_OPTIONS = { timeoutEarlyInMillis: 500 } as const;

/**
 * The epoch ms at which middy answers for this invocation by itself. middy only races the
 * handler, which runs on: the domains start no write after this (functions/domain/deadline.ts).
 */
export const answerDeadline = (context: Context): number | undefined =>
  // Outside Lambda a context may not know its time (middy then sets no timer either).
  typeof context.getRemainingTimeInMillis === 'function'
    ? Date.now() + context.getRemainingTimeInMillis() - ROUTE_OPTIONS.timeoutEarlyInMillis
    : undefined;
