import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { InternalErrorException, OptedOutException, ThrottledException, InvalidParameterException } from '@aws-sdk/client-sns';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/** A command as the document client receives it. */
export type AnyCommand = { constructor: unknown; input: Record<string, unknown> };
type Send = (command: AnyCommand) => Promise<unknown>;

/** What the SDK throws after its retries, for each kind of trouble. */
export const DYNAMO_FAULTS: Record<string, () => Error> = {
  ProvisionedThroughputExceededException: () =>
    new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', $metadata: { httpStatusCode: 400 } }),
  ThrottlingException: () =>
    Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    }),
  // What @smithy/node-http-handler throws when requestTimeout passes.
  TimeoutError: () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }),
  InternalServerError: () => new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } }),
};

/** What any AWS client (Secrets Manager and KMS as much as DynamoDB) throws when throttled or timed out. */
export const COMMON_OUTAGES = {
  ThrottlingException: DYNAMO_FAULTS.ThrottlingException as () => Error,
  TimeoutError: DYNAMO_FAULTS.TimeoutError as () => Error,
};

export const SNS_OUTAGES: Record<string, () => Error> = {
  ThrottledException: () => new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
  InternalErrorException: () => new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }),
  TimeoutError: () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }),
};

/** SNS refusing the number itself: the customer's to fix, not an outage. */
export const SNS_REFUSALS: Record<string, (phone: string) => Error> = {
  OptedOutException: (phone) => new OptedOutException({ message: `Phone number ${phone} is opted out`, $metadata: { httpStatusCode: 400 } }),
  'InvalidParameterException (PhoneNumber)': (phone) =>
    new InvalidParameterException({ message: `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`, $metadata: { httpStatusCode: 400 } }),
};

const pkOf = (command: AnyCommand) => String((command.input.Key as { pk?: string } | undefined)?.pk ?? '');
const updateExpression = (command: AnyCommand) => String(command.input.UpdateExpression ?? '');
const isCounterWrite = (c: AnyCommand) => c instanceof UpdateCommand && pkOf(c).startsWith('OTPCOUNT#') && !updateExpression(c).includes('- :one');

/** The DynamoDB calls of the OTP paths, told apart by command, key and expression. */
export const CALLS = {
  batchGet: (c: AnyCommand) => c instanceof BatchGetCommand,
  counterRead: (c: AnyCommand) => c instanceof GetCommand && pkOf(c).startsWith('OTPCOUNT#'),
  callerLookup: (c: AnyCommand) => c instanceof GetCommand && /^(CREDENTIAL|OAUTH_ISSUER)#/.test(pkOf(c)),
  counterWrite: isCounterWrite,
  /** The counter write that counts into an open window (countInWindow), not the one that opens it. */
  countInWindow: (c: AnyCommand) => isCounterWrite(c) && updateExpression(c).includes('+ :one'),
  refund: (c: AnyCommand) => c instanceof UpdateCommand && pkOf(c).startsWith('OTPCOUNT#') && updateExpression(c).includes('- :one'),
  saveOtp: (c: AnyCommand) => c instanceof UpdateCommand && pkOf(c).startsWith('SESSION#') && updateExpression(c).startsWith('SET otpHash = :hash,'),
  discardOtp: (c: AnyCommand) => c instanceof UpdateCommand && updateExpression(c).startsWith('REMOVE otpHash'),
  recordWrongTry: (c: AnyCommand) => c instanceof UpdateCommand && updateExpression(c).includes('otpWrongTries :one'),
  putRefreshKey: (c: AnyCommand) => c instanceof PutCommand && String((c.input.Item as { pk?: string }).pk).startsWith('REFRESH#'),
  consumeOtp: (c: AnyCommand) => c instanceof UpdateCommand && updateExpression(c).startsWith('SET consumedBy'),
  discardRefreshKey: (c: AnyCommand) => c instanceof DeleteCommand && pkOf(c).startsWith('REFRESH#'),
  /** A session read by itself: validate's re-read, and the look after a failed condition on a wrong try or a consume. */
  sessionRead: (c: AnyCommand) => c instanceof GetCommand && pkOf(c).startsWith('SESSION#'),
  /** The look at a refresh key after its put failed its condition (a resend of a put that was applied). */
  refreshKeyRead: (c: AnyCommand) => c instanceof GetCommand && pkOf(c).startsWith('REFRESH#'),
} satisfies Record<string, (command: AnyCommand) => boolean>;

export type CallName = keyof typeof CALLS;

export interface Injection {
  /** How many times the fault was thrown: a test asserts it, so that it cannot pass without one. */
  readonly thrown: number;
  /** Every command sent while the injection was in place, in order. */
  readonly commands: AnyCommand[];
  /** Puts the client back as it was (jest.restoreAllMocks() does too). */
  restore(): void;
}

export interface FaultRule {
  call: CallName;
  fault: () => Error;
  /** Which matching call fails (1 = the first). */
  nth?: number;
  /** Every matching call fails, not only the nth: a write throttled for as long as the test runs. */
  always?: boolean;
  /** Let the call reach DynamoDB first, then fail: a write that was applied but whose answer was lost. */
  afterApplying?: boolean;
}

/**
 * Makes the nth call of each rule's kind on `client` fail with its fault; every other
 * call goes to the real table. One spy for all rules; undone by jest.restoreAllMocks().
 */
export function injectDynamoFaults(client: DynamoDBDocumentClient, rules: FaultRule[]): Injection[] {
  const target = client as unknown as { send: Send };
  const original = target.send.bind(client);
  const commands: AnyCommand[] = [];
  const states = rules.map(() => ({ seen: 0, thrown: 0 }));
  const spy = jest.spyOn(target, 'send').mockImplementation(async (command: AnyCommand) => {
    commands.push(command);
    for (const [index, rule] of rules.entries()) {
      const state = states[index] as { seen: number; thrown: number };
      if (!CALLS[rule.call](command) || (++state.seen !== (rule.nth ?? 1) && !rule.always)) continue;
      state.thrown++;
      if (rule.afterApplying) await original(command);
      throw rule.fault();
    }
    return original(command);
  });
  return states.map((state) => ({
    get thrown() {
      return state.thrown;
    },
    commands,
    restore: () => spy.mockRestore(),
  }));
}

export function injectDynamoFault(
  client: DynamoDBDocumentClient,
  call: CallName,
  fault: () => Error,
  options: Pick<FaultRule, 'nth' | 'always' | 'afterApplying'> = {},
): Injection {
  return injectDynamoFaults(client, [{ call, fault, ...options }])[0] as Injection;
}

/** A request as the client's HTTP handler receives it. */
type HttpRequest = { headers: Record<string, string>; body?: unknown };
type Handle = (request: HttpRequest, options?: unknown) => Promise<unknown>;

export interface LostAnswer {
  /** How many times the matching request reached the table. */
  readonly attempts: number;
  /** Puts the HTTP handler back, leaving every other spy (a log capture) in place. */
  restore(): void;
}

const bodyText = (body: unknown) =>
  typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';

/**
 * Below the SDK's retries: the first request that `matches` (DynamoDB target such as
 * `UpdateItem`, and the JSON body) reaches the table, its answer is lost as a request
 * timeout loses it, and the same request is sent again, as the SDK's retry strategy
 * sends it (the tests run with SDK_MAX_ATTEMPTS=1, so the client itself would not).
 * The caller gets the answer to the second sending.
 */
export function loseFirstAnswer(client: { config: { requestHandler: unknown } }, matches: (target: string, body: string) => boolean): LostAnswer {
  const handler = client.config.requestHandler as { handle: Handle };
  const original = handler.handle.bind(handler);
  let attempts = 0;
  const spy = jest.spyOn(handler, 'handle').mockImplementation(async (request, options) => {
    const target = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    if (attempts > 0 || !matches(target, bodyText(request.body))) return original(request, options);
    attempts++;
    await original(request, options);
    attempts++;
    return original(request, options);
  });
  return {
    get attempts() {
      return attempts;
    },
    restore: () => spy.mockRestore(),
  };
}

export interface Race {
  /** How many times `change` ran: once, when the matching request came. */
  readonly ran: number;
  /** Puts the HTTP handler back, leaving every other spy (a log capture) in place. */
  restore(): void;
}

/**
 * Another request wins a race: `change` is applied to the table (through a client of its
 * own) just before the first request that `matches` (DynamoDB target and JSON body) reaches
 * it, below the SDK, so that the request's condition meets the table as `change` left it.
 */
export function raceAhead(
  client: { config: { requestHandler: unknown } },
  matches: (target: string, body: string) => boolean,
  change: () => Promise<unknown>,
): Race {
  const handler = client.config.requestHandler as { handle: Handle };
  const original = handler.handle.bind(handler);
  let ran = 0;
  const spy = jest.spyOn(handler, 'handle').mockImplementation(async (request, options) => {
    const target = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    if (ran === 0 && matches(target, bodyText(request.body))) {
      ran++;
      await change();
    }
    return original(request, options);
  });
  return {
    get ran() {
      return ran;
    },
    restore: () => spy.mockRestore(),
  };
}

/** Records every DynamoDB call by name, passing it through. */
export function recordDynamoCalls(client: DynamoDBDocumentClient): CallName[] {
  const target = client as unknown as { send: Send };
  const original = target.send.bind(client);
  const calls: CallName[] = [];
  jest.spyOn(target, 'send').mockImplementation(async (command: AnyCommand) => {
    const name = (Object.keys(CALLS) as CallName[]).find((key) => CALLS[key](command));
    if (name) calls.push(name);
    return original(command);
  });
  return calls;
}

export interface HeldBack {
  /** How many BatchGetItem requests the table was asked, and how many of them were held back. */
  readonly asked: number;
  readonly heldBack: number;
  /** How many of them failed with the fault given: a test asserts it, so that it cannot pass without one. */
  readonly thrown: number;
  /** Puts the client back, leaving every other spy (a log capture) in place. */
  restore(): void;
}

/**
 * DynamoDB throttling part of a batch: the first `rounds` BatchGetItem requests read
 * nothing and return every key as UnprocessedKeys; the next one fails with `fault` when
 * one is given (the retry for those keys throttled or timed out); later ones reach the table.
 */
export function holdBackBatchKeys(client: DynamoDBDocumentClient, rounds: number, fault?: () => Error): HeldBack {
  const target = client as unknown as { send: Send };
  const original = target.send.bind(client);
  let asked = 0;
  let heldBack = 0;
  let thrown = 0;
  const spy = jest.spyOn(target, 'send').mockImplementation(async (command: AnyCommand) => {
    if (!CALLS.batchGet(command)) return original(command);
    asked++;
    if (heldBack === rounds) {
      if (fault && thrown === 0) {
        thrown++;
        throw fault();
      }
      return original(command);
    }
    heldBack++;
    return { Responses: {}, UnprocessedKeys: command.input.RequestItems, $metadata: {} };
  });
  return {
    get asked() {
      return asked;
    },
    get heldBack() {
      return heldBack;
    },
    get thrown() {
      return thrown;
    },
    restore: () => spy.mockRestore(),
  };
}
