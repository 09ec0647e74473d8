import type { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { InvalidDetailsError, InvalidIdentifierTypeError } from '../shared/errors';

let parser: typeof parsePhoneNumberFromString | undefined;

/**
 * libphonenumber, loaded at the first number that needs parsing: on Lambda it is a file
 * of its own beside index.js (LAZY_MODULES in lib/service-function.ts), and a request
 * that names its session's number in E.164 (see normaliseAgainst) never parses one.
 */
export function phoneParser(): typeof parsePhoneNumberFromString {
  // A require, not an import: esbuild leaves ./phone-parser external, and node loads it only here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser ??= (require('./phone-parser') as typeof import('./phone-parser')).parsePhoneNumberFromString;
  return parser;
}

/** An E.164 number's country: `known` from an earlier parse, or a parse now. */
export function numberCountry(e164: string, known?: string): string | undefined {
  return known ?? phoneParser()(e164)?.country;
}

const IDENTIFIER_TYPES = ['MOBILE', 'EMAIL', 'USERNAME', 'EXTERNALID'] as const;
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

/** Whether a number of `country` may be sent to: any, where the brand sets no allowedCountries. */
export const inAllowedCountries = (country: string | undefined, options: NormaliseOptions) =>
  !options.allowedCountries?.length || options.allowedCountries.includes(country ?? '');

/** The one libphonenumber parse of a number: its E.164 form and its country. */
function parseMobile(raw: string, options: NormaliseOptions): { value: string; country?: string } {
  const trimmed = raw.trim();
  const international = trimmed.startsWith('+') || !options.defaultCountry;
  const parse = phoneParser();
  // The whole value must be the number: libphonenumber would otherwise take one out of any text.
  const phone = international
    ? parse(trimmed.startsWith('+') ? trimmed : `+${trimmed}`, { extract: false })
    : parse(trimmed, { defaultCountry: options.defaultCountry as CountryCode, extract: false });
  if (!phone || !phone.isValid()) throw new InvalidDetailsError('identifierValue');
  if (!inAllowedCountries(phone.country, options)) throw new InvalidDetailsError('identifierValue');
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

/** A MOBILE written as libphonenumber writes E.164: what a session stores, and most clients send. */
export const isE164 = (raw: string) => /^\+[1-9]\d{1,14}$/.test(raw.trim());

/**
 * Normalises `raw`, given `known`, an identifier normalised earlier (a session's). When
 * `raw` is written exactly as `known` it is `known`: normalising is idempotent, so the
 * same customer needs no second parse. Anything else is normalised afresh.
 */
export function normaliseAgainst(
  type: IdentifierType,
  raw: string,
  options: NormaliseOptions,
  known: Identifier | undefined,
): Identifier {
  if (known?.type === type && known.value === raw.trim() && (type !== 'MOBILE' || inAllowedCountries(known.country, options))) {
    return known;
  }
  return normaliseIdentifier(type, raw, options);
}

/** The form used in tokens and keys: `MOBILE|+18767431754`. */
export function identifierKey(identifier: Identifier): string {
  return `${identifier.type}|${identifier.value}`;
}
