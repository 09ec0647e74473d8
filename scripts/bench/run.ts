/**
 * `npm run bench`: throughput, cold start, bundle size, AWS calls and end-to-end load
 * of the OTP generate path, each against a baseline measured in the same run. Prints
 * the table and writes it, with the machine, to docs/benchmarks.md. Not part of
 * `npm test`: figures depend on the machine and belong in a report, not an assertion.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT, synthBundles, type Bundle } from './bundle';
import { checkLoads, isolate, measureColdStarts, type ColdStart, type LoadTarget } from './cold-start';
import type { E2eServer } from './e2e-server';
import type { CallScenario, InProcessResult } from './in-process';
import { ratio, STEADY_STATE } from './stats';

const COLD_START_RUNS = 21;
const LOAD_SECONDS = 5;
const LOAD_CONNECTIONS = 10;
const KB = 1024;

const TARGETS = { throughput: 0.5, coldStart: 1.2, generateKb: 700, sequential: 3 };

/** A bundle's isolated copy with its deployed environment and what Lambda adds to it. */
function lambdaTarget(file: string, bundle: Bundle, name: string, extra: Record<string, string> = {}): LoadTarget {
  return { file, env: lambdaEnv(file, bundle, name, extra) };
}

function lambdaEnv(file: string, bundle: Bundle, name: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...bundle.env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dirname(file),
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
  requiredLibraries: Bundle;
  cold: Record<string, ColdStart>;
  inProcess: InProcessResult;
  e2e: Load;
  dynalite: Load;
}

async function measure(): Promise<Results> {
  const deployed = synthBundles();
  let isolated: ReturnType<typeof isolate> | undefined;
  try {
    console.error('bundled every function as cdk synth does');
    const bundles: Record<string, Bundle> = {
      ...deployed.functions,
      'clients-only': deployed.clientsOnly,
      'required-libraries': deployed.requiredLibraries,
    };
    isolated = isolate(Object.fromEntries(Object.entries(bundles).map(([name, bundle]) => [name, bundle.file])));
    const copies = isolated.files;
    const target = (name: string, extra?: Record<string, string>) => lambdaTarget(copies[name] as string, bundles[name] as Bundle, name, extra);

    // Every deployed bundle must load from a folder of its own, as on Lambda: a module it
    // leaves external and needs at load would resolve from node_modules in the repository.
    checkLoads(Object.fromEntries(Object.keys(bundles).map((name) => [name, target(name)])));
    console.error(`every bundle loads on its own: ${Object.keys(bundles).join(', ')}`);

    const cold = measureColdStarts(
      {
        generate: target('otp-generate'),
        clients: target('clients-only'),
        'required libraries': target('required-libraries'),
        'generate, tracing off': target('otp-generate', { POWERTOOLS_TRACE_ENABLED: 'false' }),
      },
      COLD_START_RUNS,
    );
    console.error('measured cold starts');

    const { message: inProcess } = await child<InProcessResult>('in-process.ts');
    console.error('measured in-process throughput and calls');
    const dynalite = await load('dynalite');
    const e2e = await load('stack');
    console.error('measured end-to-end load');
    return { deployed: deployed.functions, clientsOnly: deployed.clientsOnly, requiredLibraries: deployed.requiredLibraries, cold, inProcess, e2e, dynalite };
  } finally {
    isolated?.cleanup();
    deployed.cleanup();
  }
}

/** The scenario with the longest chain of sequential calls, the most calls breaking a tie. */
function worstCase(scenarios: readonly CallScenario[]): CallScenario {
  return scenarios.reduce((a, b) => (b.sequential > a.sequential || (b.sequential === a.sequential && b.calls.length > a.calls.length) ? b : a));
}

function renderTable(r: Results): string {
  const generate = r.deployed['otp-generate'] as Bundle;
  const ofType = (type: string) => r.inProcess.scenarios.filter((s) => s.identifierType === type);
  const mobile = worstCase(ofType('MOBILE'));
  const username = worstCase(ofType('USERNAME'));
  const callsCell = (s: typeof mobile) => `${s.calls.length} calls, ${s.sequential} sequential`;
  const throughput = ratio(r.inProcess.generateOpsPerSec, r.inProcess.bareOpsPerSec);
  const coldMs = (name: string) => r.cold[name]?.medianMs ?? Number.NaN;
  const cold = ratio(coldMs('generate'), coldMs('clients'));
  const rows = [
    ['in-process throughput, generate (req/s)', fmt(r.inProcess.generateOpsPerSec), `${fmt(r.inProcess.bareOpsPerSec)} (bare middy)`, x(throughput), `≥ ${TARGETS.throughput}×`, met(throughput >= TARGETS.throughput)],
    ['in-process throughput, the schema and HMAC generate must compute, nothing written (req/s)', fmt(r.inProcess.computeOpsPerSec), `${fmt(r.inProcess.bareOpsPerSec)} (bare middy)`, x(ratio(r.inProcess.computeOpsPerSec, r.inProcess.bareOpsPerSec)), 'report', met(undefined)],
    ['in-process throughput, two lines written by hand (req/s)', fmt(r.inProcess.linesOpsPerSec), `${fmt(r.inProcess.bareOpsPerSec)} (bare middy)`, x(ratio(r.inProcess.linesOpsPerSec, r.inProcess.bareOpsPerSec)), 'report', met(undefined)],
    ['in-process throughput, generate against its logging floor (req/s)', fmt(r.inProcess.generateOpsPerSec), `${fmt(r.inProcess.floorOpsPerSec)} (bare middy + one log line + one EMF line)`, x(ratio(r.inProcess.generateOpsPerSec, r.inProcess.floorOpsPerSec)), 'report', met(undefined)],
    ['cold start, require() median (ms)', fmt(coldMs('generate'), 1), `${fmt(coldMs('clients'), 1)} (DynamoDB + SNS clients only)`, x(cold), `≤ ${TARGETS.coldStart}×`, met(cold <= TARGETS.coldStart)],
    ['cold start, the libraries generate must load (ms)', fmt(coldMs('required libraries'), 1), `${fmt(coldMs('clients'), 1)} (DynamoDB + SNS clients only)`, x(ratio(coldMs('required libraries'), coldMs('clients'))), 'report', met(undefined)],
    ['cold start, generate against those libraries (ms)', fmt(coldMs('generate'), 1), `${fmt(coldMs('required libraries'), 1)} (clients, Powertools, middy, zod)`, x(ratio(coldMs('generate'), coldMs('required libraries'))), 'report', met(undefined)],
    ['bundle size, otp-generate (KB)', kb(generate.bytes), `${kb(r.clientsOnly.bytes)} (clients only)`, x(ratio(generate.bytes, r.clientsOnly.bytes)), `≤ ${TARGETS.generateKb} KB`, met(generate.bytes <= TARGETS.generateKb * KB)],
    ['AWS calls per generate, MOBILE, worst case measured', callsCell(mobile), `(${mobile.name})`, '', `≤ ${TARGETS.sequential} sequential`, met(mobile.sequential <= TARGETS.sequential)],
    ['AWS calls per generate, USERNAME / EXTERNALID, worst case measured', callsCell(username), `(${username.name})`, '', `≤ ${TARGETS.sequential} sequential`, met(username.sequential <= TARGETS.sequential)],
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
  const generateLazy = r.deployed['otp-generate']?.lazyBytes ?? {};
  const sizes = Object.entries(r.deployed)
    .map(([name, b]) => `| ${name} | ${kb(b.bytes)} |`)
    .join('\n');
  const costs = Object.entries(r.inProcess.costs)
    .map(([piece, us]) => `| ${piece} | ${fmt(us, 1)} |`)
    .join('\n');
  const rounds = r.inProcess.rounds.map((round) => `${fmt(round.generate)} / ${fmt(round.floor)} / ${fmt(round.lines)} / ${fmt(round.compute)} / ${fmt(round.bare)}`).join('; ');
  const scenarios = r.inProcess.scenarios
    .map((s) => `| ${s.name} | ${s.calls.join(' → ')} | ${s.calls.length} | ${s.sequential} |`)
    .join('\n');
  return [
    '### Bundle sizes (KB, minified, AWS SDK bundled, without the source map)',
    '',
    '| function | as deployed (`cdk synth`) |',
    '|---|---|',
    sizes,
    `| *baseline: DynamoDB + SNS clients only* | ${kb(r.clientsOnly.bytes)} |`,
    `| *floor: the clients and libraries generate must load* | ${kb(r.requiredLibraries.bytes)} |`,
    '',
    `Beside each index.js, bundled apart: ${Object.entries(generateLazy).map(([name, bytes]) => `${name}.js, ${kb(bytes)} KB`).join('; ')} (libphonenumber), required at start by token-generate and, by otp-generate and otp-validate, only when a number is not written as its session's.`,
    '',
    '### Cold start (`require` of an isolated copy in a fresh node process, ms)',
    '',
    '| bundle | wall median | CPU median | ratio | samples (wall, run order) |',
    '|---|---|---|---|---|',
    coldRow('generate', `${x(ratio(r.cold.generate?.medianMs ?? 0, clients))} of clients`),
    coldRow('clients', 'baseline'),
    coldRow('required libraries', `${x(ratio(r.cold['required libraries']?.medianMs ?? 0, clients))} of clients`),
    coldRow('generate, tracing off', `${x(ratio(r.cold['generate, tracing off']?.medianMs ?? 0, clients))} of clients`),
    '',
    '### In-process throughput rounds (generate / logging floor / two lines by hand / schema and HMAC / bare, req/s)',
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
  const parse = costs[`parse +18767431754 (libphonenumber, a NANP number)`] ?? Number.NaN;
  const log = costs['one log line (Powertools Logger)'] ?? Number.NaN;
  const emf = costs['one EMF metric line (Powertools Metrics)'] ?? Number.NaN;
  const schema = costs['body schema (zod/mini)'] ?? Number.NaN;
  const hmac = costs['OTP and its HMAC'] ?? Number.NaN;
  const { bareOpsPerSec, computeOpsPerSec, linesOpsPerSec, floorOpsPerSec, generateOpsPerSec } = r.inProcess;
  const cold = (name: string) => r.cold[name]?.medianMs ?? Number.NaN;
  const clients = cold('clients');
  const generateBytes = r.deployed['otp-generate']?.bytes ?? Number.NaN;
  const withinSize = generateBytes <= TARGETS.generateKb * KB;
  const coldRatio = ratio(cold('generate'), clients);
  const libraries = cold('required libraries');
  const librariesRatio = ratio(libraries, clients);
  const worstCalls = worstCase(r.inProcess.scenarios);
  const steadySequential = r.inProcess.scenarios.find((s) => s.name === STEADY_STATE)?.sequential ?? Number.NaN;
  return [
    `- **Throughput**: every generate request writes one log line and one EMF metric line, as the observability the service owes its operators requires. The same two lines serialised and written by hand, with no library at all, hold the bare handler to ${fmt(linesOpsPerSec)} req/s, ${x(ratio(linesOpsPerSec, bareOpsPerSec))}: writing a JSON line to stdout costs about as much as a whole bare request, so a handler that logs and counts each request stays ${ratio(linesOpsPerSec, bareOpsPerSec) < TARGETS.throughput ? 'below' : 'above'} the ${TARGETS.throughput}× target before it does any work, whatever writes its lines. Through Powertools, as the issue and the house style have it (one log line ${fmt(log, 1)} µs alone, one EMF line ${fmt(emf, 1)} µs), that floor is ${fmt(floorOpsPerSec)} req/s (${x(ratio(floorOpsPerSec, bareOpsPerSec))}), and generate reaches ${x(ratio(generateOpsPerSec, floorOpsPerSec))} of it. Nor is the output alone in the way: the bare handler with only what generate must compute, its body schema and the keyed hash of a new OTP, and nothing written or called, runs at ${fmt(computeOpsPerSec)} req/s, ${x(ratio(computeOpsPerSec, bareOpsPerSec))}${ratio(computeOpsPerSec, bareOpsPerSec) < TARGETS.throughput ? `, itself below the target: the ${TARGETS.throughput}× budget leaves ${fmt(bare / TARGETS.throughput - bare, 1)} µs on top of the bare request, and the schema and the HMAC take ${fmt(schema + hmac, 1)} µs measured alone` : ''}. The rest is the routes' middleware (${fmt(route, 1)} µs against the bare ${fmt(bare, 1)} µs: log context, headers, CORS, body checks), the body schema, the OTP's HMAC and four SDK commands. A number written as its session's (E.164) is not parsed again (libphonenumber costs ${fmt(parse, 1)} µs a parse); the session's parse gave its country.`,
    `- **Cold start**: the generate bundle loads in ${fmt(cold('generate'), 1)} ms against the baseline's ${fmt(clients, 1)} ms (${x(coldRatio)}), and is ${x(ratio(generateBytes, r.clientsOnly.bytes))} its size. ${coldRatio <= TARGETS.coldStart ? 'The target is met.' : 'The target is missed.'} What generate cannot go without, measured in this run: the clients it calls and the libraries the service is required to use (Powertools Logger and Metrics, middy, a zod/mini schema over the environment, and the Secrets Manager client that reads the OTP pepper; scripts/bench/required-libraries.ts), each constructed once and doing nothing else, load in ${fmt(libraries, 1)} ms, ${x(librariesRatio)} the baseline: ${librariesRatio <= TARGETS.coldStart ? `within the ${TARGETS.coldStart}× target, leaving ${fmt(TARGETS.coldStart * clients - libraries, 1)} ms for all of the service's own code` : `beyond the ${TARGETS.coldStart}× target before any of the service's own code runs`}. Generate adds ${fmt(cold('generate') - libraries, 1)} ms to them (${x(ratio(cold('generate'), libraries))}): its own code, its environment schema, the X-Ray tracing of its AWS calls and its middleware. What was cut to get there: the X-Ray SDK under Powertools Tracer (about 30 ms of every cold start; AWS calls are now traced by a build-step middleware, functions/shared/xray-tracing.ts); libphonenumber, now bundled apart beside index.js and required only when a number needs parsing (generate and validate take a number written as the session's without parsing it); the write-time brand-configuration schema, which only the admin CLI needs (functions/domain/brand-config-schema.ts); and node:stream/web, which middy imports for streamed responses that no route sends (the bundles import functions/shared/lazy-stream-web.cjs in its place, which loads it on demand). Timing marks at every module boundary of the bundle (measured apart from this run, on this machine's Node 20) put most of what is left in running the modules' top-level code rather than compiling it: the first use of zod (building and parsing the environment's schema, functions/shared/config.ts) about 4–7 ms, Powertools Logger's constructor about 3 ms (its Console on stdout), Metrics about 1 ms; a hand-written environment parser in place of the zod schema brought the ratio only to between 1.2× and 1.3× (measured while the functions still loaded with \`--enable-source-maps\`), and the house style has configuration parsed by a zod schema, so it stays. The functions no longer load with node's \`--enable-source-maps\`, which scans each bundle and reads its map as it loads (about 10 ms of a generate cold start, measured apart from this run; it takes about as many milliseconds off the baseline, so the ratio rises while every cold start gets shorter): functions/shared/source-mapped-stacks.ts reads a map only when a stack through its bundle is first formatted. With tracing off the require takes ${fmt(cold('generate, tracing off'), 1)} ms (${x(ratio(cold('generate, tracing off'), clients))}).`,
    `- **Bundle size**: ${fmt(generateBytes / KB, 1)} KB, ${withinSize ? 'within' : 'over'} the ${TARGETS.generateKb} KB target. The construct (lib/service-function.ts) bundles the AWS SDK's ES module entry points, which esbuild tree-shakes, instead of whole CommonJS clients, and leaves out the browser user-agent parser and the credential providers Lambda never reaches (SSO, INI, process, web identity, login and their nested STS/SSO clients): the SDK imports those only when the environment holds no credentials, and on Lambda it always does; every bundle loaded without them from a folder of its own. Beyond the ${fmt(r.clientsOnly.bytes / KB, 1)} KB of the clients-only baseline, the bulk is Powertools, zod and the pepper's Secrets Manager client; libphonenumber's code and metadata (${kb(r.deployed['otp-generate']?.lazyBytes['phone-parser'] ?? Number.NaN)} KB) sit beside index.js in phone-parser.js, which the function requires only when it parses a number.`,
    `- **AWS calls**: ${worstCalls.sequential} sequential at worst (${worstCalls.name}). A request whose counter key is known before any call (a number in E.164, or any number once the brand's configuration is cached) reads the counter with the session in its first round trip and makes the one counter write that applies: ${fmt(steadySequential)} sequential in the steady state. A USERNAME or EXTERNALID learns its destination only from the customer item read in that round trip, and a number written nationally needs the brand's default country before its key is known: such a request sends the window's open and its count side by side, whose conditions let at most one of them apply, so it still takes one round trip to the counter, at the price of one write that fails its condition (${worstCalls.calls.length} calls in all). ${worstCalls.sequential <= TARGETS.sequential ? 'The target is met.' : 'The target is missed.'}`,
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
  1.5 s alternating with a bare middy handler that parses the JSON body and returns 200,
  and with three floors: that bare handler plus generate's log line and EMF line written
  by the service's own Logger and Metrics; plus the same two lines serialised and
  written by hand; and plus only generate's body schema and the HMAC of a new OTP,
  writing nothing; medians. The handlers log and write EMF to a discarded stdout, as on
  Lambda.
- **Bundles**: the real stack (lib/app.ts, context from cdk.json) synthesized with
  bundling on, so every file is the one \`cdk deploy\` would upload; the baseline
  (scripts/bench/clients-only.ts) and the floor of the libraries generate must load
  (scripts/bench/required-libraries.ts) are bundled by the same construct.
- **Load check**: each bundle's folder (index.js and its source map) copied into a folder
  of its own under a fresh temporary directory, with no node_modules above it, as Lambda
  unpacks a function into /var/task, so a module the construct leaves external cannot
  resolve from the repository's node_modules; each copy is \`require\`d in a fresh
  \`node\` process with its deployed environment and must export \`handler\`. The bench
  stops, naming the bundle and the error, if any does not load.
- **Cold start**: those isolated copies \`require\`d in a fresh \`node\` process with
  their deployed environment and what Lambda adds
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
