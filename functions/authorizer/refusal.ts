/**
 * What the authorizer logs as it refuses a caller. It refuses by throwing (API Gateway's
 * only way to a 401), so the stack's errors alarm counts these lines to leave refusals
 * out (lib/monitoring.ts).
 */
export const REFUSAL_MESSAGE = 'Caller refused';
