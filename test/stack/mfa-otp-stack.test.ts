import { Match } from 'aws-cdk-lib/assertions';
import { REFUSAL_MESSAGE } from '../../functions/authorizer/refusal';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/permissions';
import { environmentOf, functionProperties, logicalId, methodsByRoute, resources, synth, type Synthesized } from './synth';

const PROD_CONTEXT = {
  stage: 'prod',
  smsSenderId: 'ACMEOTP',
  smsMonthlySpendLimitUsd: '500',
  alarmEmail: 'oncall@example.com',
  allowedOrigins: 'https://app.example.com',
  throttleRateLimit: '20',
  throttleBurstLimit: '40',
  authorizerCacheTtlSeconds: '120',
  wafRateLimitPerIp: '300',
};

const HOUSE_ENV = [
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
  'SDK_CONNECT_TIMEOUT_MS',
  'SDK_MAX_ATTEMPTS',
  'SDK_REQUEST_TIMEOUT_MS',
];
const TOKEN_ENV = ['TOKEN_ISSUER', 'TOKEN_KMS_KEY_ID', 'TOKEN_SIGNER'];

const EXPECTED_ENV: Record<FunctionName, string[]> = {
  authorizer: ['TABLE_NAME'],
  'token-generate': ['TABLE_NAME', ...TOKEN_ENV, 'ALLOWED_ORIGINS'],
  'otp-generate': ['TABLE_NAME', 'OTP_PEPPER_SECRET_ARN', 'OTP_SENDER', 'OTP_TOPIC_ARN', 'ALLOWED_ORIGINS'],
  'otp-validate': ['TABLE_NAME', 'OTP_PEPPER_SECRET_ARN', ...TOKEN_ENV, 'ALLOWED_ORIGINS'],
  jwks: TOKEN_ENV,
};

const POST_ROUTES = ['POST /auth/v1/mfa/token/generate', 'POST /auth/v1/mfa/otp/generate', 'POST /auth/v1/mfa/otp/validate'];
const JWKS_ROUTE = 'GET /auth/v1/mfa/.well-known/jwks.json';

function ofType(synthesized: Synthesized, type: string) {
  return Object.entries(resources(synthesized.template)).filter(([, resource]) => resource.Type === type);
}

describe('MfaOtpStack (prod)', () => {
  let prod: Synthesized;

  beforeAll(() => {
    prod = synth(PROD_CONTEXT);
  });

  describe('functions', () => {
    it.each(FUNCTION_NAMES)('runs %s on nodejs22.x, arm64, from the bundled index.handler', (name) => {
      const properties = functionProperties(prod, name);

      expect(properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
      });
      expect(properties.Timeout).toBeLessThan(29);
    });

    it.each(FUNCTION_NAMES)('creates %s only once its role may write to X-Ray, which Lambda checks for active tracing', (name) => {
      const fn = prod.stack.functions[name];
      const tracingPolicy = logicalId(fn.node.findChild('TracingPolicy'));
      const dependsOn = resources(prod.template)[logicalId(fn.fn)]?.DependsOn ?? [];

      expect(resources(prod.template)[tracingPolicy]?.Properties).toMatchObject({
        PolicyDocument: { Statement: [expect.objectContaining({ Action: expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) })] },
      });
      expect(dependsOn).toContain(tracingPolicy);
    });

    it.each(FUNCTION_NAMES)('writes JSON logs of %s to its own log group with a retention', (name) => {
      const properties = functionProperties(prod, name);
      const logGroup = resources(prod.template)[logicalId(prod.stack.functions[name].logGroup)];

      expect(properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        LogGroup: { Ref: logicalId(prod.stack.functions[name].logGroup) },
      });
      expect(logGroup?.Properties).toMatchObject({ RetentionInDays: 365 });
      expect(logGroup?.Properties).not.toHaveProperty('LogGroupName');
    });

    it.each(FUNCTION_NAMES)('gives %s exactly the environment variables its bindings call for', (name) => {
      const names = Object.keys(environmentOf(prod, name)).sort();

      expect(names).toEqual([...HOUSE_ENV, ...EXPECTED_ENV[name]].sort());
    });

    it('points the environment at this stack’s resources, by reference', () => {
      const { stack } = prod;
      const otpValidate = environmentOf(prod, 'otp-validate');
      const otpGenerate = environmentOf(prod, 'otp-generate');

      expect(otpValidate).toMatchObject({
        TABLE_NAME: { Ref: logicalId(stack.table) },
        OTP_PEPPER_SECRET_ARN: { Ref: logicalId(stack.otpPepper) },
        TOKEN_SIGNER: 'kms',
        TOKEN_KMS_KEY_ID: { 'Fn::GetAtt': [logicalId(stack.tokenSigningKey), 'Arn'] },
      });
      expect(otpGenerate).toMatchObject({ OTP_SENDER: 'sns', OTP_TOPIC_ARN: { Ref: logicalId(stack.otpTopic) } });
      expect(environmentOf(prod, 'token-generate')).toMatchObject({ ALLOWED_ORIGINS: 'https://app.example.com' });
    });

    it('issues tokens under the API’s own base URL unless tokenIssuer is set', () => {
      const issuer = JSON.stringify(environmentOf(prod, 'token-generate').TOKEN_ISSUER);
      const custom = synth({ tokenIssuer: 'https://auth.example.com/mfa' });

      expect(issuer).toContain(`{"Ref":"${logicalId(prod.stack.api)}"}`);
      expect(issuer).toContain('/prod"');
      expect(environmentOf(custom, 'jwks').TOKEN_ISSUER).toBe('https://auth.example.com/mfa');
    });

    it('puts no secret value in any environment variable, template or output', () => {
      const template = prod.template.toJSON() as { Outputs: unknown; Resources: unknown };
      const pepperId = logicalId(prod.stack.otpPepper);
      const pepperUses = FUNCTION_NAMES.flatMap((name) =>
        Object.entries(environmentOf(prod, name)).filter(([, value]) => JSON.stringify(value).includes(pepperId)),
      );

      expect(JSON.stringify(template).match(/resolve:secretsmanager|"SecretString"/g)).toBeNull();
      expect(JSON.stringify(template.Outputs)).not.toContain(pepperId);
      // A Ref to a secret is its ARN; its value would need a dynamic reference, refused above.
      expect(pepperUses).toEqual([
        ['OTP_PEPPER_SECRET_ARN', { Ref: pepperId }],
        ['OTP_PEPPER_SECRET_ARN', { Ref: pepperId }],
      ]);
      expect(resources(prod.template)[pepperId]?.Properties).toHaveProperty('GenerateSecretString.PasswordLength', 64);
    });
  });

  describe('table', () => {
    it('keys items by the string pk alone, expires them on ttl, bills on demand', () => {
      prod.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('keeps a prod table through mistakes: PITR, deletion protection, retained on stack delete but not after a failed first create', () => {
      prod.template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('delivery topic, keys and secrets', () => {
    it('encrypts the OTP topic with its own customer-managed key and refuses publishes without TLS', () => {
      const topicId = logicalId(prod.stack.otpTopic);

      prod.template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(prod.stack.otpTopicKey), 'Arn'] },
      });
      prod.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: { Ref: topicId },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('signs tokens with an asymmetric P-256 key', () => {
      expect(resources(prod.template)[logicalId(prod.stack.tokenSigningKey)]?.Properties).toMatchObject({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
      });
    });

    it('sets the account SMS preferences to transactional with the spend limit and sender ID from context', () => {
      const [[, preferences] = []] = ofType(prod, 'Custom::AWS');
      const call = JSON.parse(String(preferences?.Properties?.Update)) as Record<string, unknown>;

      expect(call).toMatchObject({
        service: 'SNS',
        action: 'SetSMSAttributes',
        parameters: { attributes: { DefaultSMSType: 'Transactional', MonthlySpendLimit: '500', DefaultSenderID: 'ACMEOTP' } },
      });
      expect(preferences?.Properties?.Create).toEqual(preferences?.Properties?.Update);
    });
  });

  describe('API', () => {
    it('puts the REQUEST authorizer on every POST route', () => {
      const routes = methodsByRoute(prod.template);
      const authorizerId = logicalId(prod.stack.node.findChild('RequestAuthorizer'));

      for (const route of POST_ROUTES) {
        expect(routes.get(route)).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      }
      expect([...routes.keys()].filter((route) => route.startsWith('POST ')).sort()).toEqual([...POST_ROUTES].sort());
    });

    it('serves the JWKS without an authorizer', () => {
      const jwks = methodsByRoute(prod.template).get(JWKS_ROUTE);

      expect(jwks).toMatchObject({ AuthorizationType: 'NONE' });
      expect(jwks).not.toHaveProperty('AuthorizerId');
    });

    it.each([
      ['POST /auth/v1/mfa/token/generate', 'token-generate'],
      ['POST /auth/v1/mfa/otp/generate', 'otp-generate'],
      ['POST /auth/v1/mfa/otp/validate', 'otp-validate'],
      [JWKS_ROUTE, 'jwks'],
    ] as const)('sends %s to the %s function as a Lambda proxy', (route, name) => {
      const integration = methodsByRoute(prod.template).get(route)?.Integration as { Type: string; Uri: unknown };

      expect(integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.Uri)).toContain(`"${logicalId(prod.stack.functions[name].fn)}"`);
    });

    it('caches the authorizer result per Authorization header for the TTL from context', () => {
      const [[, authorizer] = []] = ofType(prod, 'AWS::ApiGateway::Authorizer');

      expect(authorizer?.Properties).toMatchObject({
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 120,
      });
      expect(JSON.stringify(authorizer?.Properties?.AuthorizerUri)).toContain(`"${logicalId(prod.stack.functions.authorizer.fn)}"`);
    });

    it.each([
      ['UNAUTHORIZED', '401', { status: { success: false, code: 401, message: 'Unauthorized' } }],
      ['ACCESS_DENIED', '403', { status: { success: false, code: 403, message: 'Forbidden' } }],
    ])('answers %s with the %s envelope', (type, statusCode, body) => {
      prod.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: statusCode,
        ResponseTemplates: { 'application/json': JSON.stringify(body) },
      });
    });

    it.each(['AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE'])('answers %s, an authorizer that failed, with a retryable 503/1503', (type) => {
      prod.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '503',
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
        ResponseTemplates: { 'application/json': JSON.stringify({ status: { success: false, code: 1503, message: 'Unable to generate OTP' } }) },
      });
    });

    it('marks every answer API Gateway writes itself no-store, as the handlers mark theirs', () => {
      const responses = ofType(prod, 'AWS::ApiGateway::GatewayResponse');

      expect(responses.length).toBeGreaterThan(0);
      for (const [, response] of responses) {
        expect(response.Properties?.ResponseParameters).toMatchObject({ 'gatewayresponse.header.Cache-Control': "'no-store'" });
      }
    });

    it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])('wraps %s in the envelope without leaking detail', (type) => {
      const [[, response] = []] = ofType(prod, 'AWS::ApiGateway::GatewayResponse').filter(
        ([, resource]) => resource.Properties?.ResponseType === type,
      );
      const template = (response?.Properties?.ResponseTemplates as Record<string, string>)['application/json'];

      expect(template).toMatch(/^\{"status":\{"success":false,"code":\d+,"message":/);
      expect(template).not.toContain('$context.error.validationErrorString');
    });

    it('throttles the stage with the rate and burst from context and logs access as JSON', () => {
      const [[, stage] = []] = ofType(prod, 'AWS::ApiGateway::Stage');
      const format = (stage?.Properties?.AccessLogSetting as { Format: string }).Format;

      expect(stage?.Properties).toMatchObject({
        StageName: 'prod',
        TracingEnabled: true,
        MethodSettings: [
          expect.objectContaining({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 20,
            ThrottlingBurstLimit: 40,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
        ],
      });
      expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    });

    it('guards the stage with a regional web ACL: body size, per-IP rate and the AWS common rules', () => {
      const [[webAclId, webAcl] = []] = ofType(prod, 'AWS::WAFv2::WebACL');
      const rules = webAcl?.Properties?.Rules as { Name: string; Statement: Record<string, unknown>; Action?: unknown }[];
      const stageId = logicalId(prod.stack.api.deploymentStage);

      expect(webAcl?.Properties?.Scope).toBe('REGIONAL');
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Statement: { RateBasedStatement: expect.objectContaining({ AggregateKeyType: 'IP', Limit: 300 }) },
          }),
          expect.objectContaining({
            Statement: {
              ManagedRuleGroupStatement: expect.objectContaining({
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                // Counted, not blocked: bodies up to 16 KiB and backends that send no User-Agent.
                RuleActionOverrides: [
                  { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
                  { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
                ],
              }),
            },
          }),
          expect.objectContaining({
            Statement: {
              SizeConstraintStatement: expect.objectContaining({
                FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                ComparisonOperator: 'GT',
                Size: 16384,
              }),
            },
            Action: { Block: { CustomResponse: expect.objectContaining({ ResponseCode: 413 }) } },
          }),
        ]),
      );
      const blocks = rules
        .map((rule) => (rule.Action as { Block?: { CustomResponse: Record<string, unknown> } } | undefined)?.Block?.CustomResponse)
        .filter((response) => response !== undefined);
      expect(blocks.map((response) => [response.ResponseCode, response.ResponseHeaders])).toEqual([
        [413, [{ Name: 'Cache-Control', Value: 'no-store' }]],
        [429, [{ Name: 'Cache-Control', Value: 'no-store' }, { Name: 'Retry-After', Value: '60' }]],
      ]);
      prod.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [webAclId, 'Arn'] },
        ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stageId }])] },
      });
    });
  });

  describe('operability', () => {
    const alarmsWith = (synthesized: Synthesized, match: (properties: Record<string, unknown>) => boolean) =>
      ofType(synthesized, 'AWS::CloudWatch::Alarm')
        .map(([, resource]) => resource.Properties ?? {})
        .filter(match);

    it.each(FUNCTION_NAMES.filter((name) => name !== 'authorizer'))('alarms on errors and throttles of %s', (name) => {
      const dimensions = JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(prod.stack.functions[name].fn) } }]);
      const metrics = alarmsWith(prod, (alarm) => JSON.stringify(alarm.Dimensions) === dimensions).map((alarm) => alarm.MetricName);

      expect(metrics.sort()).toEqual(['Errors', 'Throttles']);
    });

    it("alarms on the authorizer's errors other than its refusals, and on its throttles", () => {
      const authorizer = prod.stack.functions.authorizer;
      const dimensions = JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(authorizer.fn) } }]);
      const [errors] = alarmsWith(prod, (alarm) => JSON.stringify(alarm.Metrics ?? []).includes('errors - FILL(refusals, 0)'));
      const [, filter] = ofType(prod, 'AWS::Logs::MetricFilter').find(([, resource]) => JSON.stringify(resource.Properties?.MetricTransformations).includes('AuthorizerRefusals')) ?? [];

      expect(alarmsWith(prod, (alarm) => JSON.stringify(alarm.Dimensions) === dimensions).map((alarm) => alarm.MetricName)).toEqual(['Throttles']);
      expect(JSON.stringify(errors?.Metrics)).toContain(`"Value":{"Ref":"${logicalId(authorizer.fn)}"}`);
      expect(filter?.Properties).toMatchObject({
        LogGroupName: { Ref: logicalId(authorizer.logGroup) },
        FilterPattern: `{ $.message = "${REFUSAL_MESSAGE}" }`,
        MetricTransformations: [
          { MetricNamespace: 'MfaOtp', MetricName: 'AuthorizerRefusals', MetricValue: '1', Dimensions: [{ Key: 'FunctionName', Value: '$.function_name' }] },
        ],
      });
      // The refusals subtracted are this function's own, not another stage's in the same account.
      const refusals = (errors?.Metrics as Array<{ Id: string; MetricStat?: { Metric: Record<string, unknown> } }>).find((metric) => metric.Id === 'refusals');
      expect(refusals?.MetricStat?.Metric).toEqual({
        Namespace: 'MfaOtp',
        MetricName: 'AuthorizerRefusals',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(authorizer.fn) } }],
      });
    });

    it('alarms when SMS spend reaches 80% of the monthly limit', () => {
      const [spend] = alarmsWith(prod, (alarm) => alarm.MetricName === 'SMSMonthToDateSpentUSD');

      expect(spend).toMatchObject({ Namespace: 'AWS/SNS', Threshold: 400 });
    });

    it('alarms when OTP messages are published to the delivery topic and none reaches a channel worker', () => {
      const topicName = { 'Fn::GetAtt': [logicalId(prod.stack.otpTopic), 'TopicName'] };
      const [unread] = alarmsWith(prod, (alarm) => JSON.stringify(alarm.Metrics ?? []).includes('NumberOfMessagesPublished'));
      const metrics = (unread?.Metrics ?? []) as { Id: string; Expression?: string; MetricStat?: { Metric: Record<string, unknown> } }[];
      const topicMetrics = metrics.filter((metric) => metric.MetricStat).map((metric) => metric.MetricStat?.Metric);

      expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('IF(published > 0 AND delivered + failed == 0, 1, 0)');
      expect(topicMetrics).toEqual(
        ['NumberOfMessagesPublished', 'NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed'].map((name) => ({
          Namespace: 'AWS/SNS',
          MetricName: name,
          Dimensions: [{ Name: 'TopicName', Value: topicName }],
        })),
      );
      expect(unread).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    });

    it('alarms on the API 5xx rate, SMS failure rate and WAF blocks', () => {
      const expressions = alarmsWith(prod, (alarm) => Array.isArray(alarm.Metrics)).map((alarm) => JSON.stringify(alarm.Metrics));
      const wafAlarms = alarmsWith(prod, (alarm) => alarm.Namespace === 'AWS/WAFV2' && alarm.MetricName === 'BlockedRequests');
      const [[, webAcl] = []] = ofType(prod, 'AWS::WAFv2::WebACL');
      const webAclMetricName = (webAcl?.Properties?.VisibilityConfig as { MetricName?: string } | undefined)?.MetricName;

      expect(expressions.some((metrics) => metrics.includes('5XXError') && metrics.includes('"Count"'))).toBe(true);
      expect(expressions.some((metrics) => metrics.includes('NumberOfNotificationsFailed') && metrics.includes('PhoneNumberDirect'))).toBe(true);
      // WAF reports under the ACL's metric name and Rule ALL; any other dimensions name a metric that never exists.
      expect(webAclMetricName).toEqual(expect.any(String));
      expect(wafAlarms).toEqual([
        expect.objectContaining({
          Dimensions: expect.arrayContaining([
            { Name: 'WebACL', Value: webAclMetricName },
            { Name: 'Rule', Value: 'ALL' },
            { Name: 'Region', Value: { Ref: 'AWS::Region' } },
          ]),
          Statistic: 'Sum',
          Period: 300,
          Threshold: 100,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
    });

    it('sends every alarm to the encrypted, TLS-only alarm topic, which mails the address from context', () => {
      const alarmTopicId = logicalId(prod.stack.alarmTopic);
      const alarms = alarmsWith(prod, () => true);

      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
      expect(resources(prod.template)[alarmTopicId]?.Properties).toHaveProperty('KmsMasterKeyId');
      prod.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: alarmTopicId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      prod.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        TopicArn: { Ref: alarmTopicId },
      });
    });

    it('lets CloudWatch use the alarm topic key, without which encrypted alarm notifications are dropped', () => {
      prod.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: Match.arrayWith(['kms:Decrypt']),
            }),
          ]),
        },
      });
    });

    it('outputs the API URL, table name and delivery topic ARN', () => {
      const outputs = prod.template.toJSON().Outputs as Record<string, { Value: unknown }>;

      expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(prod.stack.table) });
      expect(outputs.OtpTopicArn?.Value).toEqual({ Ref: logicalId(prod.stack.otpTopic) });
      expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(logicalId(prod.stack.api));
      prod.template.hasResource('AWS::CloudWatch::Dashboard', {});
    });
  });
});

describe('MfaOtpStack (dev defaults)', () => {
  let dev: Synthesized;

  beforeAll(() => {
    dev = synth();
  });

  it('lets a dev table go with the stack', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
  });

  it('caches authorizer results for 300 s and adds no CORS preflight', () => {
    const routes = [...methodsByRoute(dev.template).keys()];

    dev.template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300 });
    expect(routes.filter((route) => route.startsWith('OPTIONS '))).toEqual([]);
    expect(Object.keys(environmentOf(dev, 'otp-generate'))).not.toContain('ALLOWED_ORIGINS');
  });

  it('sets transactional SMS with a 1 USD monthly spend limit, no default sender ID and no alarm e-mail', () => {
    const [[, preferences] = []] = ofType(dev, 'Custom::AWS');
    const call = JSON.parse(String(preferences?.Properties?.Update)) as { parameters?: { attributes?: Record<string, string> } };

    expect(call).toMatchObject({ service: 'SNS', action: 'SetSMSAttributes' });
    expect(call.parameters?.attributes).toEqual({ DefaultSMSType: 'Transactional', MonthlySpendLimit: '1' });
    expect(preferences?.Properties?.Create).toEqual(preferences?.Properties?.Update);
    expect(dev.template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).toEqual({});
  });
});
