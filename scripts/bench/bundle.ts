import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { buildApp } from '../../lib/app';
import { LAZY_MODULES, REPO_ROOT, ServiceFunction } from '../../lib/service-function';

export { REPO_ROOT };

export interface Bundle {
  file: string;
  /** Size of the minified JavaScript, without its source map. */
  bytes: number;
  /** Sizes of the files bundled apart beside index.js (LAZY_MODULES), required only when needed. */
  lazyBytes: Record<string, number>;
  /** The function's environment as deployed, CloudFormation references replaced by placeholders. */
  env: Record<string, string>;
}

export interface Deployed {
  functions: Record<string, Bundle>;
  /** scripts/bench/clients-only.ts, bundled by the same construct: the cold-start baseline. */
  clientsOnly: Bundle;
  /** scripts/bench/required-libraries.ts, bundled by the same construct: the cold-start floor. */
  requiredLibraries: Bundle;
  cleanup(): void;
}

/** A stand-in for a value only CloudFormation knows (a table name, an ARN). */
const placeholder = (name: string) =>
  name.endsWith('_ARN') ? `arn:aws:service:us-east-1:123456789012:bench-${name.toLowerCase()}` : `bench-${name.toLowerCase()}`;

function bundleOf(fn: ServiceFunction, assembly: string): Bundle {
  const dir = resolve(assembly, (fn.fn.node.findChild('Code') as Asset).assetPath);
  const file = join(dir, 'index.js');
  const cfn = fn.fn.node.defaultChild as CfnFunction;
  const variables = (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  const env = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : placeholder(name)]),
  );
  const lazyBytes = Object.fromEntries(Object.keys(LAZY_MODULES).map((name) => [name, statSync(join(dirname(file), `${name}.js`)).size]));
  return { file, bytes: statSync(file).size, lazyBytes, env };
}

/**
 * Every function as `cdk synth` bundles it: the real stack (lib/app.ts with the
 * context of cdk.json) synthesized with bundling on, so the bench measures the files
 * that would be deployed and follows any change to the construct's bundling.
 */
export function synthBundles(): Deployed {
  const outdir = mkdtempSync(join(tmpdir(), 'mfa-otp-bench-cdk-'));
  const context = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const app = new App({ context, outdir });
  const stack = buildApp(app);
  const baselines = new Stack(app, 'BenchBaseline');
  const baseline = (id: string, entry: string, description: string) =>
    new ServiceFunction(baselines, id, { entry, description, logRetention: RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY });
  const clientsOnly = baseline('ClientsOnly', 'scripts/bench/clients-only.ts', 'npm run bench: the DynamoDB and SNS clients only');
  const requiredLibraries = baseline('RequiredLibraries', 'scripts/bench/required-libraries.ts', 'npm run bench: the clients and libraries generate must load');
  const assembly = app.synth().directory;
  const functions = Object.fromEntries(
    Object.entries(stack.functions).map(([name, fn]) => [name, bundleOf(fn as ServiceFunction, assembly)]),
  );
  return {
    functions,
    clientsOnly: bundleOf(clientsOnly, assembly),
    requiredLibraries: bundleOf(requiredLibraries, assembly),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
