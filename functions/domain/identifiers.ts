import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { InvalidDetailsError, InvalidIdentifierTypeError } from '../shared/errors';

export const IDENTIFIER_TYPES = ['MOBILE', 'EMAIL', 'USERNAME', 'EXTERNALID'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface Identifier {
  type: IdentifierType;
  /** Normalised: E.164 for MOBILE, lower case for EMAIL, trimmed otherwise. */
  value: string;
  /** A MOBILE's country (ISO 3166 alpha-2), from the parse that normalised it. */
  country?: string;
}

export interface NormaliseOptions {
  defaultCountry?: string | undefined;
  allowedCountries?: readonly string[] | undefined;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_IDENTIFIER_LENGTH = 320;

export function parseIdentifierType(value: unknown): IdentifierType {
  if (typeof value === 'string' && (IDENTIFIER_TYPES as readonly string[]).includes(value)) {
    return value as IdentifierType;
  }
  throw new InvalidIdentifierTypeError();
}

/**
 * Normalises a mobile number to E.164. A number without `+` is read in the brand's
 * default country, or as international digits when the brand has none.
 */
export function normaliseMobile(raw: string, options: NormaliseOptions = {}): string {
  return parseMobile(raw, options).value;
}

/** The one libphonenumber parse of a number: its E.164 form and its country. */
function parseMobile(raw: string, options: NormaliseOptions): { value: string; country?: string } {
  const trimmed = raw.trim();
  const international = trimmed.startsWith('+') || !options.defaultCountry;
  const phone = international
    ? parsePhoneNumberFromString(trimmed.startsWith('+') ? trimmed : `+${trimmed}`)
    : parsePhoneNumberFromString(trimmed, options.defaultCountry as CountryCode);
  if (!phone || !phone.isValid()) throw new InvalidDetailsError('identifierValue');
  if (options.allowedCountries?.length && !options.allowedCountries.includes(phone.country ?? '')) {
    throw new InvalidDetailsError('identifierValue');
  }
  return phone.country ? { value: phone.number, country: phone.country } : { value: phone.number };
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw new InvalidDetailsError('identifierValue');
  return email;
}

export function normaliseIdentifier(type: IdentifierType, raw: string, options: NormaliseOptions = {}): Identifier {
  if (raw.length > MAX_IDENTIFIER_LENGTH) throw new InvalidDetailsError('identifierValue');
  switch (type) {
    case 'MOBILE':
      return { type, ...parseMobile(raw, options) };
    case 'EMAIL':
      return { type, value: normaliseEmail(raw) };
    default: {
      const value = raw.trim();
      if (value === '') throw new InvalidDetailsError('identifierValue');
      return { type, value };
    }
  }
}

/** The form used in tokens and keys: `MOBILE|+18767431754`. */
export function identifierKey(identifier: Identifier): string {
  return `${identifier.type}|${identifier.value}`;
}
