import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { getXrayTraceDataFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { isThrottlingError } from '@smithy/core/retry';
import type { BuildHandler, BuildHandlerArguments, HandlerExecutionContext, MetadataBearer } from '@smithy/types';
import { maskPersonalData } from './logger';

/**
 * X-Ray subsegments for AWS SDK calls, written as the X-Ray SDK writes them in Lambda:
 * one `namespace: aws` subsegment a call, a child of the function's segment named in
 * `_X_AMZN_TRACE_ID`, sent to the daemon over UDP. The X-Ray SDK (under Powertools
 * Tracer) did the same at a cost of about 30 ms of every cold start (docs/benchmarks.md).
 */

/** What the runtime says about the current invocation's trace. */
export interface TraceContext {
  root: string;
  parent: string;
  sampled: boolean;
  /** Further fields of the trace header (Lineage, ...), passed on as they came. */
  extra: string;
}

/** The current invocation's trace: from the runtime's invoke store or `_X_AMZN_TRACE_ID`. */
function currentTrace(): TraceContext | undefined {
  const data = getXrayTraceDataFromEnv();
  if (!data?.Root || !data.Parent) return undefined;
  const extra = Object.entries(data)
    .filter(([key]) => key !== 'Root' && key !== 'Parent' && key !== 'Sampled')
    .map(([key, value]) => `;${key}=${value}`)
    .join('');
  return { root: data.Root, parent: data.Parent, sampled: data.Sampled === '1', extra };
}

/** Takes one finished subsegment document. */
export type SegmentSink = (document: Subsegment) => void;

export interface Subsegment {
  name: string;
  id: string;
  trace_id: string;
  parent_id: string;
  type: 'subsegment';
  namespace: 'aws';
  start_time: number;
  end_time: number;
  aws: Record<string, unknown>;
  http?: { response: { status: number } };
  error?: true;
  fault?: true;
  throttle?: true;
  cause?: { exceptions: Array<{ id: string; type: string; message: string; remote: true }> };
}

const DAEMON_HEADER = '{"format":"json","version":1}\n';

/** `host:port`, or the `tcp:host:port udp:host:port` form; the UDP address is the one used. */
export function daemonAddress(value = process.env.AWS_XRAY_DAEMON_ADDRESS): { host: string; port: number } {
  const udp = (value ?? '').split(/\s+/).find((part) => part.startsWith('udp:'))?.slice(4) ?? value ?? '';
  const match = /^(.+):(\d+)$/.exec(udp.trim());
  return match ? { host: match[1] as string, port: Number(match[2]) } : { host: '127.0.0.1', port: 2000 };
}

/** Sends each subsegment to the X-Ray daemon; a lost datagram costs a trace, never a request. */
function daemonSink(address = daemonAddress()): SegmentSink {
  let socket: Socket | undefined;
  return (document) => {
    if (!socket) {
      socket = createSocket('udp4');
      socket.unref();
      socket.on('error', () => undefined);
    }
    socket.send(DAEMON_HEADER + JSON.stringify(document), address.port, address.host, () => undefined);
  };
}

const newId = () => randomBytes(8).toString('hex');
const seconds = (ms: number) => ms / 1000;

/** What a trace may show of a call: names of tables and topics, never keys, numbers or messages. */
function resourceNames(input: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!input) return {};
  const names: Record<string, unknown> = {};
  if (typeof input.TableName === 'string') names.table_name = input.TableName;
  if (input.RequestItems && typeof input.RequestItems === 'object') names.table_names = Object.keys(input.RequestItems);
  if (typeof input.TopicArn === 'string') names.topic_arn = input.TopicArn;
  return names;
}

function outcomeFlags(status: number | undefined, error: unknown): Pick<Subsegment, 'error' | 'fault' | 'throttle'> {
  if (error && isThrottlingError(error as Parameters<typeof isThrottlingError>[0])) return { error: true, throttle: true };
  if (status === 429) return { error: true, throttle: true };
  if (status !== undefined && status >= 500) return { fault: true };
  if (status !== undefined && status >= 400) return { error: true };
  // No answer at all (a timeout, a refused connection) is the dependency's fault.
  return error ? { fault: true } : {};
}

interface CallOptions {
  region: string;
  sink: SegmentSink;
  trace: () => TraceContext | undefined;
  now: () => number;
}

/**
 * The middleware: times the whole call (retries included), tells the callee which
 * subsegment called it, and writes the subsegment when the call ends either way.
 */
export function xrayMiddleware(options: CallOptions) {
  return <Output extends MetadataBearer>(next: BuildHandler<object, Output>, context: HandlerExecutionContext) =>
    async (args: BuildHandlerArguments<object>) => {
      const trace = options.trace();
      // Unsampled: the SDK's recursion-detection middleware passes the invocation's own header (Sampled=0) on.
      if (!trace?.sampled) return next(args);
      const id = newId();
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['X-Amzn-Trace-Id'] = `Root=${trace.root};Parent=${id};Sampled=1${trace.extra}`;
      const start = options.now();
      const write = (metadata: MetadataBearer['$metadata'] | undefined, error?: unknown) => {
        try {
          options.sink(subsegment(metadata, error));
        } catch {
          // Tracing is never a reason for a call to fail.
        }
      };
      const subsegment = (metadata: MetadataBearer['$metadata'] | undefined, error: unknown): Subsegment => {
        const status = metadata?.httpStatusCode;
        const document: Subsegment = {
          name: (context.clientName ?? 'AWS').replace(/Client$/, ''),
          id,
          trace_id: trace.root,
          parent_id: trace.parent,
          type: 'subsegment',
          namespace: 'aws',
          start_time: seconds(start),
          end_time: seconds(options.now()),
          aws: {
            operation: (context.commandName ?? '').replace(/Command$/, ''),
            region: options.region,
            ...(metadata?.requestId ? { request_id: metadata.requestId } : {}),
            retries: Math.max(0, (metadata?.attempts ?? 1) - 1),
            ...resourceNames(args.input as Record<string, unknown>),
          },
          ...(status ? { http: { response: { status } } } : {}),
          ...outcomeFlags(status, error),
        };
        if (error) {
          const { name, message } = error as Error;
          document.cause = { exceptions: [{ id: newId(), type: String(name), message: String(maskPersonalData('', String(message))), remote: true }] };
        }
        return document;
      };
      try {
        const result = await next(args);
        write(result.output?.$metadata);
        return result;
      } catch (error) {
        write((error as MetadataBearer).$metadata, error);
        throw error;
      }
    };
}

const toDaemon = daemonSink();

/** Adds the X-Ray middleware to a client: every call it makes becomes a subsegment. */
export function traceClient<T extends { middlewareStack: { add: (...args: never[]) => void } }>(
  client: T,
  options: Partial<CallOptions> & { region: string },
): T {
  const middleware = xrayMiddleware({ sink: toDaemon, trace: currentTrace, now: Date.now, ...options });
  (client.middlewareStack.add as (middleware: unknown, options: unknown) => void)(middleware, {
    step: 'build',
    name: 'xrayTracing',
    override: true,
  });
  return client;
}
