import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { dirname } from 'node:path';
import { isPhoneChannel, type Channel } from '../domain/brand-config';
import type { Identifier } from '../domain/identifiers';
import { config } from './config';
import { installSourceMappedStacks, runsFromBundle } from './source-mapped-stacks';

/**
 * Where API Gateway (REST, and the REQUEST authorizer's event) puts its request ID: the
 * value of Powertools' `correlationPaths.API_GATEWAY_REST`, spelled out so that the
 * bundles do not carry a JMESPath engine for one dotted path.
 */
const API_GATEWAY_REQUEST_ID = 'requestContext.requestId';

/** Resolves a dotted path such as `requestContext.requestId` in an event. */
export function searchPath(path: string, data: unknown): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Digits a masked number always hides, however short its numbering plan (Niue's have seven). */
const HIDDEN_DIGITS = 5;

/**
 * `+18767431754` → `+1876*****54`: enough to tell numbers apart in a log, not to dial one.
 * At most the first four digits and the last two are shown, fewer where that would leave
 * fewer than five hidden: `+6834002` → `+6*****2`.
 */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  const hidden = Math.max(HIDDEN_DIGITS, phone.length - 7);
  const shown = phone.length - hidden;
  const tail = Math.min(2, Math.floor((shown - 1) / 2));
  return phone.slice(0, shown - tail) + '*'.repeat(hidden) + phone.slice(phone.length - tail);
}

/** `jane.doe@example.com` → `j*******@example.com`; a one-letter local part is masked whole. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '*'.repeat(email.length);
  if (at === 1) return `*${email.slice(at)}`;
  return email[0] + '*'.repeat(at - 1) + email.slice(at);
}

/** Masks where an OTP went: a number (SMS, WHATSAPP, ZALO) or an address (EMAIL). */
export function maskDestination(channel: Channel, to: string): string {
  return isPhoneChannel(channel) ? maskPhone(to) : maskEmail(to);
}

/** Masks a customer's identifier: a number or an address as such, a username or external ID kept only as a length. */
export function maskIdentifier({ type, value }: Identifier): string {
  if (type === 'MOBILE') return maskPhone(value);
  if (type === 'EMAIL') return maskEmail(value);
  return `<${value.length} chars>`;
}

// An E.164 number (as SDK error messages quote them) and an e-mail address, anywhere in a string.
const PHONE_IN_TEXT = /\+[1-9]\d{6,14}/g;
// No `/` in the domain: a stack frame's path through a scoped package (node_modules/@smithy/...) is no address.
const EMAIL_IN_TEXT = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:/]+\.[A-Za-z]{2,}/g;

/**
 * The last line of defence for what is written: masks any phone number or e-mail address
 * in any string of a log line, error messages and stacks included (a dependency's error
 * may quote the number it refused). Handlers mask what they log themselves.
 */
export function maskPersonalData(_key: string, value: unknown): unknown {
  // Nothing shorter can hold an address (a@b.co) or a number (+ and seven digits).
  if (typeof value !== 'string' || value.length < 6) return value;
  // Called for every key of every line: each pattern runs only where it can match (the
  // address pattern is the costly one, and a masked number such as +1876*****54 has no @).
  let masked = value;
  if (masked.includes('+')) masked = masked.replace(PHONE_IN_TEXT, maskPhone);
  if (masked.includes('@')) masked = masked.replace(EMAIL_IN_TEXT, maskEmail);
  return masked;
}

// Every function logs through this module, so its bundle's errors are logged at their sources.
if (runsFromBundle(__filename)) installSourceMappedStacks(dirname(__filename));

export const logger = new Logger({
  serviceName: config.POWERTOOLS_SERVICE_NAME,
  correlationIdSearchFn: searchPath,
  jsonReplacerFn: maskPersonalData,
});

/**
 * The Lambda context and the API Gateway request ID (`correlation_id`) on every line of a
 * request, and its keys dropped once the answer or the error is out.
 */
export const logContext = () => injectLambdaContext(logger, { resetKeys: true, correlationIdPath: API_GATEWAY_REQUEST_ID });

/**
 * The keys that tie a line to its request, read as the request starts. A request can
 * outlive its answer (middy answers at the route's deadline while the handler runs on,
 * and Lambda resumes it in the next invocation), and a line it writes after that would
 * otherwise carry the keys of whichever invocation is running by then.
 */
export function requestKeys(context: Pick<Context, 'awsRequestId'>): Record<string, string> {
  const correlationId = logger.getCorrelationId();
  return { function_request_id: context.awsRequestId, ...(typeof correlationId === 'string' ? { correlation_id: correlationId } : {}) };
}
