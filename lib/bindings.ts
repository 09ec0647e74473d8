import { Aws, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { SigningKeyAction, TableAction } from './permissions';
import type { ServiceFunction } from './service-function';

/*
 * Each helper hands a function one resource: the environment variable that names it and
 * the grant that lets the function use it, together, so that neither can be added alone.
 * Only names, ARNs and IDs go into the environment, never a secret's value.
 */

export function bindTable(target: ServiceFunction, table: dynamodb.ITable, actions: readonly TableAction[]): void {
  target.fn.addEnvironment('TABLE_NAME', table.tableName);
  table.grant(target.fn, ...actions);
}

export function bindOtpPepper(target: ServiceFunction, secret: secretsmanager.ISecret): void {
  target.fn.addEnvironment('OTP_PEPPER_SECRET_ARN', secret.secretArn);
  // Only GetSecretValue: secret.grantRead would add DescribeSecret, which no handler calls.
  target.fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

export interface SigningKeyBinding {
  readonly key: kms.IKey;
  readonly issuer: string;
}

export function bindSigningKey(target: ServiceFunction, binding: SigningKeyBinding, actions: readonly SigningKeyAction[]): void {
  target.fn.addEnvironment('TOKEN_SIGNER', 'kms');
  target.fn.addEnvironment('TOKEN_KMS_KEY_ID', binding.key.keyArn);
  target.fn.addEnvironment('TOKEN_ISSUER', binding.issuer);
  binding.key.grant(target.fn, ...actions);
}

/** The brands' HS256 first-factor secrets: any secret whose name starts with `prefix`. */
export function bindFirstFactorSecrets(target: ServiceFunction, prefix: string): void {
  const policy = new iam.Policy(target, 'FirstFactorSecretsPolicy', {
    roles: [target.role],
    statements: [
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends a random 6-character suffix to every secret ARN. Pseudo
        // parameters even when the stack's env is known keep the acknowledgement's ID stable.
        resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}*`],
      }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
    reason:
      'Brands are added at run time (npm run admin -- brand put), each with its own HS256 secret; the wildcard is confined to the first-factor name prefix and to GetSecretValue.',
  });
}

export interface OtpDeliveryBinding {
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
}

/** OTPs go out by SMS straight to the phone number, or on the delivery topic for the other channels. */
export function bindOtpDelivery(target: ServiceFunction, binding: OtpDeliveryBinding): void {
  target.fn.addEnvironment('OTP_SENDER', 'sns');
  target.fn.addEnvironment('OTP_TOPIC_ARN', binding.topic.topicArn);
  target.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [binding.topic.topicArn] }));
  // A publisher to an SSE-KMS topic needs these two on the topic's key (SNS developer guide).
  target.fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [binding.topicKey.keyArn] }),
  );

  const smsPolicy = new iam.Policy(target, 'SmsPublishPolicy', {
    roles: [target.role],
    statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })],
  });
  Validations.of(smsPolicy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'SMS is sent by sns:Publish with PhoneNumber, which has no resource ARN: IAM can only allow it on Resource *. This policy holds that single action and nothing else.',
  });
}
