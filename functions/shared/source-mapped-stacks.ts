import { readFileSync } from 'node:fs';
import { SourceMap, type SourceOrigin } from 'node:module';
import { dirname, resolve } from 'node:path';

/**
 * Stack traces of a bundled function that point at its sources, as `node
 * --enable-source-maps` gives them, without what that flag costs every cold start: it
 * scans each bundle and reads its map as the bundle loads, about 10 ms of a generate
 * cold start (docs/benchmarks.md). Here a map is read when a stack beside it is first
 * formatted, which on the service's paths means when an error is logged.
 */

const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      // No readable map: the frame stays as V8 wrote it.
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

function originOf(map: SourceMap, line: number, column: number): SourceOrigin | undefined {
  const origin = map.findOrigin(line, column);
  return 'fileName' in origin ? origin : undefined;
}

/**
 * One frame, at its source position when it lies in a bundle under `root` that has a map.
 * The function's name stays as V8 gives it: a map's names do not say which function
 * encloses a position, and a wrong name misleads more than a minified one.
 */
function sourceFrame(site: NodeJS.CallSite, root: string): string {
  const frame = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const map = file?.startsWith(root) ? sourceMapOf(file) : null;
  const origin = map && line && column ? originOf(map, line, column) : undefined;
  if (!file || !origin) return frame;
  return frame.replace(`${file}:${line}:${column}`, `${resolve(dirname(file), origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}`);
}

function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/**
 * Formats every stack from now on with the frames of bundles under `root` at their
 * source positions. Only a bundle has maps to read: the TypeScript sources (tests, the
 * local stack) keep the runtime's own stack traces.
 */
export function installSourceMappedStacks(root: string): void {
  Error.prepareStackTrace = (error, sites) => {
    const frames = sites.map((site) => {
      try {
        return sourceFrame(site, root);
      } catch {
        return String(site);
      }
    });
    return header(error) + frames.map((frame) => `\n    at ${frame}`).join('');
  };
}

/** A bundle (index.js with its map beside it), not the TypeScript sources. */
export const runsFromBundle = (file: string): boolean => file.endsWith('.js');
