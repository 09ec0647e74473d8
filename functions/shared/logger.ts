import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'mfa-otp' });

/** `+18767431754` → `+1876*****54`: enough to tell numbers apart in a log, not to dial one. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 5) + '*'.repeat(phone.length - 7) + phone.slice(-2);
}

/** `jane.doe@example.com` → `j*******@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '*'.repeat(email.length);
  return email[0] + '*'.repeat(at - 1) + email.slice(at);
}

/** Masks a destination whatever its kind; other identifiers are kept only as a length. */
export function maskIdentifier(type: string, value: string): string {
  if (type === 'MOBILE' || type === 'SMS' || type === 'WHATSAPP' || type === 'ZALO') return maskPhone(value);
  if (type === 'EMAIL') return maskEmail(value);
  return `<${value.length} chars>`;
}
