import { ReadableStream } from 'node:stream/web';
import * as path from 'node:path';
import { LAZY_STREAM_WEB, REPO_ROOT } from '../../lib/service-function';

describe('lazy-stream-web', () => {
  it('gives node:stream/web’s ReadableStream when asked for it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const shim = require(path.join(REPO_ROOT, LAZY_STREAM_WEB)) as { ReadableStream: unknown };

    expect(shim.ReadableStream).toBe(ReadableStream);
  });
});
