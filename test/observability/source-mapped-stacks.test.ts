import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const MODULE = path.resolve(__dirname, '../../functions/shared/source-mapped-stacks.ts');

// Line 5 of the fixture throws; line 9 calls the function that throws.
const FIXTURE = `import { installSourceMappedStacks } from ${JSON.stringify(MODULE)};
installSourceMappedStacks(__dirname);

function failDeep(): never {
  throw new RangeError('thrown in the fixture');
}

export function stackOfFailure(): string {
  try { failDeep(); } catch (error) { return (error as Error).stack ?? ''; }
  return '';
}

export function stackOfNodeError(): string {
  try { Buffer.from(undefined as unknown as string); } catch (error) { return (error as Error).stack ?? ''; }
  return '';
}
`;

describe('source-mapped stacks', () => {
  let dir: string;
  let bundle: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mfa-otp-stacks-'));
    const source = path.join(dir, 'fixture.ts');
    writeFileSync(source, FIXTURE);
    bundle = path.join(dir, 'task', 'index.js');
    // As the construct bundles a function: minified, one CommonJS file, its map beside it.
    buildSync({ entryPoints: [source], outfile: bundle, bundle: true, minify: true, platform: 'node', format: 'cjs', sourcemap: true, sourcesContent: false, logLevel: 'silent' });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stackFromBundle = (of = 'stackOfFailure') =>
    execFileSync(process.execPath, ['-e', `process.stdout.write(require(process.argv[1]).${of}())`, bundle], { encoding: 'utf8' }).split('\n');

  it('reports frames of the bundle at their source lines when a map lies beside it', () => {
    const [header, throwing, calling] = stackFromBundle();

    expect(header).toBe('RangeError: thrown in the fixture');
    expect(throwing).toContain(`${path.join(dir, 'fixture.ts')}:5:`);
    expect(calling).toContain(`${path.join(dir, 'fixture.ts')}:9:`);
  });

  it('names a function the bundle calls by its source name, not its minified one', () => {
    const [, throwing] = stackFromBundle();

    expect(throwing).toMatch(/^ {4}at failDeep \(/);
  });

  it('keeps node’s own first line, an error’s code included', () => {
    const [header, , calling] = stackFromBundle('stackOfNodeError');

    expect(header).toMatch(/^TypeError \[ERR_INVALID_ARG_TYPE\]: /);
    expect(calling).toContain(`${path.join(dir, 'fixture.ts')}:14:`);
  });

  it('leaves frames outside the bundle as the runtime writes them', () => {
    const lines = stackFromBundle();

    expect(lines.some((line) => line.includes('[eval]'))).toBe(true);
    expect(lines.filter((line) => line.includes('index.js:'))).toEqual([]);
  });

  it('keeps the bundle positions when there is no map to read', () => {
    unlinkSync(`${bundle}.map`);

    const [header, throwing] = stackFromBundle();

    expect(header).toBe('RangeError: thrown in the fixture');
    expect(throwing).toMatch(/index\.js:\d+:\d+\)?$/);
  });
});
