import { apiEvent, invoke } from '../support/api-events';
import { generateBody, otpFixture, outcome, sessionItem } from '../support/otp-generate';
import { scanLogsOfEachTest } from '../support/log-scan';
import { COMMON_OUTAGES } from '../support/fault-injection';
import { loadWithPepperSecret } from '../support/isolated-modules';

type SecretsSdk = typeof import('@aws-sdk/client-secrets-manager');
type Clients = typeof import('../../functions/shared/aws-clients');

interface OnAws {
  handler: unknown;
  secretsManager: Clients['secretsManager'];
  /** From the same module registry as the handler, so that the mock matches its commands. */
  GetSecretValueCommand: SecretsSdk['GetSecretValueCommand'];
}

/** A handler as it loads on AWS, with the client and command to mock its pepper read. */
const loadOnAws = (route: 'otp-generate' | 'otp-validate'): Promise<OnAws> =>
  loadWithPepperSecret(async () => {
    const { handler } = (await import(`../../functions/${route}`)) as { handler: unknown };
    const { secretsManager } = await import('../../functions/shared/aws-clients');
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    return { handler, secretsManager, GetSecretValueCommand };
  });

const OUTAGES: Record<string, () => Error> = {
  ...COMMON_OUTAGES,
  InternalServiceError: () => Object.assign(new Error('Internal error'), { name: 'InternalServiceError', $fault: 'server' }),
};

describe('the OTP pepper read under Secrets Manager faults', () => {
  const logs = scanLogsOfEachTest();

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe.each(['otp-generate', 'otp-validate'] as const)('%s', (route) => {
    it.each(Object.entries(OUTAGES))('answers 503/1503 with Retry-After when GetSecretValue fails with %s', async (_name, fault) => {
      const { handler, secretsManager, GetSecretValueCommand } = await loadOnAws(route);
      const { mockClient } = await import('aws-sdk-client-mock');
      const secrets = mockClient(secretsManager);
      secrets.on(GetSecretValueCommand).rejects(fault());
      const fixture = await otpFixture();
      const body = route === 'otp-generate' ? generateBody(fixture) : { ...generateBody(fixture), otp: '123456' };

      const answer = await invoke(handler, apiEvent({ body, caller: { brand: fixture.brand.brand } }));

      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(outcome(answer)).toEqual([503, 1503]);
      expect(answer.headers['Retry-After']).toBe('1');
      expect((await sessionItem(fixture.session))?.otpHash).toBeUndefined();
      expect(logs().text()).toContain('Request failed');
      secrets.restore();
    });
  });
});
