import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { createApiServer } from '../../scripts/local/api-server';

const GENERATE = '/auth/v1/mfa/otp/generate';
const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

const allow: APIGatewayAuthorizerResult = {
  principalId: 'c_1',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] },
  context: { brand: 'demo', scopes: 'customer:write' },
};

/** The local API with one route whose handler answers 200, in front of an authorizer that allows only `Basic ok`. */
async function localApi(allowedOrigins?: readonly string[]): Promise<{ url: string; server: Server }> {
  const server = createApiServer({
    routes: [{ method: 'POST', path: GENERATE, functionName: 'otp-generate', handler: async () => ({ statusCode: 200, body: '{}' }), authorized: true }],
    authorizer: async (event) => {
      if (event.headers?.Authorization !== 'Basic ok') throw new Error('Unauthorized');
      return allow;
    },
    authorizerCacheSeconds: 0,
    ...(allowedOrigins ? { allowedOrigins } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const preflight = (url: string, origin: string) =>
  fetch(`${url}${GENERATE}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });

describe('local API (scripts/local/api-server.ts) with ALLOWED_ORIGINS', () => {
  let api: { url: string; server: Server } | undefined;

  afterEach(async () => {
    const server = api?.server;
    api = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers the preflight of a route as the stage does, echoing an allowed origin', async () => {
    api = await localApi([APP, ADMIN]);

    const response = await preflight(api.url, ADMIN);

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ADMIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('names the first allowed origin, not the caller, to an origin that is not allowed', async () => {
    api = await localApi([APP, ADMIN]);

    const response = await preflight(api.url, 'https://evil.example.com');

    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('names the one allowed origin on its own refusal of a caller, as the stage’s gateway responses do', async () => {
    api = await localApi([APP]);

    const response = await fetch(`${api.url}${GENERATE}`, { method: 'POST', headers: { Origin: APP, Authorization: 'Basic wrong' }, body: '{}' });

    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('has no preflight route and names no origin without ALLOWED_ORIGINS', async () => {
    api = await localApi();

    const options = await preflight(api.url, APP);
    const refused = await fetch(`${api.url}${GENERATE}`, { method: 'POST', headers: { Origin: APP }, body: '{}' });

    expect(options.status).toBe(404);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
