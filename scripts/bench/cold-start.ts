import { execFileSync } from 'node:child_process';
import { median } from './stats';

interface Sample {
  /** Wall-clock time of the require, ms. */
  wallMs: number;
  /** CPU time (user + system) of the process during the require, ms: steadier on a busy machine. */
  cpuMs: number;
}

/** What a `require` of the bundle costs in a fresh node process. */
function requireOnce(file: string, env: NodeJS.ProcessEnv): Sample {
  const code = [
    'const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'const wall = Number(process.hrtime.bigint() - t0) / 1e6; const c = process.cpuUsage(c0);',
    'process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (c.user + c.system) / 1000 }));',
  ].join('');
  const out = execFileSync(process.execPath, ['-e', code], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as Sample;
}

export interface ColdStart {
  samples: Sample[];
  medianMs: number;
  medianCpuMs: number;
}

/**
 * Median `require` time of each bundle over `runs` fresh processes. The bundles take
 * turns, so that a slow moment of the machine falls on all of them alike.
 */
export function measureColdStarts(
  bundles: Record<string, { file: string; env: NodeJS.ProcessEnv }>,
  runs: number,
): Record<string, ColdStart> {
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
