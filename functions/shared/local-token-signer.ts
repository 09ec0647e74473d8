import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { publishedJwk, TOKEN_ALGORITHM, type TokenSigner } from '../domain/token-signing';
import { cachedUntilFailure } from './cached-promise';
import { logger } from './logger';

interface LoadedKey {
  privateKey: CryptoKey;
  publicJwk: JWK & { kid: string };
}

// Structural rather than `instanceof Error`: node's fs errors can come from another realm (jest).
function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

async function readPrivateJwk(keyFile: string): Promise<JWK | undefined> {
  try {
    return JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Creates the key file; `undefined` when another process created it first. */
async function createPrivateJwk(keyFile: string): Promise<JWK | undefined> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  try {
    // `wx`: never overwrite a key that tokens already in circulation were signed with.
    await writeFile(keyFile, `${JSON.stringify(jwk)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) return undefined;
    throw error;
  }
  logger.info('Created local token signing key', { keyFile });
  return jwk;
}

async function loadKey(keyFile: string): Promise<LoadedKey> {
  const jwk = (await readPrivateJwk(keyFile)) ?? (await createPrivateJwk(keyFile)) ?? (await readPrivateJwk(keyFile));
  if (!jwk?.d) throw new Error(`Token signing key file ${keyFile} holds no private key`);
  const privateKey = (await importJWK(jwk, TOKEN_ALGORITHM)) as CryptoKey;
  return { privateKey, publicJwk: await publishedJwk(jwk) };
}

/**
 * For local development and tests: a P-256 key generated on first use and kept in
 * `keyFile` (mode 0600), so tokens stay valid across restarts of the local server.
 */
export function createLocalTokenSigner(keyFile: string): TokenSigner {
  const loadedKey = cachedUntilFailure(() => loadKey(keyFile));

  return {
    async sign(claims: JWTPayload): Promise<string> {
      const { privateKey, publicJwk } = await loadedKey();
      return new SignJWT(claims).setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid: publicJwk.kid }).sign(privateKey);
    },

    async publicJwks(): Promise<{ keys: JWK[] }> {
      return { keys: [(await loadedKey()).publicJwk] };
    },
  };
}
