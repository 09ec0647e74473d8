import { readFileSync } from 'node:fs';
import { FUNCTION_NAMES } from '../lib/permissions';
import { applyLocalEnvironment } from './local/local-env';
import { LOCAL_TABLE_NAME } from './local/local-stack-defaults';
import { lambdaContext } from './local/lambda-context';
import { localSettings } from './local/local-settings';

const USAGE = `Usage: npm run invoke -- <${FUNCTION_NAMES.join('|')}> <event.json> [--set field=value]... [--header Name=value]...
Runs one handler with an API Gateway event file against the local stack (start it with npm start).
--set replaces a field of the event's JSON body, e.g. --set sessionId=P-...
--header sets a request header (Name=value or "Name: value"), e.g. --header "Authorization: Basic ..." for the authorizer.
The handler's answer goes to stdout, its log lines to stderr.`;

/** `name=value` split at the first `=`. */
function pair(option: string, text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals < 1) throw new Error(`${option} takes name=value, got "${text}"`);
  return [text.slice(0, equals), text.slice(equals + 1)];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `Name=value`, or `Name: value` as curl takes it; a base64 value's own `=` stays in the value. */
function header(text: string): [string, string] {
  const colon = /^([^:=]+):\s*(.*)$/s.exec(text);
  const [name, value] = colon ? [colon[1] as string, colon[2] as string] : pair('--header', text);
  if (!HEADER_NAME.test(name)) throw new Error(`--header takes Name=value or "Name: value", got "${text}"`);
  return [name, value];
}

/** Applies `--set` pairs to the JSON body of a proxy event and `--header` pairs to its headers. */
function withChanges(event: Record<string, unknown>, fields: [string, string][], headers: [string, string][]): Record<string, unknown> {
  const changed = { ...event };
  if (fields.length > 0) {
    changed.body = JSON.stringify({ ...(JSON.parse(String(event.body ?? '{}')) as Record<string, unknown>), ...Object.fromEntries(fields) });
  }
  if (headers.length > 0) {
    // Header names are case-insensitive: a given header replaces the event's in any case.
    const given = new Set(headers.map(([name]) => name.toLowerCase()));
    const kept = Object.entries((event.headers as Record<string, string> | null | undefined) ?? {}).filter(([name]) => !given.has(name.toLowerCase()));
    changed.headers = Object.fromEntries([...kept, ...headers]);
  }
  return changed;
}

/** `sam local invoke` without Docker: the handler Lambda runs, with an event file. */
async function main(argv: string[]): Promise<void> {
  const [name, eventFile, ...rest] = argv;
  if (!name || !eventFile || !(FUNCTION_NAMES as readonly string[]).includes(name)) throw new Error(USAGE);
  const fields: [string, string][] = [];
  const headers: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const [option, value] = [rest[i], rest[i + 1]];
    if (value === undefined || (option !== '--set' && option !== '--header')) throw new Error(USAGE);
    if (option === '--set') fields.push(pair(option, value));
    else headers.push(header(value));
  }
  const event = withChanges(JSON.parse(readFileSync(eventFile, 'utf8')) as Record<string, unknown>, fields, headers);

  const settings = localSettings();
  applyLocalEnvironment({
    dynamoEndpoint: settings.dynamoEndpoint,
    tableName: settings.tableName ?? LOCAL_TABLE_NAME,
    localDir: settings.localDir,
    outboxFile: settings.outboxFile,
  });
  // As sam local invoke does: the answer alone on stdout, so that it pipes into jq.
  const writeAnswer = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const { handler } = (await import(`../functions/${name}/index`)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
  const result = await handler(event, lambdaContext(name));
  writeAnswer(`${JSON.stringify(result, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
