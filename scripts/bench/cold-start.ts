import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { median } from './stats';

/** A bundle to load: its index.js and the environment of its function. */
export interface LoadTarget {
  file: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Every folder outside the bundle's own where node would search for a module the bundle
 * requires (env's NODE_PATH aside): node_modules of each folder above it, and node's
 * global folders (module.globalPaths).
 */
function outsideModuleFolders(file: string): string[] {
  const folders: string[] = [];
  for (let dir = dirname(dirname(file)); ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') folders.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) break;
  }
  folders.push(join(homedir(), '.node_modules'), join(homedir(), '.node_libraries'), join(dirname(dirname(process.execPath)), 'lib', 'node'));
  return folders;
}

export interface Isolated {
  /** The copy of each bundle's index.js, by the names given. */
  files: Record<string, string>;
  cleanup(): void;
}

/**
 * Copies each bundle's folder (index.js and its source map, as `cdk deploy` would upload
 * it) into a folder of its own under a fresh temporary directory, as Lambda unpacks a
 * function into /var/task. A module the bundle leaves external then fails to resolve as
 * it would on Lambda, instead of being found in the repository's node_modules. Throws
 * if any folder node would look in for such a module exists.
 */
export function isolate(files: Record<string, string>): Isolated {
  const root = mkdtempSync(join(tmpdir(), 'mfa-otp-bench-lambda-'));
  try {
    const copies = Object.fromEntries(
      Object.entries(files).map(([name, file]) => {
        const taskRoot = join(root, name.replace(/[^a-z0-9-]/gi, '_'));
        cpSync(dirname(file), taskRoot, { recursive: true });
        const copy = join(taskRoot, basename(file));
        const reachable = outsideModuleFolders(copy).filter((folder) => existsSync(folder));
        if (reachable.length > 0) {
          throw new Error(`${name}: the isolated copy could still resolve modules from ${reachable.join(', ')}`);
        }
        return [name, copy];
      }),
    );
    return { files: copies, cleanup: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

const loadEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  if (env.NODE_PATH) throw new Error(`NODE_PATH would let a bundle resolve modules outside its folder: ${env.NODE_PATH}`);
  return env;
};

/**
 * Requires every bundle in a fresh node process with its environment, from its own
 * folder as working directory, and checks it exports `handler`. Throws, naming each
 * bundle that does not load and why.
 */
export function checkLoads(bundles: Record<string, LoadTarget>): void {
  const code = [
    'try {',
    '  const m = require(process.argv[1]);',
    "  if (typeof m.handler !== 'function') throw new Error('no handler function exported');",
    '} catch (e) {',
    "  process.stderr.write(String((e && e.stack) || e).split('\\n').slice(0, 4).map((l) => l.slice(0, 300)).join('\\n'));",
    '  process.exit(1);',
    '}',
  ].join('\n');
  const failures: string[] = [];
  for (const [name, { file, env }] of Object.entries(bundles)) {
    const result = spawnSync(process.execPath, ['-e', code, file], { env: loadEnv(env), cwd: dirname(file), encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) failures.push(`- ${name} (${file}): ${result.error?.message ?? (result.stderr.trim() || `exit ${result.status ?? result.signal}`)}`);
  }
  if (failures.length > 0) throw new Error(`bundles that do not load on their own, as on Lambda:\n${failures.join('\n')}`);
}

interface Sample {
  /** Wall-clock time of the require, ms. */
  wallMs: number;
  /** CPU time (user + system) of the process during the require, ms: steadier on a busy machine. */
  cpuMs: number;
}

/** What a `require` of the bundle costs in a fresh node process, run from the bundle's folder. */
function requireOnce(file: string, env: NodeJS.ProcessEnv): Sample {
  const code = [
    'const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'const wall = Number(process.hrtime.bigint() - t0) / 1e6; const c = process.cpuUsage(c0);',
    'process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (c.user + c.system) / 1000 }));',
  ].join('');
  const out = execFileSync(process.execPath, ['-e', code], { env: loadEnv(env), cwd: dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as Sample;
}

export interface ColdStart {
  samples: Sample[];
  medianMs: number;
  medianCpuMs: number;
}

/**
 * Median `require` time of each bundle over `runs` fresh processes. The bundles take
 * turns, so that a slow moment of the machine falls on all of them alike. Give it the
 * copies `isolate` made, so that nothing resolves from the repository's node_modules.
 */
export function measureColdStarts(bundles: Record<string, LoadTarget>, runs: number): Record<string, ColdStart> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(bundles).map((name) => [name, []]));
  // One unmeasured round warms the file cache.
  for (const { file, env } of Object.values(bundles)) requireOnce(file, env);
  for (let run = 0; run < runs; run++) {
    for (const [name, { file, env }] of Object.entries(bundles)) samples[name]?.push(requireOnce(file, env));
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      { samples: values, medianMs: median(values.map((s) => s.wallMs)), medianCpuMs: median(values.map((s) => s.cpuMs)) },
    ]),
  );
}
