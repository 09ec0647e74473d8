import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createKmsTokenSigner, derToJoseSignature } from '../../functions/shared/kms-token-signer';

const KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/test-key';

function derInteger(magnitude: Buffer): Buffer {
  const body = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function derSignature(r: Buffer, s: Buffer): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('derToJoseSignature', () => {
  it('gives the same 64 bytes as node for real signatures, whatever the integer lengths', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = Buffer.from('header.payload');
    const derLengths = new Set<number>();

    for (let i = 0; i < 300; i++) {
      const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
      derLengths.add(der.length);

      const jose = derToJoseSignature(der);

      expect(jose).toHaveLength(64);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
    }
    // 33-byte integers (high bit set) occur in three signatures out of four.
    expect(derLengths.has(72) || derLengths.has(71)).toBe(true);
  });

  it('pads a 33-byte integer (a 0x00 before a high bit) to 32 bytes', () => {
    const r = Buffer.alloc(32, 0xff);
    const s = Buffer.alloc(32, 0x80);

    const jose = derToJoseSignature(derSignature(r, s));

    expect(Buffer.from(jose)).toEqual(Buffer.concat([r, s]));
  });

  it('left-pads integers shorter than 32 bytes with zeros', () => {
    const r = Buffer.from([0x01, 0x02]);
    const s = Buffer.alloc(31, 0x11);

    const jose = derToJoseSignature(derSignature(r, s));

    expect(Buffer.from(jose.subarray(0, 32))).toEqual(Buffer.concat([Buffer.alloc(30), r]));
    expect(Buffer.from(jose.subarray(32))).toEqual(Buffer.concat([Buffer.alloc(1), s]));
  });

  it('strips redundant leading zero bytes', () => {
    const der = Buffer.from([0x30, 0x08, 0x02, 0x03, 0x00, 0x00, 0x05, 0x02, 0x01, 0x07]);

    const jose = derToJoseSignature(der);

    expect(jose[31]).toBe(0x05);
    expect(jose[63]).toBe(0x07);
    expect(jose.filter((byte) => byte !== 0)).toHaveLength(2);
  });

  it.each([
    ['empty input', []],
    ['not a SEQUENCE', [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['sequence length that disagrees with the input', [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['truncated integer', [0x30, 0x06, 0x02, 0x05, 0x01, 0x02, 0x01, 0x01]],
    ['not an INTEGER', [0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['a negative integer', [0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]],
    ['a zero-length integer', [0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01]],
    ['a missing s', [0x30, 0x03, 0x02, 0x01, 0x01]],
    ['trailing bytes inside the sequence', [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]],
    ['a long-form length', [0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['an integer longer than 32 bytes', [...derSignature(Buffer.alloc(33, 0x01), Buffer.from([1]))]],
  ])('refuses %s', (_name, bytes) => {
    expect(() => derToJoseSignature(Uint8Array.from(bytes))).toThrow('malformed ECDSA signature');
  });
});

describe('createKmsTokenSigner', () => {
  const kmsMock = mockClient(KMSClient);
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  const publicKeyOutput = () => ({
    KeyId: KEY_ID,
    KeySpec: 'ECC_NIST_P256' as const,
    PublicKey: publicKey.export({ format: 'der', type: 'spki' }),
  });

  beforeEach(() => {
    kmsMock.reset();
    ({ privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    kmsMock.on(GetPublicKeyCommand).resolves(publicKeyOutput());
    kmsMock.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
      Signature: sign('sha256', input.Message, { key: privateKey, dsaEncoding: 'der' }),
    }));
  });

  it('signs a JWT that verifies against its published keys', async () => {
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    const token = await signer.sign({ sub: 'demo:MOBILE|+18767431754', exp: Math.floor(Date.now() / 1000) + 60 });
    const { payload } = await jwtVerify(token, createLocalJWKSet(await signer.publicJwks()), { algorithms: ['ES256'] });

    expect(payload.sub).toBe('demo:MOBILE|+18767431754');
  });

  it('puts alg ES256, typ JWT and the key thumbprint as kid in the header', async () => {
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    const token = await signer.sign({ sub: 'x' });
    const { keys } = await signer.publicJwks();

    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys[0]?.kid });
    expect(keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('asks KMS for an ECDSA_SHA_256 signature of the raw signing input with the configured key', async () => {
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    const token = await signer.sign({ sub: 'x' });

    const input = kmsMock.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY_ID, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(input?.Message ?? []).toString()).toBe(token.split('.').slice(0, 2).join('.'));
  });

  it('fetches the public key once for many signatures', async () => {
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    await Promise.all([signer.sign({ a: 1 }), signer.sign({ a: 2 }), signer.publicJwks()]);
    await signer.sign({ a: 3 });

    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('fetches the public key again after a failed fetch', async () => {
    kmsMock.on(GetPublicKeyCommand).rejectsOnce(new Error('throttled')).resolves(publicKeyOutput());
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    await expect(signer.publicJwks()).rejects.toThrow('throttled');
    const { keys } = await signer.publicJwks();

    expect(keys).toHaveLength(1);
  });

  it('refuses a key that is not P-256', async () => {
    kmsMock.on(GetPublicKeyCommand).resolves({ KeyId: KEY_ID, KeySpec: 'RSA_2048', PublicKey: new Uint8Array(8) });
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    await expect(signer.sign({ sub: 'x' })).rejects.toThrow('ECC_NIST_P256');
  });

  it('passes a KMS failure on for the caller to classify', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    kmsMock.on(SignCommand).rejects(throttled);
    const signer = createKmsTokenSigner(new KMSClient({}), KEY_ID);

    await expect(signer.sign({ sub: 'x' })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
