import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CompactJWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { ServiceUnavailableError } from '../../functions/shared/errors';
import { remoteKeySet } from '../../functions/shared/remote-key-sets';

const HEADER: CompactJWSHeaderParameters = { alg: 'ES256', kid: 'k1' };
const TOKEN = { payload: '', signature: '' } as FlattenedJWSInput;

describe('remoteKeySet', () => {
  let server: Server;
  let requests = 0;
  let base: string;

  beforeAll(async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    server = createServer((_request, response) => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('fetches keys over plain http from a key server on this machine', async () => {
    const key = await remoteKeySet(`${base}/local.json`)(HEADER, TOKEN);

    expect(key).toBeDefined();
    expect(requests).toBeGreaterThan(0);
  });

  it('fetches nothing over plain http from another machine, and fails as an outage that says why', async () => {
    const failure = remoteKeySet('http://login.acme.example/jwks.json')(HEADER, TOKEN);

    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toMatchObject({ cause: { message: expect.stringContaining('plain http') } });
  });

  it('keeps why a key server could not be reached as the outage’s cause, for the log', async () => {
    const failure = remoteKeySet('http://127.0.0.1:1/jwks.json')(HEADER, TOKEN);

    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toHaveProperty('cause');
  });
});
