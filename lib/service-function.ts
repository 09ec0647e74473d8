import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SDK_DEFAULTS, SERVICE_NAME } from '../functions/shared/service-defaults';

export const REPO_ROOT = path.resolve(__dirname, '..');


export interface ServiceFunctionProps {
  /** The handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

const NEVER_REACHED_ON_LAMBDA = [
  'bowser',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
];

/**
 * Modules bundled into files of their own beside index.js, for code that requires them
 * lazily (`require('./<name>')`): a function loads them only when it needs them, and its
 * cold start does not compile them. libphonenumber is most of a bundle beyond the SDK, and
 * otp/generate and otp/validate seldom parse a number (functions/domain/identifiers.ts).
 */
export const LAZY_MODULES: Record<string, string> = { 'phone-parser': 'functions/domain/phone-parser.ts' };

/** What the bundles import in place of node:stream/web, which middy loads for streamed responses only. */
const LAZY_STREAM_WEB = 'functions/shared/lazy-stream-web.cjs';

// Shared by the function bundle and the lazy modules beside it, so that the two never drift.
const ESBUILD_TARGET = 'node22';
const MAIN_FIELDS = ['module', 'main'];

/**
 * A Lambda function with the house defaults: Node.js 22 on Graviton, bundled by local
 * esbuild with the AWS SDK inside, active tracing, JSON logs in its own log group, and
 * a role that starts with nothing but its own logs and X-Ray. Grants and the
 * environment variables that go with them are added by the helpers in bindings.ts.
 */
export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // An explicit role keeps AWSLambdaBasicExecutionRole (logs on every group) off the function.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (Lambda execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // Lambda scales CPU with memory, and a cold start is CPU (compiling and running the bundle):
      // 512 MB is a starting point, not a measurement; tune it on AWS (Lambda Power Tuning).
      memorySize: 512,
      // One SDK call may take 3 attempts x (1 s connect + 3 s request) plus backoff, about
      // 12.5 s, and a compensation may follow it. The routes answer 503 half a second before
      // this timeout whatever is still waiting (functions/shared/route-options.ts), well
      // inside API Gateway's 29 s.
      timeout: Duration.seconds(15),
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      role: this.role,
      // The functions fall back to the same values; set here, they show in the console and
      // the template, where an operator can change one without a build.
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        SDK_CONNECT_TIMEOUT_MS: String(SDK_DEFAULTS.connectTimeoutMs),
        SDK_REQUEST_TIMEOUT_MS: String(SDK_DEFAULTS.requestTimeoutMs),
        SDK_MAX_ATTEMPTS: String(SDK_DEFAULTS.maxAttempts),
      },
      bundling: {
        minify: true,
        // Read only when a stack is formatted (functions/shared/source-mapped-stacks.ts), not
        // with node's --enable-source-maps, which reads it at every cold start. Stack traces
        // need the mappings, not a second copy of the source in every bundle.
        sourceMap: true,
        sourcesContent: false,
        // Bundle the SDK: a pinned, tree-shaken client instead of whatever the runtime ships.
        // Left out are only the parts Lambda never reaches: credential providers past the
        // environment one (Lambda always sets its credentials in env; the runtime's own
        // SDK copy serves any other) and a browser user-agent parser. ESM entry points
        // first let esbuild tree-shake the SDK. See docs/benchmarks.md for the sizes.
        externalModules: [...NEVER_REACHED_ON_LAMBDA, ...Object.keys(LAZY_MODULES).map((name) => `./${name}`)],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) =>
            Object.entries(LAZY_MODULES).map(([name, source]) =>
              [
                `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/${source}"`,
                `--bundle --minify --platform=node --target=${ESBUILD_TARGET} --format=cjs --main-fields=${MAIN_FIELDS.join(',')}`,
                `--sourcemap --sources-content=false --log-level=warning --outfile="${outputDir}/${name}.js"`,
              ].join(' '),
            ),
        },
        // node:stream/web loads only if something asks for it. The path resolves from the project
        // root, where local bundling runs esbuild (a devDependency, so CDK never falls back to Docker).
        esbuildArgs: { [`--alias:node:stream/web`]: `./${LAZY_STREAM_WEB}` },
        mainFields: MAIN_FIELDS,
        target: ESBUILD_TARGET,
        format: OutputFormat.CJS,
      },
    });

    // Active tracing, with its Resource-* grant in a policy of its own: the acknowledgement
    // below then covers X-Ray alone, and any other wildcard in the role still fails cdk-nag.
    (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const tracingPolicy = new iam.Policy(this, 'TracingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    // Lambda checks the role for X-Ray when it creates a function with active tracing; the
    // policy is not the role's default one, so the function waits for it explicitly.
    this.fn.node.addDependency(tracingPolicy);
    Validations.of(tracingPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions (Service Authorization Reference), so active tracing needs Resource *.',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The service standardises on nodejs22.x (esbuild target node22, the Node version the team builds and tests on); nodejs24.x is a planned, tested upgrade, not a silent one.',
    });
  }
}
