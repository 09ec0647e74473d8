import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createLocalTokenSigner } from '../../functions/shared/local-token-signer';
import { createTokenSigner } from '../../functions/shared/token-signer';

describe('createLocalTokenSigner', () => {
  let dir: string;
  let keyFile: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'token-signer-'));
    keyFile = join(dir, 'nested', 'token-signing-key.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('signs a JWT that verifies against its published keys', async () => {
    const signer = createLocalTokenSigner(keyFile);

    const token = await signer.sign({ sub: 'demo:EMAIL|a@b.co' });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await signer.publicJwks()), {
      algorithms: ['ES256'],
    });

    expect(payload.sub).toBe('demo:EMAIL|a@b.co');
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
  });

  it('creates the key file, and its directory, readable by the owner only', async () => {
    const signer = createLocalTokenSigner(keyFile);

    await signer.sign({});

    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
  });

  it('reuses the stored key on a later start', async () => {
    const first = createLocalTokenSigner(keyFile);
    const token = await first.sign({ sub: 'x' });

    const second = createLocalTokenSigner(keyFile);
    const { payload } = await jwtVerify(token, createLocalJWKSet(await second.publicJwks()));

    expect(payload.sub).toBe('x');
    expect(await second.publicJwks()).toEqual(await first.publicJwks());
  });

  it('agrees on one key when two signers start at once', async () => {
    const [a, b] = [createLocalTokenSigner(keyFile), createLocalTokenSigner(keyFile)];

    const [jwksA, jwksB] = await Promise.all([a.publicJwks(), b.publicJwks()]);

    expect(jwksA).toEqual(jwksB);
  });

  it('publishes only the public part, with the thumbprint as kid', async () => {
    const signer = createLocalTokenSigner(keyFile);

    const token = await signer.sign({});
    const { keys } = await signer.publicJwks();

    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('d');
    expect(keys[0]?.kid).toBe(decodeProtectedHeader(token).kid);
    expect(keys[0]?.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a key file without a private key', async () => {
    await writeFile(keyFile.replace('nested/', ''), JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }));
    const signer = createLocalTokenSigner(keyFile.replace('nested/', ''));

    await expect(signer.sign({})).rejects.toThrow('holds no private key');
  });
});

describe('createTokenSigner', () => {
  it('refuses the KMS signer without TOKEN_KMS_KEY_ID, naming the variable', () => {
    const build = () => createTokenSigner({ TOKEN_SIGNER: 'kms', TOKEN_KMS_KEY_ID: undefined, TOKEN_LOCAL_KEY_FILE: 'unused' });

    expect(build).toThrow('TOKEN_KMS_KEY_ID');
  });

  it('builds the local signer without touching the key file until it signs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'token-signer-'));
    const keyFile = join(dir, 'key.json');

    createTokenSigner({ TOKEN_SIGNER: 'local', TOKEN_KMS_KEY_ID: undefined, TOKEN_LOCAL_KEY_FILE: keyFile });

    await expect(stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(dir, { recursive: true, force: true });
  });
});
