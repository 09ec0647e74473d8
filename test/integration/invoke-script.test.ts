import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runAdmin } from '../../scripts/admin/commands';
import { uniqueBrand } from '../support/api-events';
import { testStore } from '../support/fixtures';
import { leaksIn } from '../support/log-scan';

const store = testStore();
const localDir = mkdtempSync(join(tmpdir(), 'mfa-otp-invoke-'));
afterAll(() => rmSync(localDir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** npm run invoke, as a developer runs it, against the tests' dynalite and table. */
async function invoke(...argv: string[]): Promise<Run> {
  const env = { ...process.env, LOCAL_DIR: localDir };
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/invoke.ts', ...argv], { env, encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npm run invoke', () => {
  it.each([
    ['Name=value', (authorization: string) => `Authorization=${authorization}`],
    ['"Name: value", as curl takes it', (authorization: string) => `Authorization: ${authorization}`],
    ['a name in another case than the sample event', (authorization: string) => `authorization=${authorization}`],
  ])('runs the authorizer with the Authorization header given by --header as %s', async (_form, option) => {
    const brand = uniqueBrand('inv');
    await runAdmin(['brand', 'put', '--brand', brand], { store, now: Date.now });
    const { clientId, clientSecret } = (await runAdmin(['credentials', 'create', '--brand', brand], { store, now: Date.now })) as {
      clientId: string;
      clientSecret: string;
    };
    const authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

    const run = await invoke('authorizer', 'scripts/events/authorizer.json', '--header', option(authorization));

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      principalId: clientId,
      policyDocument: { Statement: [expect.objectContaining({ Effect: 'Allow' })] },
      context: { brand, scopes: 'customer:write' },
    });
    expect(leaksIn(run.stderr.split('\n'), { secrets: [clientSecret, authorization] })).toEqual([]);
  }, 30_000);

  it("prints the handler's answer alone on stdout and its log lines on stderr", async () => {
    const run = await invoke('token-generate', 'scripts/events/token-generate.json');

    expect(run.code).toBe(0);
    // The sample's placeholder token (or its demo brand, absent from the tests' table) is refused with 1504.
    expect(JSON.parse(run.stdout)).toMatchObject({ body: expect.stringContaining('"code":1504') });
    expect(run.stderr).toContain('Request refused');
    // The sample's number is the fixtures' PHONE, which leaksIn always watches.
    expect(leaksIn(run.stderr.split('\n'))).toEqual([]);
  }, 30_000);

  it.each(['=Basic x', 'Auth orization=Basic x'])('refuses the --header %p, whose name is no header name', async (text) => {
    const run = await invoke('authorizer', 'scripts/events/authorizer.json', '--header', text);

    expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('--header takes')]);
  }, 30_000);
});
