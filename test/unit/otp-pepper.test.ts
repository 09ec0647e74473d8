import { mockClient } from 'aws-sdk-client-mock';
import { loadWithPepperSecret, PEPPER_SECRET_ARN as SECRET_ARN } from '../support/isolated-modules';

type Pepper = typeof import('../../functions/shared/otp-pepper');
type Clients = typeof import('../../functions/shared/aws-clients');
type SecretsSdk = typeof import('@aws-sdk/client-secrets-manager');

interface OnAws {
  otpPepper: Pepper['otpPepper'];
  secretsManager: Clients['secretsManager'];
  /** From the same module registry as the client, so that the mock matches its commands. */
  GetSecretValueCommand: SecretsSdk['GetSecretValueCommand'];
}

/** The pepper module as a function on AWS loads it. */
const loadOnAws = (): Promise<OnAws> =>
  loadWithPepperSecret(async () => {
    const { secretsManager } = await import('../../functions/shared/aws-clients');
    const { otpPepper } = await import('../../functions/shared/otp-pepper');
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    return { otpPepper, secretsManager, GetSecretValueCommand };
  });

describe('otpPepper', () => {
  it('reads the pepper once, through the service client with its timeouts, and keeps it', async () => {
    const { otpPepper, secretsManager, GetSecretValueCommand } = await loadOnAws();
    const secrets = mockClient(secretsManager);
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'pepper-of-at-least-16' });

    const values = [await otpPepper(), await otpPepper()];

    expect(values).toEqual(['pepper-of-at-least-16', 'pepper-of-at-least-16']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('asks again on the next request after a failed read', async () => {
    const { otpPepper, secretsManager, GetSecretValueCommand } = await loadOnAws();
    const secrets = mockClient(secretsManager);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: 'pepper-of-at-least-16' });

    await expect(otpPepper()).rejects.toThrow('Rate exceeded');

    expect(await otpPepper()).toBe('pepper-of-at-least-16');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a pepper shorter than 16 characters', async () => {
    const { otpPepper, secretsManager, GetSecretValueCommand } = await loadOnAws();
    mockClient(secretsManager).on(GetSecretValueCommand).resolves({ SecretString: 'short' });

    await expect(otpPepper()).rejects.toThrow('empty or too short');
  });
});
