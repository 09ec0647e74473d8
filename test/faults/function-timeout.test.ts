import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler as generateHandler } from '../../functions/otp-generate';
import { handler as validateHandler } from '../../functions/otp-validate';
import { documentClient } from '../../functions/shared/aws-clients';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { apiEvent } from '../support/api-events';
import { scanLogsOfEachTest } from '../support/log-scan';
import { generateBody, otpFixture } from '../support/otp-generate';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;

/** Lambda's deadline for these invocations: shorter than a DynamoDB call's own timeouts and retries. */
const FUNCTION_TIMEOUT_MS = 1500;

describe('a route whose dependency never answers within the function timeout', () => {
  const logs = scanLogsOfEachTest();

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each<[string, Handler, string]>([
    ['otp/generate', generateHandler as unknown as Handler, '/auth/v1/mfa/otp/generate'],
    ['otp/validate', validateHandler as unknown as Handler, '/auth/v1/mfa/otp/validate'],
  ])('%s answers 503/1503 with Retry-After before Lambda would stop it', async (_route, handler, path) => {
    const fixture = await otpFixture();
    // DynamoDB accepts the request and never answers (the SDK's own timeout is longer than the function's).
    jest.spyOn(documentClient, 'send').mockImplementation(() => new Promise(() => undefined));
    const event = apiEvent({ path, body: { ...generateBody(fixture), otp: '123456' }, caller: { brand: fixture.brand.brand } });
    const started = Date.now();

    const result = await handler(event, lambdaContext('test', FUNCTION_TIMEOUT_MS));

    expect(Date.now() - started).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
    expect(logs().text()).toContain('TimeoutError');
  });
});
