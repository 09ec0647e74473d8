import { randomBytes, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { brandKey } from './brand-config';
import { sha256Hex } from './digests';
import { identifierKey, type Identifier } from './identifiers';
import type { TokenSigner } from './token-signing';

const USER_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * Who signs, and under which name. No clock: each token is stamped with the instant its
 * caller decided at, so `iat` and `exp` agree with the session and OTP expiry it checked.
 */
export interface TokenIssuer {
  signer: TokenSigner;
  /** TOKEN_ISSUER: the `iss` of every token. */
  issuer: string;
  /** A fresh UUID v4 for `jti`. */
  newId?: () => string;
}

export interface TokenSubject {
  brand: string;
  /** Normalised. */
  identifier: Identifier;
  deviceId: string;
}

export type TokenRole = 'USER' | 'VIEW';

export interface IssuedTokenClaims extends JWTPayload {
  iss: string;
  /** `<brand>:<TYPE>|<value>`: unique across brands, which share one signing key. */
  sub: string;
  idv: string;
  dev: string;
  org: string;
  rol: TokenRole;
  sid?: string;
  iat: number;
  exp: number;
  jti: string;
}

function claimsFor(
  issuer: TokenIssuer,
  subject: TokenSubject,
  issuedAtMs: number,
  rol: TokenRole,
  expiresAt: (issuedAt: number) => number,
): IssuedTokenClaims {
  const iat = Math.floor(issuedAtMs / 1000);
  const brand = brandKey(subject.brand);
  const idv = identifierKey(subject.identifier);
  return {
    iss: issuer.issuer,
    sub: `${brand}:${idv}`,
    idv,
    dev: subject.deviceId,
    org: brand,
    rol,
    iat,
    exp: expiresAt(iat),
    jti: (issuer.newId ?? randomUUID)(),
  };
}

/** The token otp/validate answers with (role USER, valid 15 minutes), and the claims it signed. */
export async function issueUserToken(
  issuer: TokenIssuer,
  subject: TokenSubject,
  issuedAtMs: number,
): Promise<{ token: string; claims: IssuedTokenClaims }> {
  const claims = claimsFor(issuer, subject, issuedAtMs, 'USER', (iat) => iat + USER_TOKEN_TTL_SECONDS);
  return { token: await issuer.signer.sign(claims), claims };
}

/** The token token/generate answers with: role VIEW, valid as long as the MFA session. */
export function issueSessionToken(
  issuer: TokenIssuer,
  subject: TokenSubject & { sessionId: string; sessionExpiresAtMs: number },
  issuedAtMs: number,
): Promise<string> {
  const claims = claimsFor(issuer, subject, issuedAtMs, 'VIEW', () => Math.floor(subject.sessionExpiresAtMs / 1000));
  return issuer.signer.sign({ ...claims, sid: subject.sessionId });
}

/** Only the digest is ever stored, so a leaked table does not hand out refresh keys. */
export function refreshKeyDigest(key: string): string {
  return sha256Hex(key);
}

/** An opaque refresh key: 256 random bits, base64url. */
export function newRefreshKey(random: (size: number) => Uint8Array = randomBytes): { key: string; digest: string } {
  const key = Buffer.from(random(32)).toString('base64url');
  return { key, digest: refreshKeyDigest(key) };
}
