import { generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createKmsTokenSigner } from '../../functions/shared/kms-token-signer';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/permissions';
import { actionsOf, logicalId, resources, roleStatements, type Statement, synth, type Synthesized } from './synth';

// Every function may write its own log group and send traces; nothing else is implicit.
const BASELINE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

// Written out by hand, not read from lib/permissions.ts, so that a change there must be made here too.
const EXPECTED_ACTIONS: Record<FunctionName, string[]> = {
  authorizer: ['dynamodb:GetItem'],
  'token-generate': ['dynamodb:GetItem', 'dynamodb:PutItem', 'kms:GetPublicKey', 'kms:Sign', 'secretsmanager:GetSecretValue'],
  'otp-generate': [
    'dynamodb:BatchGetItem',
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'secretsmanager:GetSecretValue',
    'sns:Publish',
    // A publisher to an SSE-KMS topic must be able to use the topic's key.
    'kms:Decrypt',
    'kms:GenerateDataKey',
  ],
  'otp-validate': [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'kms:GetPublicKey',
    'kms:Sign',
    'secretsmanager:GetSecretValue',
  ],
  jwks: ['kms:GetPublicKey'],
};

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The IAM actions of the KMS calls `use` makes through a KMS signer whose KMS answers at once. */
async function kmsCalls(use: (signer: ReturnType<typeof createKmsTokenSigner>) => Promise<unknown>): Promise<string[]> {
  const kms = mockClient(KMSClient);
  kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'ECC_NIST_P256', PublicKey: signingKey.publicKey.export({ format: 'der', type: 'spki' }) });
  kms.on(SignCommand).callsFake(({ Message }: { Message: Uint8Array }) => ({ Signature: sign('sha256', Message, signingKey.privateKey) }));
  try {
    await use(createKmsTokenSigner(new KMSClient({ region: 'us-east-1' }), 'arn:aws:kms:us-east-1:123456789012:key/k'));
    return [...new Set(kms.calls().map((call) => `kms:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`))].sort();
  } finally {
    kms.restore();
  }
}

const kmsCallsOfOneSignature = () => kmsCalls((signer) => signer.sign({ sub: 'c-1' }));
const kmsCallsOfPublishing = () => kmsCalls((signer) => signer.publicJwks());

function statementsWith(statements: Statement[], action: string): Statement[] {
  return statements.filter((statement) => [statement.Action].flat().includes(action));
}

function resourcesOf(statements: Statement[]): unknown[] {
  return statements.flatMap((statement) => [statement.Resource].flat());
}

describe('function permissions', () => {
  let synthesized: Synthesized;
  let ids: { table: string; signingKey: string; pepper: string; topic: string; topicKey: string };

  beforeAll(() => {
    synthesized = synth({ stage: 'prod', firstFactorSecretPrefix: 'acme/first-factor/' });
    const { stack } = synthesized;
    ids = {
      table: logicalId(stack.table),
      signingKey: logicalId(stack.tokenSigningKey),
      pepper: logicalId(stack.otpPepper),
      topic: logicalId(stack.otpTopic),
      topicKey: logicalId(stack.otpTopicKey),
    };
  });

  it.each(FUNCTION_NAMES)('grants %s exactly the actions it needs', (name) => {
    const actions = actionsOf(roleStatements(synthesized, name));

    expect(actions).toEqual([...BASELINE, ...EXPECTED_ACTIONS[name]].sort());
  });

  it.each(FUNCTION_NAMES)('allows %s only, never denies or wildcards an action', (name) => {
    const statements = roleStatements(synthesized, name);

    expect(statements.map((statement) => statement.Effect)).not.toContain('Deny');
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
  });

  const tableUsers = FUNCTION_NAMES.filter((name) => EXPECTED_ACTIONS[name].some((action) => action.startsWith('dynamodb:')));
  it.each(tableUsers)('scopes the DynamoDB actions of %s to the service table alone', (name) => {
    const tableStatements = roleStatements(synthesized, name).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
    );

    expect(tableStatements.length).toBeGreaterThan(0);
    for (const resource of resourcesOf(tableStatements)) {
      expect(resource).toEqual({ 'Fn::GetAtt': [ids.table, 'Arn'] });
    }
  });

  it('grants no function role anything through a resource policy, where the role checks above cannot see it', () => {
    const roleIds = FUNCTION_NAMES.map((name) => logicalId(synthesized.stack.functions[name].role));
    const resourcePolicies = Object.entries(resources(synthesized.template)).flatMap(([id, resource]) => {
      const properties = resource.Properties ?? {};
      const document = properties.KeyPolicy ?? properties.PolicyDocument ?? properties.ResourcePolicy;
      if (!document || resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::Role') return [];
      return ((document as { Statement?: Statement[] }).Statement ?? []).map((statement) => ({ id, statement }));
    });

    expect(resourcePolicies.length).toBeGreaterThan(0);
    const naming = resourcePolicies.filter(({ statement }) => roleIds.some((roleId) => JSON.stringify(statement.Principal ?? {}).includes(`"${roleId}"`)));
    expect(naming).toEqual([]);
  });

  // Taken from what the KMS signer sends when it signs, so that a call the code makes
  // and the role does not allow fails here rather than on AWS.
  it.each(['token-generate', 'otp-validate'] as const)('lets %s make every KMS call a signature takes', async (name) => {
    const calls = await kmsCallsOfOneSignature();

    expect(calls).toEqual(expect.arrayContaining(['kms:Sign']));
    expect(actionsOf(roleStatements(synthesized, name))).toEqual(expect.arrayContaining(calls));
  });

  it('lets jwks make every KMS call publishing the keys takes', async () => {
    const calls = await kmsCallsOfPublishing();

    expect(actionsOf(roleStatements(synthesized, 'jwks'))).toEqual(expect.arrayContaining(calls));
  });

  it('scopes kms:Sign and kms:GetPublicKey to the token-signing key', () => {
    const signing = FUNCTION_NAMES.flatMap((name) => {
      const statements = roleStatements(synthesized, name);
      return [...statementsWith(statements, 'kms:Sign'), ...statementsWith(statements, 'kms:GetPublicKey')];
    });

    expect(signing.length).toBeGreaterThan(0);
    expect(new Set(resourcesOf(signing).map((resource) => JSON.stringify(resource)))).toEqual(
      new Set([JSON.stringify({ 'Fn::GetAtt': [ids.signingKey, 'Arn'] })]),
    );
  });

  it('lets otp-generate publish to the delivery topic, with its key, and to phone numbers', () => {
    const statements = roleStatements(synthesized, 'otp-generate');

    expect(resourcesOf(statementsWith(statements, 'sns:Publish'))).toEqual(
      expect.arrayContaining([{ Ref: ids.topic }, '*']),
    );
    expect(resourcesOf(statementsWith(statements, 'kms:GenerateDataKey'))).toEqual([
      { 'Fn::GetAtt': [ids.topicKey, 'Arn'] },
    ]);
  });

  it('keeps Resource * to the actions that have no resource-level permission', () => {
    const wildcardActions = FUNCTION_NAMES.flatMap((name) =>
      roleStatements(synthesized, name)
        .filter((statement) => resourcesOf([statement]).includes('*'))
        .flatMap((statement) => [statement.Action].flat()),
    );

    expect(new Set(wildcardActions)).toEqual(new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'sns:Publish']));
  });

  it('gives the OTP pepper to otp-generate and otp-validate only', () => {
    const holders = FUNCTION_NAMES.filter((name) =>
      resourcesOf(statementsWith(roleStatements(synthesized, name), 'secretsmanager:GetSecretValue')).some(
        (resource) => JSON.stringify(resource) === JSON.stringify({ Ref: ids.pepper }),
      ),
    );

    expect(holders).toEqual(['otp-generate', 'otp-validate']);
  });

  it('confines token-generate to secrets under the first-factor name prefix', () => {
    const resources = resourcesOf(statementsWith(roleStatements(synthesized, 'token-generate'), 'secretsmanager:GetSecretValue'));

    expect(resources).toHaveLength(1);
    expect(JSON.stringify(resources[0])).toMatch(/:secretsmanager:.*:secret:acme\/first-factor\/\*"\]\]\}$/);
  });
});
