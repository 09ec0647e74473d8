import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { TokenSigner } from '../../functions/domain/token-signing';
import { jwksHandler } from '../../functions/jwks/index';
import { logger } from '../../functions/shared/logger';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { captureLogs } from '../support/log-capture';

const key: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'kid-1', alg: 'ES256', use: 'sig' };

function signerWith(publicJwks: TokenSigner['publicJwks']): TokenSigner {
  return { sign: async () => 'unused', publicJwks };
}

describe('jwks handler', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('returns the public keys, cacheable for five minutes', async () => {
    const handler = jwksHandler(signerWith(async () => ({ keys: [key] })));

    const response = await handler({}, lambdaContext('jwks'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' });
    expect(JSON.parse(response.body)).toEqual({ keys: [key] });
  });

  it('answers 503 with the envelope and Retry-After when the keys cannot be read', async () => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const handler = jwksHandler(
      signerWith(async () => {
        throw new Error('KMS down');
      }),
    );

    const response = await handler({}, lambdaContext('jwks'));

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '1', 'Cache-Control': 'no-store' });
    expect(JSON.parse(response.body)).toEqual({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } });
  });

  it('logs the failure with the API Gateway request ID as correlation_id', async () => {
    const logs = captureLogs();
    const handler = jwksHandler(
      signerWith(async () => {
        throw new Error('KMS down');
      }),
    );

    await handler({ requestContext: { requestId: 'req-jwks-1' } }, lambdaContext('jwks'));
    logs.restore();

    const line = logs.lines().find((entry) => entry.includes('Public keys unavailable'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'ERROR', correlation_id: 'req-jwks-1' });
  });

  it('serves the configured signer through middy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jwks-'));
    const saved = process.env.TOKEN_LOCAL_KEY_FILE;
    process.env.TOKEN_LOCAL_KEY_FILE = join(dir, 'key.json');
    let response: { statusCode: number; body: string } | undefined;

    try {
      await jest.isolateModulesAsync(async () => {
        const { handler } = await import('../../functions/jwks/index');
        response = await handler({} as never, {} as never);
      });
    } finally {
      if (saved === undefined) delete process.env.TOKEN_LOCAL_KEY_FILE;
      else process.env.TOKEN_LOCAL_KEY_FILE = saved;
      await rm(dir, { recursive: true, force: true });
    }

    expect(response?.statusCode).toBe(200);
    expect(JSON.parse(response?.body ?? '{}').keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256' })]);
  });
});
