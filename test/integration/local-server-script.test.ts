import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Started {
  url: string;
  authorization: string;
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
      if (url && authorization) resolve({ url, authorization });
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before it was listening: ${output}`)));
  });
}

describe('npm start (scripts/local-server.ts)', () => {
  let localDir: string;
  let child: ChildProcess;
  let errors = '';

  beforeEach(() => {
    localDir = mkdtempSync(join(tmpdir(), 'mfa-otp-start-'));
    // A developer's shell: none of the variables the tests' own processes are given.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DYNAMODB_PORT: '0', LOCAL_DIR: localDir };
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
  });

  afterEach(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(localDir, { recursive: true, force: true });
  });

  it('serves the routes with nothing set but where to listen', async () => {
    const { url, authorization } = await started(child).catch((error: Error) => {
      throw new Error(`${error.message}\n${errors}`);
    });

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
});
