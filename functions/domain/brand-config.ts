import type { BrandConfig } from './brand-config-schema';

export type { BrandConfig, BrandConfigInput } from './brand-config-schema';

export const CHANNELS = ['SMS', 'EMAIL', 'WHATSAPP', 'ZALO'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The channels a request may ask to fall back to (`fallbackChannel`) and a brand may allow. */
export const FALLBACK_CHANNELS = ['SMS'] as const;
export type FallbackChannel = (typeof FALLBACK_CHANNELS)[number];

/** The shortest HS256 first-factor secret, inline or in Secrets Manager: RFC 7518 §3.2 wants 256 bits. */
export const MIN_HS256_SECRET_LENGTH = 32;

/** The longest OTP a brand may set (`otpLength`), and so the longest a validation reads. */
export const MAX_OTP_LENGTH = 10;

/** A key server on this machine: the one place plain http may fetch keys from (local development). */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether keys may be fetched from `url`: over https, or plain http to this machine. Keys
 * fetched over plain http could be swapped on the way, and whoever swaps a brand's keys
 * can sign its first-factor and bearer tokens.
 */
export function isTrustedKeySetUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && LOOPBACK_HOST.test(hostname));
}

/** The channels that deliver to a phone number (and so have a country). */
export const isPhoneChannel = (channel: string): boolean => channel === 'SMS' || channel === 'WHATSAPP' || channel === 'ZALO';

/** Brand names compare case-insensitively: this is the form every key and check uses. */
export function brandKey(brand: string): string {
  return brand.trim().toLowerCase();
}

/** Both limit settings must be present for a rate limit to apply. */
export function rateLimitOf(config: BrandConfig): { maxCount: number; windowMs: number } | undefined {
  if (config.otpMaxCount === null || config.otpTimeOut === null) return undefined;
  return { maxCount: config.otpMaxCount, windowMs: config.otpTimeOut * 60_000 };
}
