import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from './aws-clients';
import { cachedUntilFailure } from './cached-promise';
import { config, requireSetting } from './config';
import { MIN_PEPPER_LENGTH } from './service-defaults';

// Checked when a function that hashes OTPs loads, not on its first request.
const secretArn = config.OTP_PEPPER === undefined ? requireSetting('OTP_PEPPER_SECRET_ARN') : undefined;

/**
 * Read straight through the service's Secrets Manager client, not Powertools Parameters:
 * the pepper is read once and kept, so a cache with an age would add nothing but code
 * to the two bundles that load it at start.
 */
async function load(): Promise<string> {
  if (config.OTP_PEPPER) return config.OTP_PEPPER;
  const { SecretString: value } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (typeof value !== 'string' || value.length < MIN_PEPPER_LENGTH) throw new Error('OTP pepper secret is empty or too short');
  return value;
}

/**
 * The key of the OTP hash: read from Secrets Manager once per instance (or taken from
 * OTP_PEPPER off AWS) and kept in memory; read again after a failed read. Never logged.
 */
export const otpPepper = cachedUntilFailure(load);
