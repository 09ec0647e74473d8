import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { build, synth } from './synth';

const EVERY_OPTION = {
  stage: 'prod',
  smsSenderId: 'ACMEOTP',
  alarmEmail: 'oncall@example.com',
  allowedOrigins: 'https://app.example.com,https://admin.example.com',
  tokenIssuer: 'https://auth.example.com',
};

const FUNCTIONS = ['Authorizer', 'TokenGenerate', 'OtpGenerate', 'OtpValidate', 'Jwks'];

// Each exception is a reviewed decision; its reason sits next to it in lib/.
const EXPECTED_ACKNOWLEDGEMENTS = [
  'OtpPepper: AwsSolutions-SMG4',
  'Api: AwsSolutions-APIG2',
  'Api: AwsSolutions-COG4',
  'Api: AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'Api/Default/auth/v1/mfa/.well-known/jwks.json/GET: AwsSolutions-APIG4',
  'SmsPreferences: AwsSolutions-IAM5[Resource::*]',
  'AWS679f53fac002430cb0da5b7982bd2287: AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'OtpGenerate/SmsPublishPolicy: AwsSolutions-IAM5[Resource::*]',
  'TokenGenerate/FirstFactorSecretsPolicy: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:mfa-otp/prod/first-factor/*]',
  ...FUNCTIONS.map((fn) => `${fn}/Function: AwsSolutions-L1`),
  ...FUNCTIONS.map((fn) => `${fn}/TracingPolicy: AwsSolutions-IAM5[Resource::*]`),
].sort();

function acknowledgements(root: IConstruct): { rule: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({
        rule: `${construct.node.path.split('/').slice(1).join('/')}: ${id.replace(/^annotation::/i, '')}`,
        reason,
      })),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it.each([
    ['prod with every option set', EVERY_OPTION],
    ['dev with the defaults', {}],
  ])('finds nothing unacknowledged in %s', (_label, context) => {
    const { app } = synth(context);

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app, stack } = build();
    new sqs.Queue(stack, 'QueueWithoutTlsPolicy');

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('acknowledges only the reviewed exceptions, each with its reason', () => {
    const { app } = build(EVERY_OPTION);

    const found = acknowledgements(app);

    expect(found.map((acknowledgement) => acknowledgement.rule).sort()).toEqual(EXPECTED_ACKNOWLEDGEMENTS);
    for (const { reason } of found) expect(reason.length).toBeGreaterThanOrEqual(60);
  });
});
