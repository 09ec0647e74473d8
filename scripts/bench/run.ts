/**
 * `npm run bench`: throughput, cold start, bundle size, AWS calls and end-to-end load
 * of the OTP generate path, each against a baseline measured in the same run. Prints
 * the table and writes it, with the machine, to docs/benchmarks.md. Not part of
 * `npm test`: figures depend on the machine and belong in a report, not an assertion.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import type { BuildOptions } from 'esbuild';
import { bundleWith, REPO_ROOT, synthBundles, type Bundle } from './bundle';
import { measureColdStarts, type ColdStart } from './cold-start';
import type { E2eServer } from './e2e-server';
import type { InProcessResult } from './in-process';
import { ratio } from './stats';

const COLD_START_RUNS = 21;
const LOAD_SECONDS = 5;
const LOAD_CONNECTIONS = 10;
const KB = 1024;

const TARGETS = { throughput: 0.5, coldStart: 1.2, generateKb: 700, sequential: 3 };

/**
 * Bundling the construct (lib/service-function.ts) does not use, measured on the side:
 * esbuild's `module` entry points first, so that the AWS SDK's ES modules are
 * tree-shaken instead of whole CommonJS clients; and the credential providers Lambda
 * never reaches (its credentials are in the environment, which the SDK reads first)
 * plus the browser user-agent parser left out.
 */
const PROPOSED: BuildOptions = {
  mainFields: ['module', 'main'],
  external: [
    'bowser',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/token-providers',
    '@aws-sdk/nested-clients',
  ],
};

/** What Lambda adds to a function's own environment. */
function lambdaEnv(bundle: Pick<Bundle, 'file' | 'env'>, name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...bundle.env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dirname(bundle.file),
    _HANDLER: 'index.handler',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    // Lambda runs Node 22; this machine may not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Runs a bench script in a child process (stdout discarded) and waits for its one message. */
function child<T>(script: string, args: string[] = []): Promise<{ message: T; process: ChildProcess }> {
  const proc = fork(join(__dirname, script), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    cwd: REPO_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => {
      const error = (message as { error?: string }).error;
      if (error) reject(new Error(`${script}: ${error}`));
      else resolve({ message: message as T, process: proc });
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before answering`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

interface Load {
  requestsPerSec: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

/** autocannon against a server in a child process, loopback only, for a bounded time. */
async function load(role: 'stack' | 'dynalite'): Promise<Load> {
  const { message: server, process: proc } = await child<E2eServer>('e2e-server.ts', [role]);
  try {
    if (!server.url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load a non-loopback URL: ${server.url}`);
    const result = await autocannon({ url: server.url, connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS, requests: server.requests });
    return {
      requestsPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    };
  } finally {
    await stop(proc);
  }
}

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const x = (value: number) => `${fmt(value, 2)}×`;
const kb = (bytes: number) => fmt(bytes / KB, 1);
const met = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'yes' : '**no**');

interface Results {
  deployed: Record<string, Bundle>;
  clientsOnly: Bundle;
  proposed: Record<string, number>;
  cold: Record<string, ColdStart>;
  inProcess: InProcessResult;
  e2e: Load;
  dynalite: Load;
}

async function measure(): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), 'mfa-otp-bench-'));
  const deployed = synthBundles();
  try {
    console.error('bundled every function as cdk synth does');
    const generate = deployed.functions['otp-generate'] as Bundle;
    const proposed: Record<string, number> = {};
    const proposedFiles: Record<string, string> = {};
    for (const name of [...Object.keys(deployed.functions), 'clients-only']) {
      const entry = name === 'clients-only' ? 'scripts/bench/clients-only.ts' : `functions/${name}/index.ts`;
      const bundle = await bundleWith(entry, join(out, 'proposed', name), PROPOSED);
      proposed[name] = bundle.bytes;
      proposedFiles[name] = bundle.file;
    }

    const cold = measureColdStarts(
      {
        generate: { file: generate.file, env: lambdaEnv(generate, 'otp-generate') },
        clients: { file: deployed.clientsOnly.file, env: lambdaEnv(deployed.clientsOnly, 'clients-only') },
        'generate, tracing off': { file: generate.file, env: lambdaEnv(generate, 'otp-generate', { POWERTOOLS_TRACE_ENABLED: 'false' }) },
        'generate, proposed bundling': {
          file: proposedFiles['otp-generate'] as string,
          env: lambdaEnv({ file: proposedFiles['otp-generate'] as string, env: generate.env }, 'otp-generate'),
        },
        'clients, proposed bundling': {
          file: proposedFiles['clients-only'] as string,
          env: lambdaEnv({ file: proposedFiles['clients-only'] as string, env: deployed.clientsOnly.env }, 'clients-only'),
        },
      },
      COLD_START_RUNS,
    );
    // Every function of the proposed bundling must at least load.
    measureColdStarts(
      Object.fromEntries(
        Object.keys(deployed.functions).map((name) => [
          name,
          { file: proposedFiles[name] as string, env: lambdaEnv({ file: proposedFiles[name] as string, env: (deployed.functions[name] as Bundle).env }, name) },
        ]),
      ),
      0,
    );
    console.error('measured cold starts');

    const { message: inProcess } = await child<InProcessResult>('in-process.ts');
    console.error('measured in-process throughput and calls');
    const dynalite = await load('dynalite');
    const e2e = await load('stack');
    console.error('measured end-to-end load');
    return { deployed: deployed.functions, clientsOnly: deployed.clientsOnly, proposed, cold, inProcess, e2e, dynalite };
  } finally {
    deployed.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
}

function renderTable(r: Results): string {
  const generate = r.deployed['otp-generate'] as Bundle;
  const steady = r.inProcess.scenarios[r.inProcess.scenarios.length - 1];
  const worstSequential = Math.max(...r.inProcess.scenarios.map((s) => s.sequential));
  const throughput = ratio(r.inProcess.generateOpsPerSec, r.inProcess.bareOpsPerSec);
  const coldMs = (name: string) => r.cold[name]?.medianMs ?? Number.NaN;
  const cold = ratio(coldMs('generate'), coldMs('clients'));
  const rows = [
    ['in-process throughput, generate (req/s)', fmt(r.inProcess.generateOpsPerSec), `${fmt(r.inProcess.bareOpsPerSec)} (bare middy)`, x(throughput), `≥ ${TARGETS.throughput}×`, met(throughput >= TARGETS.throughput)],
    ['cold start, require() median (ms)', fmt(coldMs('generate'), 1), `${fmt(coldMs('clients'), 1)} (DynamoDB + SNS clients only)`, x(cold), `≤ ${TARGETS.coldStart}×`, met(cold <= TARGETS.coldStart)],
    ['bundle size, otp-generate (KB)', kb(generate.bytes), `${kb(r.clientsOnly.bytes)} (clients only)`, x(ratio(generate.bytes, r.clientsOnly.bytes)), `≤ ${TARGETS.generateKb} KB`, met(generate.bytes <= TARGETS.generateKb * KB)],
    ['AWS calls per generate (brand cached)', `${steady?.calls.length} calls, ${steady?.sequential} sequential`, 'design: 4 calls, 3 sequential', '', `≤ ${TARGETS.sequential} sequential`, met(worstSequential <= TARGETS.sequential)],
    ['end-to-end generate, local server (req/s)', fmt(r.e2e.requestsPerSec), `${fmt(r.dynalite.requestsPerSec)} (dynalite PutItem)`, x(ratio(r.e2e.requestsPerSec, r.dynalite.requestsPerSec)), 'report', met(r.e2e.non2xx === 0 && r.e2e.errors === 0 ? undefined : false)],
    ['end-to-end latency p50 / p99 (ms)', `${fmt(r.e2e.p50, 1)} / ${fmt(r.e2e.p99, 1)}`, `${fmt(r.dynalite.p50, 1)} / ${fmt(r.dynalite.p99, 1)} (dynalite PutItem)`, '', 'report', met(undefined)],
  ];
  return [
    '| measure | value | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function renderDetails(r: Results): string {
  const coldRow = (name: string, note: string) => {
    const c = r.cold[name];
    if (!c) return '';
    const samples = c.samples.map((s) => fmt(s.wallMs, 0)).join(', ');
    return `| ${name} | ${fmt(c.medianMs, 1)} | ${fmt(c.medianCpuMs, 1)} | ${note} | ${samples} |`;
  };
  const clients = r.cold.clients?.medianMs ?? Number.NaN;
  const proposedClients = r.cold['clients, proposed bundling']?.medianMs ?? Number.NaN;
  const sizes = Object.entries(r.deployed)
    .map(([name, b]) => `| ${name} | ${kb(b.bytes)} | ${kb(r.proposed[name] ?? 0)} |`)
    .join('\n');
  const costs = Object.entries(r.inProcess.costs)
    .map(([piece, us]) => `| ${piece} | ${fmt(us, 1)} |`)
    .join('\n');
  const rounds = r.inProcess.rounds.map((round) => `${fmt(round.generate)} / ${fmt(round.bare)}`).join('; ');
  const scenarios = r.inProcess.scenarios
    .map((s) => `| ${s.name} | ${s.calls.join(' → ')} | ${s.calls.length} | ${s.sequential} |`)
    .join('\n');
  return [
    '### Bundle sizes (KB, minified, AWS SDK bundled, without the source map)',
    '',
    '| function | as deployed (`cdk synth`) | with the proposed bundling |',
    '|---|---|---|',
    sizes,
    `| *baseline: DynamoDB + SNS clients only* | ${kb(r.clientsOnly.bytes)} | ${kb(r.proposed['clients-only'] ?? 0)} |`,
    '',
    '### Cold start (`require` in a fresh node process, ms)',
    '',
    '| bundle | wall median | CPU median | ratio | samples (wall, run order) |',
    '|---|---|---|---|---|',
    coldRow('generate', `${x(ratio(r.cold.generate?.medianMs ?? 0, clients))} of clients`),
    coldRow('clients', 'baseline'),
    coldRow('generate, tracing off', `${x(ratio(r.cold['generate, tracing off']?.medianMs ?? 0, clients))} of clients`),
    coldRow('generate, proposed bundling', `${x(ratio(r.cold['generate, proposed bundling']?.medianMs ?? 0, proposedClients))} of clients, proposed`),
    coldRow('clients, proposed bundling', 'baseline, proposed'),
    '',
    '### In-process throughput rounds (generate / bare, req/s)',
    '',
    rounds,
    '',
    '### Where a generate request spends its time (µs per call, measured alone)',
    '',
    '| piece | µs |',
    '|---|---|',
    costs,
    '',
    '### AWS calls of one successful generate (dynalite, SNS answering in 2 ms)',
    '',
    '| case | calls in start order | calls | sequential |',
    '|---|---|---|---|',
    scenarios,
    '',
    '### Load (autocannon, loopback)',
    '',
    `- generate through the local server: ${fmt(r.e2e.total)} requests, ${r.e2e.non2xx} non-2xx, ${r.e2e.errors} errors/timeouts`,
    `- dynalite PutItem: ${fmt(r.dynalite.total)} requests, ${r.dynalite.non2xx} non-2xx, ${r.dynalite.errors} errors/timeouts`,
  ].join('\n');
}

/** What the misses come from, in this run's own figures. */
function renderReading(r: Results): string {
  const costs = r.inProcess.costs;
  const bare = costs['bare middy handler (the baseline)'] ?? Number.NaN;
  const route = costs["middy with the routes' middlewares (jsonRoute), empty handler"] ?? Number.NaN;
  const parse = costs[`normalise +18767431754 (libphonenumber, a NANP number)`] ?? Number.NaN;
  const log = costs['one log line (Powertools Logger)'] ?? Number.NaN;
  const emf = costs['one EMF metric line, with the country'] ?? Number.NaN;
  const cold = (name: string) => r.cold[name]?.medianMs ?? Number.NaN;
  const clients = cold('clients');
  const tracing = cold('generate') - cold('generate, tracing off');
  const generateKb = (r.deployed['otp-generate']?.bytes ?? 0) / KB;
  const proposedKb = (r.proposed['otp-generate'] ?? 0) / KB;
  return [
    `- **Throughput**: the routes' middleware list alone (an empty handler behind jsonRoute) costs ${fmt(route, 1)} µs a call against the bare handler's ${fmt(bare, 1)} µs, which by itself caps the ratio near ${x(bare / route)}. A generate request then normalises the number with libphonenumber (${fmt(parse, 1)} µs for the spec's NANP number), writes a log line (${fmt(log, 1)} µs) and an EMF line with the number's country (${fmt(emf, 1)} µs, a second libphonenumber parse included), besides HMAC, zod and four SDK commands. The target is out of reach of any handler that validates numbers, logs and counts.`,
    `- **Cold start**: tracing (the X-Ray SDK under Powertools Tracer, loaded only on Lambda) costs ${fmt(tracing, 1)} ms, ${fmt((100 * tracing) / clients, 0)} % of the clients-only load; with tracing off the ratio is ${x(ratio(cold('generate, tracing off'), clients))}. The rest is Powertools Logger and Parameters (the pepper's Secrets Manager client), middy (which loads node:stream/web), libphonenumber's metadata and zod. The proposed bundling takes the generate cold start from ${fmt(cold('generate'), 1)} to ${fmt(cold('generate, proposed bundling'), 1)} ms, but shrinks the clients-only baseline more, so its ratio looks worse.`,
    `- **Bundle size**: ${fmt(generateKb, 1)} KB as the construct bundles today: the SDK's whole CommonJS clients, credential providers Lambda never reaches (SSO, INI, web identity, login and their nested STS/SSO clients) and the browser user-agent parser, plus the X-Ray SDK. With the proposed bundling (a change to lib/service-function.ts) it is ${fmt(proposedKb, 1)} KB.`,
  ].join('\n');
}

function renderDocument(table: string, reading: string, details: string, seconds: number, load: number[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `# Benchmarks

Written by \`npm run bench\` (scripts/bench/run.ts); do not edit by hand. Every figure
is a ratio against a baseline measured in the same run on the same machine.

- Machine: ${cpu}, ${cpus().length} cores; load average at the start ${load.map((l) => fmt(l, 2)).join(' / ')}
- Node: ${process.version} (the functions run on Node 22 on Lambda)
- Date: ${new Date().toISOString()}
- Bench duration: ${fmt(seconds, 0)} s

${table}

## Reading the misses

${reading}

## How each figure is measured

- **In-process throughput**: the otp-generate handler with DynamoDB and SNS answering at
  once (fakes in place of the clients' \`send\`), 32 requests in flight, three rounds of
  1.5 s alternating with a bare middy handler that parses the JSON body and returns 200;
  medians. The handlers log and write EMF to a discarded stdout, as on Lambda.
- **Bundles**: the real stack (lib/app.ts, context from cdk.json) synthesized with
  bundling on, so every file is the one \`cdk deploy\` would upload; the baseline
  (scripts/bench/clients-only.ts) is bundled by the same construct. "Proposed bundling"
  is esbuild with the construct's options plus \`mainFields: module,main\` and the
  credential providers Lambda never reaches left external (see scripts/bench/run.ts).
- **Cold start**: each bundle \`require\`d in a fresh \`node\` process with its deployed
  environment (\`--enable-source-maps\` included) and what Lambda adds
  (\`AWS_EXECUTION_ENV\`, \`LAMBDA_TASK_ROOT\`, credentials: tracing is on, as deployed),
  ${COLD_START_RUNS} times, the bundles taking turns; medians of wall-clock time, CPU time beside.
- **AWS calls**: client \`send\` wrapped to record each call's start and end, against
  dynalite and an SNS that answers in 2 ms; "sequential" is the longest chain of calls each
  starting after the previous one ended.
- **End to end**: autocannon (${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s, loopback)
  against the local stack (API server, authorizer with its cache, handlers, dynalite in one
  process) in a child process, rotating over 200 sessions with distinct numbers; the floor
  is autocannon sending PutItem straight to dynalite, alone in a child process, the same way.

## Details

${details}
`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg();
  const results = await measure();
  const table = renderTable(results);
  const seconds = (Date.now() - started) / 1000;
  console.log(table);
  writeFileSync(join(REPO_ROOT, 'docs', 'benchmarks.md'), renderDocument(table, renderReading(results), renderDetails(results), seconds, load));
  console.error(`wrote docs/benchmarks.md in ${fmt(seconds, 0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
