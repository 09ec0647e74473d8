import { parseArgs } from 'node:util';
import { brandKey, CHANNELS, type BrandConfig, type BrandConfigInput } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { newCredential } from '../../functions/domain/credentials';
import { signFirstFactorToken } from '../../functions/domain/first-factor';
import { normaliseIdentifier, parseIdentifierType } from '../../functions/domain/identifiers';
import { newSessionId } from '../../functions/domain/open-session';
import { WRITE_CUSTOMERS } from '../../functions/shared/caller';
import type { DynamoStore } from '../../functions/shared/dynamo-store';
import { ApiError } from '../../functions/shared/errors';

/** A refusal the admin CLI prints as its message, exiting non-zero. */
export class AdminUsageError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'AdminUsageError';
  }
}

/** What --help prints: text to read, on stdout, and not a failure. */
export class UsageText {
  constructor(readonly text: string) {}
}

export interface AdminDeps {
  store: DynamoStore;
  now: () => number;
}

export const USAGE = `Usage: npm run admin -- <command> [options]
  brand put --brand B [--default-country CC|none] [--otp-max-count N|none] [--otp-timeout MIN|none]
            [--otp-length N] [--otp-validity MIN] [--max-otp-retry N] [--session-expiry MIN]
            [--external-id-login | --no-external-id-login] [--otp-send-for-external-id MOBILE|EMAIL]
            [--mobile-sub-channel WHATSAPP|ZALO|none] [--fallback-channels SMS|none]
            [--sms-sender-id S|none] [--sms-origination-number +N|none] [--allowed-countries CC,CC|none]
            [--template CHANNEL=TEXT]... [--first-factor-hs256-secret S] [--first-factor-hs256-secret-ref ARN]
            [--first-factor-jwks-url URL --first-factor-issuer ISS [--first-factor-audience AUD]]
            [--oauth-issuer ISS --oauth-audience AUD --oauth-jwks-url URL | --oauth-issuer none]
  brand get --brand B
  credentials create --brand B [--scope customer:write]...
  credentials revoke --client-id C
  customer put --brand B --identifier-type USERNAME|EXTERNALID --identifier-value V [--mobile M] [--email E]
  session create --brand B --identifier-type T --identifier-value V --device-id D [--ttl-minutes N]
  first-factor-token --brand B --identifier-type T --identifier-value V --device-id D [--ttl-minutes N]
brand put changes only the options given and keeps the rest of the stored configuration;
none clears an option marked |none. A running function sees a change once its brand cache expires
(BRAND_CACHE_SECONDS, 60 by default).
A negative number goes with = (--otp-max-count=-1).`;

const OPTIONS = {
  brand: { type: 'string' },
  'default-country': { type: 'string' },
  'otp-max-count': { type: 'string' },
  'otp-timeout': { type: 'string' },
  'otp-length': { type: 'string' },
  'otp-validity': { type: 'string' },
  'max-otp-retry': { type: 'string' },
  'session-expiry': { type: 'string' },
  'external-id-login': { type: 'boolean' },
  'no-external-id-login': { type: 'boolean' },
  'otp-send-for-external-id': { type: 'string' },
  'mobile-sub-channel': { type: 'string' },
  'fallback-channels': { type: 'string' },
  'sms-sender-id': { type: 'string' },
  'sms-origination-number': { type: 'string' },
  'allowed-countries': { type: 'string' },
  template: { type: 'string', multiple: true },
  'first-factor-hs256-secret': { type: 'string' },
  'first-factor-hs256-secret-ref': { type: 'string' },
  'first-factor-jwks-url': { type: 'string' },
  'first-factor-issuer': { type: 'string' },
  'first-factor-audience': { type: 'string' },
  scope: { type: 'string', multiple: true },
  'identifier-type': { type: 'string' },
  'identifier-value': { type: 'string' },
  'device-id': { type: 'string' },
  mobile: { type: 'string' },
  email: { type: 'string' },
  'ttl-minutes': { type: 'string' },
  'oauth-issuer': { type: 'string' },
  'oauth-audience': { type: 'string' },
  'oauth-jwks-url': { type: 'string' },
  'client-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Runs one admin command and returns what it prints as JSON. */
export async function runAdmin(argv: string[], deps: AdminDeps): Promise<unknown> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own words for an unknown option advise a `--` that takes positionals, which this CLI has no use for.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    throw new AdminUsageError(`${unknown ? `Unknown option ${unknown}` : (error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return new UsageText(USAGE);
  const command = positionals.join(' ');
  switch (command) {
    case 'brand put':
      return withoutSecrets(await putBrand(values, deps));
    case 'brand get': {
      const config = await deps.store.getBrandConfig(brandOption(values));
      if (!config) throw new AdminUsageError(`No configuration for brand ${brandOption(values)}`, 1504);
      return withoutSecrets(config);
    }
    case 'credentials create':
      return createCredentials(brandOption(values), values.scope ?? [WRITE_CUSTOMERS], deps);
    case 'credentials revoke':
      return revokeCredential(values, deps);
    case 'customer put':
      return putCustomer(values, deps);
    case 'session create':
      return createSession(values, deps);
    case 'first-factor-token':
      return firstFactorToken(values, deps);
    default:
      throw new AdminUsageError(command ? `Unknown command: ${command}\n${USAGE}` : USAGE);
  }
}

/** A configuration as printed: an inline first-factor secret shows as set, never as itself. */
function withoutSecrets(config: BrandConfig): BrandConfig {
  if (!config.firstFactor?.hs256Secret) return config;
  return { ...config, firstFactor: { ...config.firstFactor, hs256Secret: '(set)' } };
}

function brandOption(values: Values): string {
  if (!values.brand) throw new AdminUsageError('--brand is required');
  return brandKey(values.brand);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new AdminUsageError(`--${name} must be a whole number`);
  return Number(value);
}

function nullableInteger(name: string, value: string | undefined): number | null | undefined {
  const given = clearable(value);
  return given === null ? null : integer(name, given);
}

function parseTemplates(entries: string[] | undefined): Record<string, string> | undefined {
  if (!entries) return undefined;
  const templates: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const channel = entry.slice(0, equals).toUpperCase();
    if (equals < 1 || !(CHANNELS as readonly string[]).includes(channel)) {
      throw new AdminUsageError(`--template must be CHANNEL=TEXT with CHANNEL one of ${CHANNELS.join(', ')}`);
    }
    templates[channel] = entry.slice(equals + 1);
  }
  return templates;
}

/** `sms` → ['SMS']; `none` → [] (no fallback: ?fallbackChannel=SMS answers 1603); absent → as stored. */
function fallbackChannels(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((channel) => channel.trim().toUpperCase());
}

const CLEARED_BY_NONE = ['defaultCountry', 'smsSenderId', 'smsOriginationNumber', 'allowedCountries', 'oauth'] as const;

/** An option's value, `null` for none (clear it), or undefined when not given. */
function clearable(value: string | undefined): string | null | undefined {
  return value?.toLowerCase() === 'none' ? null : value;
}

/**
 * The given fields over a stored object: none (null) removes a field, and a field not
 * given keeps its value. Undefined when that changes nothing (no field given, or only
 * removals from an object that is not there), so the object stays as stored.
 */
function mergeFields(stored: unknown, given: Record<string, string | null | undefined>): Record<string, unknown> | undefined {
  const base = typeof stored === 'object' && stored !== null ? stored : undefined;
  if (Object.values(given).every((value) => value === undefined || (value === null && !base))) return undefined;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(given)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * The brand's first factor after the options. Its key (an HS256 secret, by value or by
 * reference, and a JWKS URL) is the key options given, as a whole: a secret given to a
 * brand that used a JWKS URL stops the key set being trusted, and a brand keeps both only
 * when both are given. The issuer and audience stay checked, a rotated secret too, until
 * given anew or set to none.
 */
function firstFactorChange(values: Values, stored: unknown): Record<string, unknown> | undefined {
  const key = {
    hs256Secret: clearable(values['first-factor-hs256-secret']),
    hs256SecretRef: clearable(values['first-factor-hs256-secret-ref']),
    jwksUrl: clearable(values['first-factor-jwks-url']),
  };
  if (typeof key.hs256Secret === 'string' && typeof key.hs256SecretRef === 'string') {
    throw new AdminUsageError('One HS256 secret: --first-factor-hs256-secret or --first-factor-hs256-secret-ref, not both');
  }
  const keyGiven = Object.values(key).some((value) => value !== undefined);
  return mergeFields(stored, {
    ...(keyGiven ? { hs256Secret: key.hs256Secret ?? null, hs256SecretRef: key.hs256SecretRef ?? null, jwksUrl: key.jwksUrl ?? null } : {}),
    issuer: clearable(values['first-factor-issuer']),
    audience: clearable(values['first-factor-audience']),
  });
}

/**
 * The brand's OAuth issuer after the options: none (null) removes it; a new issuer comes
 * with its own audience and key set, nothing of the old one's kept; the same issuer's
 * audience or key set changes alone.
 */
function oauthChange(values: Values, stored: unknown): Record<string, unknown> | null | undefined {
  const given = {
    issuer: clearable(values['oauth-issuer']),
    audience: clearable(values['oauth-audience']),
    jwksUrl: clearable(values['oauth-jwks-url']),
  };
  if (given.issuer === null) return null;
  const storedIssuer = (stored as { issuer?: unknown } | undefined)?.issuer;
  return mergeFields(given.issuer !== undefined && given.issuer !== storedIssuer ? undefined : stored, given);
}

/** Maps a value that was given; none (null) and not given (undefined) pass as they are. */
function mapSet<T>(value: string | null | undefined, map: (value: string) => T): T | null | undefined {
  return typeof value === 'string' ? map(value) : value;
}

function externalIdLogin(values: Values): boolean | undefined {
  if (values['external-id-login'] && values['no-external-id-login']) {
    throw new AdminUsageError('--external-id-login and --no-external-id-login contradict each other');
  }
  if (values['no-external-id-login']) return false;
  return values['external-id-login'];
}

/** Writes a brand's configuration: given options over what is stored, validated as a whole. */
export async function putBrand(values: Values, deps: AdminDeps): Promise<BrandConfig> {
  const brand = brandOption(values);
  const current: Record<string, unknown> = { ...((await deps.store.getBrandConfig(brand)) ?? {}) };
  const changes: Record<string, unknown> = {
    brand,
    defaultCountry: mapSet(clearable(values['default-country']), (code) => code.toUpperCase()),
    otpMaxCount: nullableInteger('otp-max-count', values['otp-max-count']),
    otpTimeOut: nullableInteger('otp-timeout', values['otp-timeout']),
    otpLength: integer('otp-length', values['otp-length']),
    otpValidityMinutes: integer('otp-validity', values['otp-validity']),
    mfaMaxOtpRetryCount: integer('max-otp-retry', values['max-otp-retry']),
    mfaSessionExpiryMinutes: integer('session-expiry', values['session-expiry']),
    externalIdLoginEnabled: externalIdLogin(values),
    otpSendForExternalId: values['otp-send-for-external-id']?.toUpperCase(),
    mobileSubChannel: mapSet(clearable(values['mobile-sub-channel']), (channel) => channel.toUpperCase()),
    fallbackChannels: fallbackChannels(values['fallback-channels']),
    smsSenderId: clearable(values['sms-sender-id']),
    smsOriginationNumber: clearable(values['sms-origination-number']),
    allowedCountries: mapSet(clearable(values['allowed-countries']), (codes) => codes.split(',').map((c) => c.trim().toUpperCase())),
  };
  const templates = parseTemplates(values.template);
  if (templates) changes.templates = { ...((current.templates as object) ?? {}), ...templates };
  const firstFactor = firstFactorChange(values, current.firstFactor);
  if (firstFactor) changes.firstFactor = firstFactor;
  const oauth = oauthChange(values, current.oauth);
  if (oauth !== undefined) changes.oauth = oauth;
  const merged: Record<string, unknown> = { ...current, ...withoutUndefined(changes) };
  // These are absent rather than null when unset: none removes them.
  for (const key of CLEARED_BY_NONE) if (merged[key] === null) delete merged[key];
  try {
    const config = parseBrandConfig(merged as BrandConfigInput);
    // The authorizer finds a bearer token's brand by its issuer, so an issuer has one brand.
    if (config.oauth) {
      const owner = await deps.store.getOAuthIssuer(config.oauth.issuer);
      if (owner && owner.brand !== brand) throw new AdminUsageError(`OAuth issuer already belongs to brand ${owner.brand}`);
    }
    // The authorizer trusts every issuer item it finds: one the brand no longer names goes
    // first, so that no failure part way leaves it trusted; run again, this completes.
    const previous = (current.oauth as { issuer?: string } | undefined)?.issuer;
    if (previous && previous !== config.oauth?.issuer) await deps.store.deleteOAuthIssuer(previous, brand);
    await deps.store.putBrandConfig(config);
    if (config.oauth) await deps.store.putOAuthIssuer({ brand, ...config.oauth });
    return config;
  } catch (error) {
    if (error instanceof ApiError) throw new AdminUsageError(error.message, error.code);
    throw error;
  }
}

export async function createCredentials(brand: string, scopes: string[], deps: AdminDeps) {
  if (!(await deps.store.getBrandConfig(brand))) throw new AdminUsageError(`No configuration for brand ${brand}`, 1504);
  const { clientSecret, stored } = newCredential(brand, scopes);
  await deps.store.putCredential(stored, deps.now());
  // Kept as asked (a brand may hand out a read-only credential), but said plainly.
  const note = scopes.includes(WRITE_CUSTOMERS) ? {} : { note: `without ${WRITE_CUSTOMERS} every route but the JWKS answers this credential 403` };
  return { clientId: stored.clientId, clientSecret, brand, scopes, ...note };
}

async function revokeCredential(values: Values, deps: AdminDeps) {
  const clientId = values['client-id']?.trim();
  if (!clientId) throw new AdminUsageError('--client-id is required');
  if (!(await deps.store.deleteCredential(clientId))) throw new AdminUsageError(`No credential ${clientId}`);
  // API Gateway keeps an Allow per Authorization header for the authorizer's cache TTL.
  return { clientId, revoked: true, note: 'the API may accept it until the authorizer cache expires (authorizerCacheTtlSeconds, 300 s by default)' };
}

async function identifierFor(values: Values, deps: AdminDeps, brand: string) {
  const config = await deps.store.getBrandConfig(brand);
  if (!config) throw new AdminUsageError(`No configuration for brand ${brand}`, 1504);
  try {
    const type = parseIdentifierType(values['identifier-type']);
    if (!values['identifier-value']) throw new AdminUsageError('--identifier-value is required');
    return { config, identifier: normaliseIdentifier(type, values['identifier-value'], config) };
  } catch (error) {
    if (error instanceof ApiError) throw new AdminUsageError(`${error.message} (--identifier-type / --identifier-value)`, error.code);
    throw error;
  }
}

async function putCustomer(values: Values, deps: AdminDeps) {
  const brand = brandOption(values);
  const { config, identifier } = await identifierFor(values, deps, brand);
  if (identifier.type !== 'USERNAME' && identifier.type !== 'EXTERNALID') {
    throw new AdminUsageError('--identifier-type must be USERNAME or EXTERNALID');
  }
  if (!values.mobile && !values.email) throw new AdminUsageError('--mobile or --email is required');
  const customer = withoutUndefined({
    mobile: values.mobile ? contact('mobile', () => normaliseIdentifier('MOBILE', values.mobile as string, config).value) : undefined,
    email: values.email ? contact('email', () => normaliseIdentifier('EMAIL', values.email as string).value) : undefined,
  });
  await deps.store.putCustomer(brand, identifier, customer);
  return { brand, identifierType: identifier.type, identifierValue: identifier.value, ...customer };
}

/** A customer's mobile or e-mail, normalised; a refusal names the option, not the API's field. */
function contact(option: 'mobile' | 'email', normalise: () => string): string {
  try {
    return normalise();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const why = option === 'mobile' ? "not a valid number, or outside the brand's allowed countries" : 'not an e-mail address';
    throw new AdminUsageError(`Invalid --${option}: ${why}`, error.code);
  }
}

function requireDeviceId(values: Values): string {
  const deviceId = values['device-id'];
  if (!deviceId?.trim()) throw new AdminUsageError('--device-id is required');
  return deviceId;
}

function ttlMinutes(values: Values, fallback: number): number {
  const minutes = integer('ttl-minutes', values['ttl-minutes']) ?? fallback;
  if (minutes < 1) throw new AdminUsageError('--ttl-minutes must be at least 1');
  return minutes;
}

async function createSession(values: Values, deps: AdminDeps) {
  const brand = brandOption(values);
  const { config, identifier } = await identifierFor(values, deps, brand);
  const deviceId = requireDeviceId(values);
  const sessionId = newSessionId();
  const expiresAt = deps.now() + ttlMinutes(values, config.mfaSessionExpiryMinutes) * 60_000;
  await deps.store.createSession({
    sessionId,
    brand,
    identifierType: identifier.type,
    identifierValue: identifier.value,
    ...(identifier.country ? { identifierCountry: identifier.country } : {}),
    deviceId,
    expiresAt,
  });
  return { sessionId, expiresAt: new Date(expiresAt).toISOString() };
}

/** Short, as a brand's login would issue it: just long enough to call token/generate. */
const FIRST_FACTOR_TOKEN_TTL_MINUTES = 5;

/** What a brand's first-factor login would hand its client, for trying the API locally. */
async function firstFactorToken(values: Values, deps: AdminDeps) {
  const brand = brandOption(values);
  const { config, identifier } = await identifierFor(values, deps, brand);
  const deviceId = requireDeviceId(values);
  const firstFactor = config.firstFactor;
  if (!firstFactor?.hs256Secret) {
    throw new AdminUsageError(
      `Brand ${brand} has no local HS256 first-factor secret to sign with (set one with brand put --first-factor-hs256-secret S)`,
    );
  }
  const authorizedToken = await signFirstFactorToken({
    secret: firstFactor.hs256Secret,
    brand,
    identifier,
    deviceId,
    ttlSeconds: ttlMinutes(values, FIRST_FACTOR_TOKEN_TTL_MINUTES) * 60,
    now: new Date(deps.now()),
    ...(firstFactor.issuer ? { issuer: firstFactor.issuer } : {}),
    ...(firstFactor.audience ? { audience: firstFactor.audience } : {}),
  });
  return { authorizedToken };
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
