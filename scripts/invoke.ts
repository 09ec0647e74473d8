import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyLocalEnvironment } from './local/local-env';
import { LOCAL_TABLE_NAME } from './local/local-stack-defaults';
import { lambdaContext } from './local/lambda-context';

const FUNCTIONS = ['authorizer', 'otp-generate', 'otp-validate', 'token-generate', 'jwks'];
const USAGE = `Usage: npm run invoke -- <${FUNCTIONS.join('|')}> <event.json> [--set field=value]...
Runs one handler with an API Gateway event file against the local stack (start it with npm start).
--set replaces a field of the event's JSON body, e.g. --set sessionId=P-...`;

/** Applies `--set field=value` pairs to the JSON body of a proxy event. */
function withBodyFields(event: Record<string, unknown>, pairs: string[]): Record<string, unknown> {
  if (pairs.length === 0) return event;
  const body = JSON.parse(String(event.body ?? '{}')) as Record<string, unknown>;
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new Error(`--set takes field=value, got "${pair}"`);
    body[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { ...event, body: JSON.stringify(body) };
}

/** `sam local invoke` without Docker: the handler Lambda runs, with an event file. */
async function main(argv: string[]): Promise<void> {
  const [name, eventFile, ...rest] = argv;
  if (!name || !eventFile || !FUNCTIONS.includes(name)) throw new Error(USAGE);
  const pairs: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] !== '--set' || rest[i + 1] === undefined) throw new Error(USAGE);
    pairs.push(rest[i + 1] as string);
  }
  const event = withBodyFields(JSON.parse(readFileSync(eventFile, 'utf8')) as Record<string, unknown>, pairs);

  const localDir = process.env.LOCAL_DIR ?? '.local';
  applyLocalEnvironment({
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`,
    tableName: process.env.TABLE_NAME ?? LOCAL_TABLE_NAME,
    localDir,
    outboxFile: process.env.OUTBOX_FILE ?? join(localDir, 'outbox.jsonl'),
  });
  const { handler } = (await import(`../functions/${name}/index`)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
  const result = await handler(event, lambdaContext(name));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
