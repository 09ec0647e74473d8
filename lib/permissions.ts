/**
 * What each function may do, in one place. The stack turns every entry into exactly
 * these grants (and the matching environment variables), and nothing else; the stack
 * tests pin the resulting IAM actions, so a change here is a reviewed change there.
 */
export const FUNCTION_NAMES = ['authorizer', 'token-generate', 'otp-generate', 'otp-validate', 'jwks'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem';

export type SigningKeyAction = 'kms:Sign' | 'kms:GetPublicKey';

export interface FunctionAccess {
  /** Actions on the service table; omitted: the function gets neither TABLE_NAME nor any table grant. */
  readonly table?: readonly TableAction[];
  /** Actions on the asymmetric token-signing key. */
  readonly signingKey?: readonly SigningKeyAction[];
  /** secretsmanager:GetSecretValue on the OTP pepper. */
  readonly otpPepper?: boolean;
  /** secretsmanager:GetSecretValue on the brands' first-factor secrets (by name prefix). */
  readonly firstFactorSecrets?: boolean;
  /** sns:Publish to the OTP delivery topic and to phone numbers (SMS). */
  readonly otpDelivery?: boolean;
}

export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  authorizer: {
    table: ['dynamodb:GetItem'],
  },
  'token-generate': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    // A signature names its key (kid, the public key's thumbprint): one GetPublicKey per instance.
    signingKey: ['kms:GetPublicKey', 'kms:Sign'],
    firstFactorSecrets: true,
  },
  'otp-generate': {
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    otpPepper: true,
    otpDelivery: true,
  },
  'otp-validate': {
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
    signingKey: ['kms:GetPublicKey', 'kms:Sign'],
    otpPepper: true,
  },
  jwks: {
    signingKey: ['kms:GetPublicKey'],
  },
};
