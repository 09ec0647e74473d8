import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/permissions';
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
});
