import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/permissions';
import { LAZY_MODULES } from '../../lib/service-function';
import { synth, type Synthesized } from './synth';

describe('function bundling', () => {
  let bundled: Synthesized;
  let outdir: string;

  beforeAll(() => {
    bundled = synth({}, { bundle: true });
    outdir = bundled.app.synth().directory;
  });

  function bundleOf(name: FunctionName): string {
    const asset = bundled.stack.functions[name].fn.node.findChild('Code') as Asset;
    return path.resolve(outdir, asset.assetPath);
  }

  it.each(FUNCTION_NAMES)('bundles %s with esbuild into one CommonJS file and its source map', (name) => {
    const dir = bundleOf(name);

    expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
    expect(existsSync(path.join(dir, 'index.js.map'))).toBe(true);
  });

  it.each(FUNCTION_NAMES)('bundles the AWS SDK clients into %s instead of loading the runtime’s copy', (name) => {
    const code = readFileSync(path.join(bundleOf(name), 'index.js'), 'utf8');

    // Optional SDK extras (CRT signer, credential-providers) stay behind try/require; the clients may not.
    expect(code.match(/require\("@aws-sdk\/(client|lib)-[^"]*"\)/g)).toBeNull();
    expect(code.match(/^import /m)).toBeNull();
  });

  it('loads node:stream/web only when asked for it, since no route streams its answer', () => {
    const task = mkdtempSync(path.join(tmpdir(), 'mfa-otp-task-'));
    try {
      cpSync(bundleOf('otp-generate'), task, { recursive: true });
      const env = { ...process.env, TABLE_NAME: 'mfa-otp-table', OTP_PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper', OTP_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:otp', AWS_REGION: 'us-east-1' };
      const loaded = (what: string) =>
        execFileSync(process.execPath, ['-e', `${what}; process.stdout.write(String(process.moduleLoadList.includes('NativeModule stream/web')))`], { cwd: task, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

      expect(loaded("require('./index.js')")).toBe('false');
      expect(loaded("require('node:stream/web')")).toBe('true');
    } finally {
      rmSync(task, { recursive: true, force: true });
    }
  });

  it('reports an error thrown in a deployed bundle at its source file, without node --enable-source-maps', () => {
    const task = mkdtempSync(path.join(tmpdir(), 'mfa-otp-task-'));
    try {
      cpSync(bundleOf('otp-generate'), task, { recursive: true });
      const env = { PATH: process.env.PATH, TABLE_NAME: 'mfa-otp-table', OTP_PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper', OTP_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:otp', AWS_REGION: 'us-east-1' };
      // middy refuses a null middleware: a TypeError thrown inside the bundle's own code.
      const thrown = "try { require('./index.js').handler.use(null) } catch (error) { process.stdout.write(error.stack) }";

      const [header, frame] = execFileSync(process.execPath, ['-e', thrown], { cwd: task, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n');

      expect(header).toMatch(/^TypeError: /);
      expect(frame).toMatch(/node_modules\/@middy\/core\/index\.js:\d+:\d+\)$/);
    } finally {
      rmSync(task, { recursive: true, force: true });
    }
  });

  describe('libphonenumber, bundled apart', () => {
    it.each(['otp-generate', 'otp-validate', 'token-generate'] as const)('is required by %s from a file beside index.js, not compiled into it', (name) => {
      const code = readFileSync(path.join(bundleOf(name), 'index.js'), 'utf8');

      expect(Object.keys(LAZY_MODULES)).toContain('phone-parser');
      expect(code).toContain('require("./phone-parser")');
      expect(code).not.toContain('INVALID_COUNTRY');
    });

    it.each(FUNCTION_NAMES)('parses a number in a copy of the %s folder of its own, as Lambda unpacks it', (name) => {
      const task = mkdtempSync(path.join(tmpdir(), 'mfa-otp-task-'));
      try {
        cpSync(bundleOf(name), task, { recursive: true });
        const parse = "const p = require('./phone-parser.js').parsePhoneNumberFromString('+18767431754'); process.stdout.write(p.number + ' ' + p.country)";

        expect(execFileSync(process.execPath, ['-e', parse], { cwd: task, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('+18767431754 JM');
      } finally {
        rmSync(task, { recursive: true, force: true });
      }
    });
  });
});
