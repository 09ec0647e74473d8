import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { TokenSigner } from '../../functions/domain/token-signing';
import { issueSessionToken, issueUserToken, newRefreshKey, refreshKeyDigest, type TokenIssuer } from '../../functions/domain/tokens';
import { createLocalTokenSigner } from '../../functions/shared/local-token-signer';

const NOW_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const NOW_S = Math.floor(NOW_MS / 1000);
const subject = {
  brand: 'DemoBrand',
  identifier: { type: 'MOBILE' as const, value: '+18767431754' },
  deviceId: 'device-1',
};

describe('tokens', () => {
  let dir: string;
  let signer: TokenSigner;
  let issuer: TokenIssuer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokens-'));
    signer = createLocalTokenSigner(join(dir, 'key.json'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    issuer = { signer, issuer: 'mfa-otp', newId: () => 'b0a4c1b6-3f37-4a1b-9f3e-0a2b6c1d2e3f' };
  });

  describe('issueUserToken', () => {
    it('carries the USER claims for the customer, device and brand', async () => {
      const { token } = await issueUserToken(issuer, subject, NOW_MS);

      expect(decodeJwt(token)).toEqual({
        iss: 'mfa-otp',
        sub: 'demobrand:MOBILE|+18767431754',
        idv: 'MOBILE|+18767431754',
        dev: 'device-1',
        org: 'demobrand',
        rol: 'USER',
        iat: NOW_S,
        exp: NOW_S + 15 * 60,
        jti: 'b0a4c1b6-3f37-4a1b-9f3e-0a2b6c1d2e3f',
      });
    });

    it('returns the claims it signed, for the refresh key to name the same subject', async () => {
      const { token, claims } = await issueUserToken(issuer, subject, NOW_MS);

      expect(claims).toEqual(decodeJwt(token));
    });

    it('verifies with the signer published keys', async () => {
      const { token } = await issueUserToken(issuer, subject, Date.now());

      const { payload } = await jwtVerify(token, createLocalJWKSet(await signer.publicJwks()), {
        issuer: 'mfa-otp',
        algorithms: ['ES256'],
      });

      expect(payload.rol).toBe('USER');
    });

    it('uses a fresh UUID v4 as jti when no id source is given', async () => {
      const { newId: _unused, ...withoutId } = issuer;

      const a = (await issueUserToken(withoutId, subject, NOW_MS)).token;
      const b = (await issueUserToken(withoutId, subject, NOW_MS)).token;

      const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      expect(decodeJwt(a).jti).toMatch(uuidV4);
      expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
    });
  });

  describe('issueSessionToken', () => {
    it('carries role VIEW, the session id and the session expiry', async () => {
      const sessionExpiresAtMs = NOW_MS + 15 * 60_000;

      const token = await issueSessionToken(issuer, { ...subject, sessionId: 'P-1234', sessionExpiresAtMs }, NOW_MS);

      expect(decodeJwt(token)).toMatchObject({
        iss: 'mfa-otp',
        sub: 'demobrand:MOBILE|+18767431754',
        rol: 'VIEW',
        sid: 'P-1234',
        iat: NOW_S,
        exp: Math.floor(sessionExpiresAtMs / 1000),
      });
    });
  });

  describe('newRefreshKey', () => {
    it('is 256 random bits in base64url with its SHA-256 hex digest', () => {
      const bytes = Buffer.alloc(32, 0xab);

      const { key, digest } = newRefreshKey(() => bytes);

      expect(key).toBe(bytes.toString('base64url'));
      expect(key).toHaveLength(43);
      expect(digest).toBe(createHash('sha256').update(key).digest('hex'));
      expect(refreshKeyDigest(key)).toBe(digest);
    });

    it('differs on every call', () => {
      expect(newRefreshKey().key).not.toBe(newRefreshKey().key);
    });
  });
});
