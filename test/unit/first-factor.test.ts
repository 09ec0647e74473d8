import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import {
  signFirstFactorToken,
  verifyAuthorizedToken,
  type FirstFactorConfig,
  type FirstFactorDeps,
  type FirstFactorFailure,
} from '../../functions/domain/first-factor';
import { normaliseIdentifier, type Identifier } from '../../functions/domain/identifiers';
import { AuthorizedTokenError, ServiceUnavailableError } from '../../functions/shared/errors';

const SECRET = 'first-factor-shared-secret-0123456789';
const JWKS_URL = 'https://login.demo.example/.well-known/jwks.json';
const mobile: Identifier = { type: 'MOBILE', value: '+18767431754' };
const expected = { brand: 'demo', identifier: mobile, deviceId: 'device-1' };

/** What the verifier told of each token that did not pass, in this test. */
let failures: FirstFactorFailure[] = [];

function depsWith(overrides: Partial<FirstFactorDeps> = {}): FirstFactorDeps {
  return {
    observe: (failure) => failures.push(failure),
    hs256Secret: async () => SECRET,
    jwks: () => {
      throw new Error('no JWKS in this test');
    },
    normalise: (type, raw) => normaliseIdentifier(type, raw),
    ...overrides,
  };
}

function mint(overrides: Partial<Parameters<typeof signFirstFactorToken>[0]> = {}): Promise<string> {
  return signFirstFactorToken({ secret: SECRET, brand: 'demo', identifier: mobile, deviceId: 'device-1', ttlSeconds: 300, ...overrides });
}

async function hs256WithClaims(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

const inHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('verifyAuthorizedToken', () => {
  beforeEach(() => {
    failures = [];
  });

  describe('with an HS256 secret', () => {
    const config: FirstFactorConfig = { hs256Secret: SECRET };

    it('accepts a token for the same customer, device and brand', async () => {
      const token = await mint();

      await expect(verifyAuthorizedToken(token, config, expected, depsWith())).resolves.toBeUndefined();
    });

    it('accepts another spelling of the same mobile number', async () => {
      const token = await hs256WithClaims({ idv: 'MOBILE|18767431754', dev: 'device-1', org: 'demo', exp: inHour() });

      await expect(verifyAuthorizedToken(token, config, expected, depsWith())).resolves.toBeUndefined();
    });

    it('compares the brand case-insensitively', async () => {
      const token = await mint({ brand: 'DEMO' });

      await expect(verifyAuthorizedToken(token, config, { ...expected, brand: 'Demo' }, depsWith())).resolves.toBeUndefined();
    });

    it('resolves the secret through its reference', async () => {
      const hs256Secret = jest.fn(async () => SECRET);
      const token = await mint();

      await verifyAuthorizedToken(token, { hs256SecretRef: 'arn:secret:demo' }, expected, depsWith({ hs256Secret }));

      expect(hs256Secret).toHaveBeenCalledWith('arn:secret:demo');
    });

    it.each([
      ['that has expired', () => mint({ now: new Date(Date.now() - 3600_000), ttlSeconds: 60 }), 'expired'],
      ['for another brand', () => mint({ brand: 'other' }), 'brand_mismatch'],
      ['for another device', () => mint({ deviceId: 'device-2' }), 'device_mismatch'],
      ['for another customer', () => mint({ identifier: { type: 'MOBILE', value: '+18767431755' } }), 'identifier_mismatch'],
      ['for another identifier type', () => mint({ identifier: { type: 'USERNAME', value: '+18767431754' } }), 'identifier_mismatch'],
      ['signed with another secret', () => mint({ secret: 'some-other-secret-0123456789-abcdefgh' }), 'bad_signature'],
      ['that is unsigned (alg none)', async () => new UnsecuredJWT({ idv: 'MOBILE|+18767431754', dev: 'device-1', org: 'demo', exp: inHour() }).encode(), 'algorithm_not_allowed'],
      ['without exp', () => hs256WithClaims({ idv: 'MOBILE|+18767431754', dev: 'device-1', org: 'demo' }), 'claims_invalid'],
      ['without dev', () => hs256WithClaims({ idv: 'MOBILE|+18767431754', org: 'demo', exp: inHour() }), 'claims_invalid'],
      ['with an idv that is not TYPE|value', () => hs256WithClaims({ idv: '+18767431754', dev: 'device-1', org: 'demo', exp: inHour() }), 'claims_invalid'],
      ['with a number that does not parse', () => hs256WithClaims({ idv: 'MOBILE|12', dev: 'device-1', org: 'demo', exp: inHour() }), 'identifier_mismatch'],
      ['that is not a JWT at all', async () => 'not-a-token', 'malformed'],
    ])('refuses a token %s', async (_case, makeToken, reason) => {
      const token = await makeToken();

      await expect(verifyAuthorizedToken(token, config, expected, depsWith())).rejects.toBeInstanceOf(AuthorizedTokenError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'refused', brand: 'demo', reason })]);
    });

    it('accepts a token expired within the 5 s clock tolerance', async () => {
      const token = await mint({ now: new Date(Date.now() - 63_000), ttlSeconds: 60 });

      await expect(verifyAuthorizedToken(token, config, expected, depsWith())).resolves.toBeUndefined();
    });

    it('checks the issuer when the brand configures one', async () => {
      const token = await mint({ issuer: 'someone-else' });

      await expect(verifyAuthorizedToken(token, { ...config, issuer: 'demo-login' }, expected, depsWith())).rejects.toBeInstanceOf(
        AuthorizedTokenError,
      );
    });

    it('tells why a token did not pass without handing on the token', async () => {
      const token = await mint({ deviceId: 'device-2' });

      await expect(verifyAuthorizedToken(token, config, expected, depsWith())).rejects.toThrow();

      expect(failures).toEqual([{ outcome: 'refused', reason: 'device_mismatch', brand: 'demo' }]);
      expect(JSON.stringify(failures)).not.toContain(token.split('.')[2]);
    });

    it('answers 503 when the referenced secret cannot be read', async () => {
      const hs256Secret = async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      };
      const token = await mint();

      await expect(
        verifyAuthorizedToken(token, { hs256SecretRef: 'arn:secret:demo' }, expected, depsWith({ hs256Secret })),
      ).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'keys-unavailable', reason: 'secret_unavailable', cause: expect.objectContaining({ name: 'ThrottlingException' }) })]);
    });
  });

  it('refuses any token when the brand has no first-factor configuration', async () => {
    const token = await mint();

    await expect(verifyAuthorizedToken(token, undefined, expected, depsWith())).rejects.toBeInstanceOf(AuthorizedTokenError);
  });

  describe('with a JWKS URL', () => {
    const config: FirstFactorConfig = { jwksUrl: JWKS_URL, issuer: 'demo-login', audience: 'mfa' };
    const claims = { idv: 'MOBILE|+18767431754', dev: 'device-1', org: 'demo' };
    let es256: { privateKey: CryptoKey; jwk: JWK };
    let rs256: { privateKey: CryptoKey; jwk: JWK };
    let jwksDeps: FirstFactorDeps;

    async function keyPair(alg: 'ES256' | 'RS256', kid: string) {
      const { privateKey, publicKey } = await generateKeyPair(alg);
      return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
    }

    function signWith(key: { privateKey: CryptoKey; jwk: JWK }, options: { issuer?: string; audience?: string } = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.jwk.alg as string, kid: key.jwk.kid as string })
        .setIssuer(options.issuer ?? 'demo-login')
        .setAudience(options.audience ?? 'mfa')
        .setExpirationTime('5m')
        .sign(key.privateKey);
    }

    beforeAll(async () => {
      es256 = await keyPair('ES256', 'ec-1');
      rs256 = await keyPair('RS256', 'rsa-1');
    });

    beforeEach(() => {
      const keySet = createLocalJWKSet({ keys: [es256.jwk, rs256.jwk] });
      jwksDeps = depsWith({ jwks: (url) => (url === JWKS_URL ? keySet : createLocalJWKSet({ keys: [] })) });
    });

    it.each(['ES256', 'RS256'])('accepts a %s token signed with a published key', async (alg) => {
      const token = await signWith(alg === 'ES256' ? es256 : rs256);

      await expect(verifyAuthorizedToken(token, config, expected, jwksDeps)).resolves.toBeUndefined();
    });

    it('refuses a token from another issuer', async () => {
      const token = await signWith(es256, { issuer: 'evil-login' });

      await expect(verifyAuthorizedToken(token, config, expected, jwksDeps)).rejects.toBeInstanceOf(AuthorizedTokenError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'refused', brand: 'demo', reason: 'claims_invalid', claim: 'iss' })]);
    });

    it('refuses a token for another audience', async () => {
      const token = await signWith(es256, { audience: 'other-api' });

      await expect(verifyAuthorizedToken(token, config, expected, jwksDeps)).rejects.toBeInstanceOf(AuthorizedTokenError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'refused', brand: 'demo', claim: 'aud' })]);
    });

    it('refuses a token signed with a key the set does not hold', async () => {
      const stranger = await keyPair('ES256', 'ec-unknown');
      const token = await signWith(stranger);

      await expect(verifyAuthorizedToken(token, config, expected, jwksDeps)).rejects.toBeInstanceOf(AuthorizedTokenError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'refused', brand: 'demo', reason: 'unknown_key' })]);
    });

    it('refuses an HS256 token keyed with the public key (alg confusion)', async () => {
      const publicKeyBytes = new TextEncoder().encode(JSON.stringify(rs256.jwk));
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
        .setIssuer('demo-login')
        .setAudience('mfa')
        .setExpirationTime('5m')
        .sign(publicKeyBytes);

      await expect(verifyAuthorizedToken(token, config, expected, jwksDeps)).rejects.toBeInstanceOf(AuthorizedTokenError);
      expect(failures).toEqual([expect.objectContaining({ outcome: 'refused', brand: 'demo', reason: 'algorithm_not_allowed' })]);
    });

    it('still checks the subject claims', async () => {
      const token = await signWith(es256);

      await expect(verifyAuthorizedToken(token, config, { ...expected, deviceId: 'device-2' }, jwksDeps)).rejects.toBeInstanceOf(
        AuthorizedTokenError,
      );
    });

    it('uses the header to pick the path when the brand has both a secret and a JWKS URL', async () => {
      const both = { ...config, hs256Secret: SECRET };

      await expect(verifyAuthorizedToken(await signWith(es256), both, expected, jwksDeps)).resolves.toBeUndefined();
      await expect(
        verifyAuthorizedToken(await mint({ issuer: 'demo-login', audience: 'mfa' }), both, expected, jwksDeps),
      ).resolves.toBeUndefined();
    });

    it('answers 503 when the JWKS fetch times out', async () => {
      const timingOut: JWTVerifyGetKey = async () => {
        throw new errors.JWKSTimeout();
      };
      const token = await signWith(es256);

      await expect(verifyAuthorizedToken(token, config, expected, depsWith({ jwks: () => timingOut }))).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
      expect(failures).toEqual([expect.objectContaining({ outcome: 'keys-unavailable', reason: 'jwks_unavailable' })]);
    });

    describe('fetched over HTTP', () => {
      let server: Server;
      let respond: (res: import('node:http').ServerResponse) => void;
      let url: string;

      beforeAll(async () => {
        server = createServer((_req, res) => respond(res));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      });

      afterAll(async () => {
        await new Promise((resolve) => server.close(resolve));
      });

      const remoteDeps = () => depsWith({ jwks: (jwksUrl) => createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 200 }) });

      it('accepts a token signed with a key the endpoint publishes', async () => {
        respond = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [es256.jwk] }));
        const token = await signWith(es256);

        await expect(verifyAuthorizedToken(token, { ...config, jwksUrl: url }, expected, remoteDeps())).resolves.toBeUndefined();
      });

      it('answers 503 when the endpoint fails', async () => {
        respond = (res) => res.writeHead(500).end();
        const token = await signWith(es256);

        await expect(verifyAuthorizedToken(token, { ...config, jwksUrl: url }, expected, remoteDeps())).rejects.toBeInstanceOf(
          ServiceUnavailableError,
        );
      });

      it('answers 503 when nothing listens', async () => {
        const token = await signWith(es256);
        const closed = 'http://127.0.0.1:1/jwks.json';

        await expect(verifyAuthorizedToken(token, { ...config, jwksUrl: closed }, expected, remoteDeps())).rejects.toBeInstanceOf(
          ServiceUnavailableError,
        );
      });
    });
  });
});

describe('signFirstFactorToken', () => {
  it('mints an HS256 token with idv, dev, org, iat and exp', async () => {
    const now = new Date('2026-01-02T03:04:05Z');

    const token = await mint({ now, ttlSeconds: 120 });

    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ idv: 'MOBILE|+18767431754', dev: 'device-1', org: 'demo', iat: now.getTime() / 1000, exp: now.getTime() / 1000 + 120 });
  });
});
