import { decodeJwt } from 'jose';
import { BrandCache } from '../../functions/domain/brand-cache';
import { type BrandConfigInput } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { signFirstFactorToken } from '../../functions/domain/first-factor';
import { openSession, type OpenSessionDeps, type OpenSessionRequest } from '../../functions/domain/open-session';
import { AuthorizedTokenError, InvalidDetailsError, UnsupportedBrandError } from '../../functions/shared/errors';
import { logger } from '../../functions/shared/logger';
import { claimsOnlySigner, FakeSessionStore } from '../support/fake-session-store';

const SECRET = 'first-factor-shared-secret-0123456789';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const SESSION_UUID = '6f1c2a9e-4b7d-4e3f-9a21-0c5d8e7f6a1b';
const mobile = { type: 'MOBILE' as const, value: '+18767431754' };

function storeWith(overrides: Partial<BrandConfigInput> = {}): FakeSessionStore {
  const store = new FakeSessionStore();
  store.brands.set('demo', parseBrandConfig({ brand: 'demo', defaultCountry: 'US', firstFactor: { hs256Secret: SECRET }, ...overrides }));
  return store;
}

function depsFor(store: FakeSessionStore, overrides: Partial<OpenSessionDeps> = {}): OpenSessionDeps {
  return {
    store,
    brands: new BrandCache(60_000),
    firstFactorKeys: {
      hs256Secret: async () => {
        throw new Error('no secret references in this test');
      },
      jwks: () => {
        throw new Error('no JWKS in this test');
      },
    },
    tokens: { signer: claimsOnlySigner, issuer: 'mfa-otp' },
    now: () => NOW,
    newId: () => SESSION_UUID,
    ...overrides,
  };
}

async function requestFor(overrides: Partial<OpenSessionRequest> = {}, token: Partial<Parameters<typeof signFirstFactorToken>[0]> = {}) {
  const authorizedToken = await signFirstFactorToken({
    secret: SECRET,
    brand: 'demo',
    identifier: mobile,
    deviceId: 'device-1',
    // Verified against the real clock, whatever the deps' clock says.
    ttlSeconds: 300,
    ...token,
  });
  return {
    brand: 'demo',
    identifierType: 'MOBILE' as const,
    identifierValue: '+18767431754',
    deviceId: 'device-1',
    authorizedToken,
    ...overrides,
  };
}

describe('openSession', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('stores a session for the normalised customer, device and brand that lives mfaSessionExpiryMinutes', async () => {
    const store = storeWith({ mfaSessionExpiryMinutes: 20 });

    await openSession(depsFor(store), await requestFor({ identifierValue: '(876) 743-1754' }));

    expect(store.sessions.get(`P-${SESSION_UUID}`)).toEqual({
      sessionId: `P-${SESSION_UUID}`,
      brand: 'demo',
      identifierType: 'MOBILE',
      identifierValue: '+18767431754',
      identifierCountry: 'JM',
      deviceId: 'device-1',
      expiresAt: NOW + 20 * 60_000,
    });
  });

  it('answers with the session id and a VIEW token that expires with the session', async () => {
    const store = storeWith();

    const opened = await openSession(depsFor(store), await requestFor());

    expect(opened.sessionId).toBe(`P-${SESSION_UUID}`);
    expect(decodeJwt(opened.token)).toMatchObject({
      iss: 'mfa-otp',
      sub: 'demo:MOBILE|+18767431754',
      idv: 'MOBILE|+18767431754',
      dev: 'device-1',
      org: 'demo',
      rol: 'VIEW',
      sid: `P-${SESSION_UUID}`,
      iat: NOW / 1000,
      exp: NOW / 1000 + 15 * 60,
    });
  });

  it('stamps the token with the instant the session expiry was counted from, not a later clock reading', async () => {
    const store = storeWith();
    const now = jest.fn().mockReturnValueOnce(NOW).mockReturnValue(NOW + 60_000);

    const opened = await openSession(depsFor(store, { now }), await requestFor());

    expect(decodeJwt(opened.token)).toMatchObject({ iat: NOW / 1000, exp: NOW / 1000 + 15 * 60 });
  });

  it('names the session P- and a random UUID v4 when no id source is given', async () => {
    const store = storeWith();
    const deps = depsFor(store);
    delete deps.newId;

    const opened = await openSession(deps, await requestFor());

    expect(opened.sessionId).toMatch(/^P-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a brand without configuration as unsupported and opens nothing', async () => {
    const store = storeWith();

    const opening = openSession(depsFor(store), await requestFor({ brand: 'unknown' }));

    await expect(opening).rejects.toBeInstanceOf(UnsupportedBrandError);
    expect(store.sessions.size).toBe(0);
  });

  it('refuses an authorizedToken issued for another device and opens nothing', async () => {
    const store = storeWith();

    const opening = openSession(depsFor(store), await requestFor({}, { deviceId: 'device-2' }));

    await expect(opening).rejects.toBeInstanceOf(AuthorizedTokenError);
    expect(store.sessions.size).toBe(0);
  });

  it('refuses every authorizedToken when the brand has no first-factor configuration', async () => {
    const store = storeWith({ firstFactor: undefined });

    const opening = openSession(depsFor(store), await requestFor());

    await expect(opening).rejects.toBeInstanceOf(AuthorizedTokenError);
    expect(store.sessions.size).toBe(0);
  });

  it('refuses an identifierValue the brand cannot normalise, naming the field', async () => {
    const store = storeWith();

    const opening = openSession(depsFor(store), await requestFor({ identifierValue: 'not a number' }));

    await expect(opening).rejects.toEqual(new InvalidDetailsError('identifierValue'));
  });

  it('leaves no session behind when the token cannot be signed', async () => {
    const store = storeWith();
    const signer = { ...claimsOnlySigner, sign: jest.fn().mockRejectedValue(new Error('KMS down')) };

    const opening = openSession(depsFor(store, { tokens: { signer, issuer: 'mfa-otp' } }), await requestFor());

    await expect(opening).rejects.toThrow('KMS down');
    expect(store.sessions.size).toBe(0);
  });

  it('reads the brand configuration once while it is cached', async () => {
    const store = storeWith();
    const read = jest.spyOn(store, 'getBrandConfig');
    const deps = depsFor(store);
    let id = 0;
    deps.newId = () => `00000000-0000-4000-8000-00000000000${id++}`;

    await openSession(deps, await requestFor());
    await openSession(deps, await requestFor());

    expect(read).toHaveBeenCalledTimes(1);
    expect(store.sessions.size).toBe(2);
  });
});
