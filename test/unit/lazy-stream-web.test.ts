import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const SHIM = path.resolve(__dirname, '../../functions/shared/lazy-stream-web.cjs');

describe('lazy-stream-web', () => {
  it('has every export of node:stream/web, each the same as node’s', () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const shim = require(SHIM) as Record<string, unknown>;
    const streamWeb = require('node:stream/web') as Record<string, unknown>;
    /* eslint-enable @typescript-eslint/no-require-imports */

    expect(Object.keys(shim).sort()).toEqual(Object.keys(streamWeb).sort());
    for (const name of Object.keys(streamWeb)) expect(shim[name]).toBe(streamWeb[name]);
  });

  it('loads node:stream/web only once an export is read', () => {
    const loaded = "process.moduleLoadList.includes('NativeModule stream/web')";
    const script = `const shim = require(${JSON.stringify(SHIM)}); const before = ${loaded}; shim.ReadableStream; process.stdout.write(JSON.stringify([before, ${loaded}]))`;

    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([false, true]);
  });
});
