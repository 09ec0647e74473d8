import { config, requireSetting } from './config';
import { secrets } from './secrets';

// Checked when a function that hashes OTPs loads, not on its first request.
const secretArn = config.OTP_PEPPER === undefined ? requireSetting('OTP_PEPPER_SECRET_ARN') : undefined;

let pepper: Promise<string> | undefined;

/**
 * The key of the OTP hash: read from Secrets Manager once per instance (or taken from
 * OTP_PEPPER off AWS) and kept in memory. Never logged.
 */
export function otpPepper(): Promise<string> {
  pepper ??= load().catch((error: unknown) => {
    pepper = undefined;
    throw error;
  });
  return pepper;
}

async function load(): Promise<string> {
  if (config.OTP_PEPPER) return config.OTP_PEPPER;
  const value = await secrets.get(secretArn as string, { maxAge: 86_400 });
  if (typeof value !== 'string' || value.length < 16) throw new Error('OTP pepper secret is empty or too short');
  return value;
}
