import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import fc from 'fast-check';
import { newCredential } from '../../functions/domain/credentials';
import { handler } from '../../functions/authorizer';
import { logger } from '../../functions/shared/logger';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { seedBrand, testStore } from '../support/fixtures';
import { nasty } from '../support/fuzz';

/**
 * Generated Authorization headers against the REQUEST authorizer: a valid credential
 * is allowed for its own brand, and everything else is refused with exactly
 * 'Unauthorized' (API Gateway's 401 and its envelope); no other error (a 500) and no
 * allow for anything but the credential.
 */
const RUNS = 2500;
const store = testStore();
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/test/POST/auth/v1/mfa/otp/generate';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type Authorizer = (event: APIGatewayRequestAuthorizerEvent, context: unknown) => Promise<APIGatewayAuthorizerResult>;

describe('fuzzing the authorizer', () => {
  let valid: string;
  let clientId: string;
  let clientSecret: string;
  let brand: string;

  /** Whether a header value carries exactly the credential (Basic is case-insensitive, base64 decoded). */
  const carriesCredential = (value: string) => {
    const token = /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(value.trim())?.[1];
    return token !== undefined && Buffer.from(token, 'base64').toString('utf8') === `${clientId}:${clientSecret}`;
  };

  beforeAll(async () => {
    brand = (await seedBrand(store)).brand;
    const credential = newCredential(brand, ['customer:write']);
    await store.putCredential(credential.stored, Date.now());
    clientId = credential.stored.clientId;
    clientSecret = credential.clientSecret;
    valid = `Basic ${b64(`${clientId}:${credential.clientSecret}`)}`;
    for (const level of ['debug', 'info', 'warn'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
  });

  afterAll(() => {
    jest.restoreAllMocks();
  });

  it(`allows only the credential and refuses ${RUNS} generated headers with exactly 'Unauthorized'`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const clientIds = fc.oneof(fc.constant(clientId), fc.stringMatching(/^c_[0-9a-f]{24}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), nasty);
    const secrets = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 20 }), nasty);
    const scheme = fc.constantFrom('Basic', 'basic', 'BASIC', 'Basic  ', ' Basic', 'Bearer', 'bearer', 'Digest', '');
    const header = fc.oneof(
      { weight: 1, arbitrary: fc.constant(valid) },
      { weight: 1, arbitrary: fc.constantFrom(`basic ${valid.slice(6)}`, ` ${valid} `, `${valid}=`, `${valid}\u0000`, `${valid.slice(0, -1)}`) },
      { weight: 4, arbitrary: fc.tuple(scheme, clientIds, secrets).map(([s, id, secret]) => `${s} ${b64(`${id}:${secret}`)}`) },
      { weight: 2, arbitrary: fc.tuple(scheme, fc.oneof(fc.base64String(), fc.string({ maxLength: 80 }), nasty)).map(([s, rest]) => `${s} ${rest}`) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.oneof(fc.webUrl(), nasty, fc.string({ maxLength: 20 })), fc.string({ maxLength: 20 }), fc.base64String())
          .map(([iss, sub, signature]) => `Bearer ${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss, sub, exp: 4_102_444_800 })}.${signature.replace(/=+$/, '')}`),
      },
      { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), nasty, fc.constant('x'.repeat(5000)), fc.constant('Basic ' + 'A'.repeat(6000))) },
    );
    const names = fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'X-Authorization');
    let allowed = 0;

    await fc.assert(
      fc.asyncProperty(fc.option(fc.tuple(names, header), { freq: 20 }), async (pair) => {
        const headers = pair ? { [pair[0]]: pair[1] } : {};
        const event = { type: 'REQUEST', methodArn: METHOD_ARN, headers, requestContext: { requestId: 'fuzz' } } as unknown as APIGatewayRequestAuthorizerEvent;
        const outcome = await (handler as unknown as Authorizer)(event, lambdaContext('authorizer')).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        const isValid = pair !== null && pair[0].toLowerCase() === 'authorization' && carriesCredential(pair[1]);
        if ('result' in outcome) {
          if (!isValid) throw new Error(`allowed ${JSON.stringify(headers)}`);
          if (outcome.result.context?.brand !== brand || outcome.result.policyDocument.Statement[0]?.Effect !== 'Allow') {
            throw new Error(`wrong policy ${JSON.stringify(outcome.result)}`);
          }
          allowed++;
        } else if (!(outcome.error instanceof Error) || outcome.error.message !== 'Unauthorized' || isValid) {
          throw new Error(`refused ${JSON.stringify(headers)} with ${String(outcome.error)}`);
        }
      }),
      { numRuns: RUNS },
    );

    expect(errors).not.toHaveBeenCalled();
    expect(allowed).toBeGreaterThan(0);
  });
});
