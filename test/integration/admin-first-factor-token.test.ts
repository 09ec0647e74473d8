import { decodeJwt } from 'jose';
import { verifyAuthorizedToken } from '../../functions/domain/first-factor';
import { normaliseIdentifier } from '../../functions/domain/identifiers';
import { AdminUsageError, runAdmin, USAGE } from '../../scripts/admin/commands';
import { seedBrand, testStore } from '../support/fixtures';
import { scanLogsOfEachTest } from '../support/log-scan';

const SECRET = 'first-factor-shared-secret-0123456789';
const store = testStore();
const issuedTokens: string[] = [];

async function firstFactorToken(brand: string, extra: string[] = []): Promise<unknown> {
  const result = await runAdmin(
    [
      'first-factor-token',
      '--brand',
      brand,
      '--identifier-type',
      'MOBILE',
      '--identifier-value',
      '(876) 743-1754',
      '--device-id',
      'device-1',
      ...extra,
    ],
    { store, now: Date.now },
  );
  issuedTokens.push((result as { authorizedToken: string }).authorizedToken);
  return result;
}

scanLogsOfEachTest(() => ({ phones: ['(876) 743-1754'], secrets: [SECRET, ...issuedTokens] }));

describe('admin first-factor-token', () => {
  it('prints an authorizedToken that token/generate accepts for the customer, device and brand', async () => {
    const brand = await seedBrand(store, { firstFactor: { hs256Secret: SECRET } });

    const { authorizedToken } = (await firstFactorToken(brand.brand.toUpperCase())) as { authorizedToken: string };

    await expect(
      verifyAuthorizedToken(
        authorizedToken,
        brand.firstFactor,
        { brand: brand.brand, identifier: { type: 'MOBILE', value: '+18767431754' }, deviceId: 'device-1' },
        {
          hs256Secret: async () => SECRET,
          jwks: () => {
            throw new Error('no JWKS here');
          },
          normalise: (type, raw) => normaliseIdentifier(type, raw, brand),
        },
      ),
    ).resolves.toBeUndefined();
  });

  it('makes the token live --ttl-minutes', async () => {
    const brand = await seedBrand(store, { firstFactor: { hs256Secret: SECRET } });

    const { authorizedToken } = (await firstFactorToken(brand.brand, ['--ttl-minutes', '2'])) as { authorizedToken: string };
    const { iat, exp } = decodeJwt(authorizedToken);

    expect((exp as number) - (iat as number)).toBe(120);
  });

  it('refuses a brand without a local HS256 secret, saying how to set one', async () => {
    const brand = await seedBrand(store, { firstFactor: { hs256SecretRef: 'arn:aws:secretsmanager:us-east-1:1:secret:ff' } });

    const minting = firstFactorToken(brand.brand);

    await expect(minting).rejects.toBeInstanceOf(AdminUsageError);
    await expect(minting).rejects.toThrow('--first-factor-hs256-secret');
  });

  it('is listed in the usage', () => {
    expect(USAGE).toContain('first-factor-token --brand B --identifier-type T --identifier-value V --device-id D [--ttl-minutes N]');
  });
});
