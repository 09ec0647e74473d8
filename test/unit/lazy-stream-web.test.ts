describe('lazy-stream-web', () => {
  it('has every export of node:stream/web, each the same as node’s', () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const shim = require('../../functions/shared/lazy-stream-web.cjs') as Record<string, unknown>;
    const streamWeb = require('node:stream/web') as Record<string, unknown>;
    /* eslint-enable @typescript-eslint/no-require-imports */

    expect(Object.keys(shim).sort()).toEqual(Object.keys(streamWeb).sort());
    for (const name of Object.keys(streamWeb)) expect(shim[name]).toBe(streamWeb[name]);
  });
});
