import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { handler as authorizer } from '../../functions/authorizer';
import { jsonRoute } from '../../functions/shared/http-middleware';
import { successResponse } from '../../functions/shared/http-response';
import { createApiServer } from '../../scripts/local/api-server';
import { seedBrand, testStore } from '../support/fixtures';
import { scanLogsOfEachTest } from '../support/log-scan';

type Authorizer = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

const store = testStore();
const ROUTE = '/auth/v1/mfa/otp/generate';
const AUDIENCE = 'mfa-otp';

const listening = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * API Gateway answers later requests with the same Authorization header from its cache of
 * the authorizer's answer (authorizerCacheTtlSeconds, 300 s by default); the local API does
 * the same. A bearer token must still stop working when it expires.
 */
describe('a cached authorizer answer for a bearer token', () => {
  const handedOver: string[] = [];
  scanLogsOfEachTest(() => ({ secrets: handedOver }));
  let keys: Server;
  let api: Server;
  let apiPort: number;
  let issuer: string;
  let sign: (expiresAt: number) => Promise<string>;
  const authorize = jest.fn(authorizer as unknown as Authorizer);

  beforeAll(async () => {
    const { brand } = await seedBrand(store);
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    keys = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks));
    issuer = `https://login.${brand}.example`;
    await store.putOAuthIssuer({ brand, issuer, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${await listening(keys)}/jwks.json` });
    sign = (expiresAt) =>
      new SignJWT({ scope: 'customer:write' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject('app-1')
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .sign(privateKey);
    // The route runs the middleware every JSON route runs, which reads the caller.
    const route = middy(async () => successResponse()).use(jsonRoute());
    api = createApiServer({
      routes: [{ method: 'POST', path: ROUTE, functionName: 'otp-generate', handler: route as never, authorized: true }],
      authorizer: authorize,
      authorizerCacheSeconds: 300,
    });
    apiPort = await listening(api);
  });

  afterAll(async () => {
    await Promise.all([closed(api), closed(keys)]);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const post = (token: string) =>
    fetch(`http://127.0.0.1:${apiPort}${ROUTE}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({}),
    });

  /**
   * Posts a token valid for a minute, then again `laterMs` on: both answers, and the
   * authorizer's calls for the second, which the cache answers (0).
   */
  async function postAgainLater(laterMs: number) {
    const now = Date.now();
    const token = await sign(now + 60_000);
    handedOver.push(token);
    const first = await post(token);
    const calls = authorize.mock.calls.length;
    jest.spyOn(Date, 'now').mockReturnValue(now + laterMs);
    const later = await post(token);
    return { first, later, authorizedAgain: authorize.mock.calls.length - calls };
  }

  it('stops letting the token through once it expires, although the answer is still cached', async () => {
    // Past its expiry and the 5 s clock tolerance, well inside the 300 s cache.
    const { first, later, authorizedAgain } = await postAgainLater(66_000);

    expect(first.status).toBe(200);
    expect(later.status).toBe(401);
    expect(await later.json()).toEqual({ status: { success: false, code: 401, message: 'Unauthorized' } });
    expect(authorizedAgain).toBe(0);
  });

  it('lets the token through from the cache while it is valid', async () => {
    const { first, later, authorizedAgain } = await postAgainLater(50_000);

    expect([first.status, later.status]).toEqual([200, 200]);
    expect(authorizedAgain).toBe(0);
  });
});
