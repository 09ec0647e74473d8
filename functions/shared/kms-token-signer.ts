import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { JWK, JWTPayload } from 'jose';
import { cachedUntilFailure } from './cached-promise';
import { publishedJwk, TOKEN_ALGORITHM, type TokenSigner } from '../domain/token-signing';

const P256_COORDINATE_BYTES = 32;

class MalformedSignatureError extends Error {
  constructor() {
    super('KMS returned a malformed ECDSA signature');
  }
}

/**
 * KMS returns ECDSA signatures DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`); JWS
 * wants the two integers as fixed 32-byte big-endian values, r then s (RFC 7518 §3.4).
 * DER integers are signed and minimal, so r or s can be 33 bytes (a 0x00 in front of a
 * high bit) or shorter than 32: strip the zeros, then left-pad.
 */
export function derToJoseSignature(der: Uint8Array): Uint8Array {
  let offset = 0;
  const next = (): number => {
    const byte = der[offset++];
    if (byte === undefined) throw new MalformedSignatureError();
    return byte;
  };
  // A P-256 signature is at most 72 bytes, so every DER length fits the one-byte short form.
  const length = (): number => {
    const value = next();
    if (value >= 0x80) throw new MalformedSignatureError();
    return value;
  };
  const integer = (): Uint8Array => {
    if (next() !== 0x02) throw new MalformedSignatureError();
    const size = length();
    if (size === 0 || offset + size > der.length) throw new MalformedSignatureError();
    const bytes = der.subarray(offset, offset + size);
    offset += size;
    if ((bytes[0] ?? 0) & 0x80) throw new MalformedSignatureError();
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    const magnitude = bytes.subarray(start);
    if (magnitude.length === 0 || magnitude.length > P256_COORDINATE_BYTES) throw new MalformedSignatureError();
    return magnitude;
  };

  if (next() !== 0x30) throw new MalformedSignatureError();
  if (length() !== der.length - offset) throw new MalformedSignatureError();
  const r = integer();
  const s = integer();
  if (offset !== der.length) throw new MalformedSignatureError();

  const jose = new Uint8Array(2 * P256_COORDINATE_BYTES);
  jose.set(r, P256_COORDINATE_BYTES - r.length);
  jose.set(s, 2 * P256_COORDINATE_BYTES - s.length);
  return jose;
}

function base64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY); the private key never leaves KMS. */
export function createKmsTokenSigner(client: KMSClient, keyId: string): TokenSigner {
  async function loadPublicKey(): Promise<JWK & { kid: string }> {
    const output = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (output.KeySpec !== 'ECC_NIST_P256' || !output.PublicKey) {
      throw new Error('The token KMS key must be an ECC_NIST_P256 signing key');
    }
    const jwk = createPublicKey({ key: Buffer.from(output.PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    return publishedJwk(jwk as JWK);
  }

  // The public key of a key id never changes: one GetPublicKey per instance.
  const cachedPublicKey = cachedUntilFailure(loadPublicKey);

  return {
    async sign(claims: JWTPayload): Promise<string> {
      const { kid } = await cachedPublicKey();
      const header = { alg: TOKEN_ALGORITHM, typ: 'JWT', kid };
      const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
      const output = await client.send(
        new SignCommand({
          KeyId: keyId,
          Message: Buffer.from(signingInput),
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!output.Signature) throw new MalformedSignatureError();
      return `${signingInput}.${base64url(derToJoseSignature(output.Signature))}`;
    },

    async publicJwks(): Promise<{ keys: JWK[] }> {
      return { keys: [await cachedPublicKey()] };
    },
  };
}
