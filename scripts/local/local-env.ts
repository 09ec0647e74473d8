import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalEnvironment {
  dynamoEndpoint: string;
  tableName: string;
  /** Holds the pepper and the token-signing key. */
  localDir: string;
  outboxFile: string;
}

/** A pepper kept in the local directory, so OTPs issued before a restart still validate after it. */
function localPepper(localDir: string): string {
  const file = join(localDir, 'otp-pepper');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pepper = randomBytes(32).toString('base64url');
  mkdirSync(localDir, { recursive: true });
  writeFileSync(file, pepper, { mode: 0o600 });
  return pepper;
}

/**
 * The configuration the handlers read when first loaded, pointed at the local stack:
 * set it before they are imported.
 */
export function applyLocalEnvironment(local: LocalEnvironment): void {
  process.env.TABLE_NAME = local.tableName;
  process.env.DYNAMODB_ENDPOINT = local.dynamoEndpoint;
  process.env.OTP_SENDER = 'outbox';
  process.env.OUTBOX_FILE = local.outboxFile;
  process.env.OTP_PEPPER ??= localPepper(local.localDir);
  process.env.TOKEN_SIGNER = 'local';
  process.env.TOKEN_LOCAL_KEY_FILE ??= join(local.localDir, 'token-signing-key.json');
  process.env.AWS_REGION ??= 'us-east-1';
  // The local stack runs on Node 20 too; Lambda runs Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  delete process.env.OTP_PEPPER_SECRET_ARN;
}
