import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { localClients, startDynalite } from '../../scripts/local/dynamo-local';

interface Started {
  url: string;
  authorization: string;
  output: string;
}

/**
 * Reads the start-up lines `npm start` prints until it names its URL and the demo
 * credential. The stream stays open and read: the server logs each request to it.
 */
function started(child: ChildProcess): Promise<Started> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const authorization = /Authorization: (Basic \S+)/.exec(output)?.[1];
      if (url && authorization) resolve({ url, authorization, output });
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before it was listening: ${output}`)));
  });
}

describe('npm start (scripts/local-server.ts)', () => {
  let localDir: string;
  let child: ChildProcess | undefined;
  let errors = '';

  /** `npm start`'s script in a developer's shell: none of the variables the tests' own processes are given. */
  function start(extra: Record<string, string> = {}): Promise<Started> {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DYNAMODB_PORT: '0', LOCAL_DIR: localDir, ...extra };
    const spawned = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    spawned.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    return started(spawned).catch((error: Error) => {
      throw new Error(`${error.message}\n${errors}`);
    });
  }

  beforeEach(() => {
    localDir = mkdtempSync(join(tmpdir(), 'mfa-otp-start-'));
    errors = '';
  });

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    child = undefined;
    rmSync(localDir, { recursive: true, force: true });
  });

  it('serves the routes with nothing set but where to listen', async () => {
    const { url, authorization } = await start();

    const jwks = await fetch(`${url}/auth/v1/mfa/.well-known/jwks.json`);
    const refused = await fetch(`${url}/auth/v1/mfa/otp/generate`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ brand: 'demo' }),
    });

    expect(jwks.status).toBe(200);
    expect((await jwks.json()) as { keys: unknown[] }).toMatchObject({ keys: [expect.objectContaining({ kty: 'EC' })] });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ status: { success: false, code: 1519, message: expect.stringContaining('Invalid details passed') } });
  });

  it('uses the DynamoDB at DYNAMODB_ENDPOINT and the table TABLE_NAME names, as the README says', async () => {
    const dynamo = await startDynalite(0);
    const { client, documentClient } = localClients(dynamo.endpoint);
    try {
      const { output } = await start({ DYNAMODB_ENDPOINT: dynamo.endpoint, TABLE_NAME: 'mfa-otp-elsewhere' });

      const demo = await new DynamoStore(documentClient, 'mfa-otp-elsewhere').getBrandConfig('demo');

      expect(output).toContain(`DynamoDB on ${dynamo.endpoint}, table mfa-otp-elsewhere\n`);
      expect(demo).toMatchObject({ brand: 'demo' });
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });

  it('answers the CORS preflight for the origins ALLOWED_ORIGINS names', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example.com' });

    const preflight = await fetch(`${url}/auth/v1/mfa/otp/generate`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });
});
