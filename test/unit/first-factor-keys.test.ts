import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { secretsManager } from '../../functions/shared/aws-clients';
import { firstFactorKeys } from '../../functions/shared/first-factor-keys';

describe('firstFactorKeys', () => {
  // The service's own client (timeouts, bounded retries): a client built anywhere else would go unmocked and fail.
  const secretsMock = mockClient(secretsManager);

  beforeEach(() => {
    secretsMock.reset();
  });

  describe('hs256Secret', () => {
    it('reads the secret once and then serves it from the cache', async () => {
      secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'a-shared-secret-of-32-characters!' });

      const first = await firstFactorKeys.hs256Secret('arn:aws:secretsmanager:us-east-1:1:secret:brand-a');
      const second = await firstFactorKeys.hs256Secret('arn:aws:secretsmanager:us-east-1:1:secret:brand-a');

      expect([first, second]).toEqual(['a-shared-secret-of-32-characters!', 'a-shared-secret-of-32-characters!']);
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });

    it('refuses a secret shorter than 32 characters', async () => {
      secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'too-short' });

      await expect(firstFactorKeys.hs256Secret('brand-b')).rejects.toThrow('at least 32 characters');
    });
  });

  describe('jwks', () => {
    it('keeps one key resolver per URL', () => {
      const a = firstFactorKeys.jwks('https://a.example/jwks.json');

      expect(firstFactorKeys.jwks('https://a.example/jwks.json')).toBe(a);
      expect(firstFactorKeys.jwks('https://b.example/jwks.json')).not.toBe(a);
    });
  });
});
