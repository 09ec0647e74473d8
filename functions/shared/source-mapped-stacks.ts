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
 * The source name of the function a frame runs, as its caller wrote it: the name the map
 * gives the caller's call site, when the caller lies in the same bundle (as node names
 * mapped frames). A call through a property keeps V8's name, which is not minified.
 */
function calledName(map: SourceMap, site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string | undefined {
  if (!caller || caller.getFileName() !== site.getFileName()) return undefined;
  const line = caller.getLineNumber();
  const column = caller.getColumnNumber();
  return (line && column && originOf(map, line, column)?.name) || undefined;
}

/** One frame, at its source position when it lies in a bundle under `root` that has a map. */
function sourceFrame(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined, root: string): string {
  const frame = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const map = file?.startsWith(root) ? sourceMapOf(file) : null;
  const origin = map && line && column ? originOf(map, line, column) : undefined;
  if (!file || !map || !origin) return frame;
  const location = `${resolve(dirname(file), origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}`;
  const name = calledName(map, site, caller);
  // V8 writes `<label> (<file>:<line>:<column>)`, or the position alone for an anonymous frame.
  const label = name ? `${site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : ''}${name}` : frame.endsWith(')') ? frame.slice(0, frame.lastIndexOf(' (')) : '';
  return label ? `${label} (${location})` : location;
}

/**
 * Formats every stack from now on with the frames of bundles under `root` at their
 * source positions; the first line is the runtime's own (node's, with an error's code).
 * Only a bundle has maps to read: the TypeScript sources (tests, the local stack) keep
 * the runtime's own stack traces.
 */
export function installSourceMappedStacks(root: string): void {
  const runtimeFormat = Error.prepareStackTrace;
  const header = (error: Error): string => {
    try {
      return runtimeFormat ? String(runtimeFormat(error, [])) : Error.prototype.toString.call(error);
    } catch {
      return '<error>';
    }
  };
  Error.prepareStackTrace = (error, sites) => {
    const frames = sites.map((site, i) => {
      try {
        return sourceFrame(site, sites[i + 1], root);
      } catch {
        return String(site);
      }
    });
    return header(error) + frames.map((frame) => `\n    at ${frame}`).join('');
  };
}

/** A bundle (index.js with its map beside it), not the TypeScript sources. */
export const runsFromBundle = (file: string): boolean => file.endsWith('.js');
