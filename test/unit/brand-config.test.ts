import { brandKey, rateLimitOf } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { InvalidBrandConfigError } from '../../functions/shared/errors';

const refusal = (input: unknown) => {
  try {
    parseBrandConfig(input);
  } catch (error) {
    return error as InvalidBrandConfigError;
  }
  throw new Error('expected the configuration to be refused');
};

describe('parseBrandConfig', () => {
  it('fills in the spec defaults for unset fields', () => {
    expect(parseBrandConfig({ brand: 'acme' })).toEqual({
      brand: 'acme',
      otpMaxCount: null,
      otpTimeOut: null,
      otpLength: 6,
      otpValidityMinutes: 10,
      mfaMaxOtpRetryCount: 5,
      mfaSessionExpiryMinutes: 15,
      externalIdLoginEnabled: false,
      otpSendForExternalId: 'MOBILE',
      mobileSubChannel: null,
      fallbackChannels: ['SMS'],
      templates: {},
    });
  });

  it('keeps the values it is given', () => {
    const config = parseBrandConfig({
      brand: 'acme',
      defaultCountry: 'JM',
      otpMaxCount: 3,
      otpTimeOut: 30,
      otpLength: 8,
      mobileSubChannel: 'WHATSAPP',
      fallbackChannels: [],
      smsSenderId: 'ACME',
      smsOriginationNumber: '+15005550006',
      allowedCountries: ['JM', 'US'],
      templates: { SMS: 'Code {otp}' },
    });

    expect(config).toMatchObject({ defaultCountry: 'JM', otpMaxCount: 3, otpTimeOut: 30, otpLength: 8, fallbackChannels: [] });
  });

  it.each([0, -1, -100])('refuses otpMaxCount %p with 1535', (otpMaxCount) => {
    const error = refusal({ brand: 'acme', otpMaxCount, otpTimeOut: 10 });

    expect(error).toBeInstanceOf(InvalidBrandConfigError);
    expect(error.code).toBe(1535);
  });

  it('accepts otpMaxCount 1', () => {
    expect(parseBrandConfig({ brand: 'acme', otpMaxCount: 1, otpTimeOut: 10 }).otpMaxCount).toBe(1);
  });

  it('accepts otpMaxCount up to 1000, which bounds the counter item', () => {
    expect(parseBrandConfig({ brand: 'acme', otpMaxCount: 1000, otpTimeOut: 10 }).otpMaxCount).toBe(1000);
  });

  it.each([
    ['otpMaxCount', { otpMaxCount: 2.5 }],
    ['otpMaxCount', { otpMaxCount: '5' }],
    ['otpMaxCount', { otpMaxCount: 1001 }],
    ['otpTimeOut', { otpTimeOut: 0 }],
    ['otpLength', { otpLength: 3 }],
    ['otpLength', { otpLength: 11 }],
    ['mfaMaxOtpRetryCount', { mfaMaxOtpRetryCount: 0 }],
    ['defaultCountry', { defaultCountry: 'us' }],
    ['defaultCountry', { defaultCountry: 'XX' }],
    ['allowedCountries', { allowedCountries: ['US', 'ZZ'] }],
    ['mobileSubChannel', { mobileSubChannel: 'SMS' }],
    ['fallbackChannels', { fallbackChannels: ['EMAIL'] }],
    ['smsSenderId', { smsSenderId: 'TOO-LONG-SENDER' }],
    ['smsOriginationNumber', { smsOriginationNumber: '15005550006' }],
    ['brand', { brand: 'Acme' }],
    ['templates', { templates: { FAX: 'x {otp}' } }],
  ])('refuses a bad %s with 1519 naming it', (field, overrides) => {
    const error = refusal({ brand: 'acme', ...overrides });

    expect(error.code).toBe(1519);
    expect(error.message).toContain(field);
  });

  it('refuses an OAuth issuer longer in bytes than the authorizer looks up, naming it', () => {
    const issuer = `https://idp.example/${'é'.repeat(600)}`;

    const error = refusal({ brand: 'acme', oauth: { issuer, audience: 'mfa', jwksUrl: 'https://idp.example/jwks.json' } });

    expect([error.code, error.message]).toEqual([1519, expect.stringContaining('oauth.issuer')]);
  });

  it.each([
    ['oauth.jwksUrl', { oauth: { issuer: 'https://idp.example', audience: 'mfa', jwksUrl: 'http://idp.example/jwks.json' } }],
    ['firstFactor.jwksUrl', { firstFactor: { issuer: 'https://idp.example', jwksUrl: 'http://idp.example/jwks.json' } }],
    ['oauth.jwksUrl', { oauth: { issuer: 'https://idp.example', audience: 'mfa', jwksUrl: 'http://127.0.0.1.example/jwks.json' } }],
    ['oauth.jwksUrl', { oauth: { issuer: 'https://idp.example', audience: 'mfa', jwksUrl: 'ftp://127.0.0.1/jwks.json' } }],
  ])('refuses keys fetched other than over https, or plain http from this machine, naming %s', (field, overrides) => {
    const error = refusal({ brand: 'acme', ...overrides });

    expect([error.code, error.message]).toEqual([1519, expect.stringContaining(field)]);
  });

  it.each(['http://127.0.0.1:8080/jwks.json', 'http://localhost:8080/jwks.json', 'http://[::1]:8080/jwks.json', 'https://idp.example/jwks.json'])(
    'accepts keys from %s',
    (jwksUrl) => {
      const config = parseBrandConfig({ brand: 'acme', oauth: { issuer: 'https://idp.example', audience: 'mfa', jwksUrl } });

      expect(config.oauth?.jwksUrl).toBe(jwksUrl);
    },
  );

  it('refuses a template without {otp} with 1519', () => {
    const error = refusal({ brand: 'acme', templates: { SMS: 'Your code is coming' } });

    expect(error.code).toBe(1519);
    expect(error.message).toContain('templates.SMS must contain {otp}');
  });

  it('accepts templates that all contain {otp}', () => {
    const config = parseBrandConfig({ brand: 'acme', templates: { SMS: '{otp}', EMAIL: 'Code {otp} valid {minutes} min' } });

    expect(config.templates).toEqual({ SMS: '{otp}', EMAIL: 'Code {otp} valid {minutes} min' });
  });

  it('refuses a first factor with neither secret nor JWKS URL', () => {
    expect(refusal({ brand: 'acme', firstFactor: { issuer: 'https://idp.example.com' } }).code).toBe(1519);
  });

  it('refuses a JWKS first factor without an issuer', () => {
    expect(refusal({ brand: 'acme', firstFactor: { jwksUrl: 'https://idp.example.com/jwks.json' } }).message).toContain(
      'issuer',
    );
  });
});

describe('rateLimitOf', () => {
  it('gives the count and the window in milliseconds when both are set', () => {
    expect(rateLimitOf(parseBrandConfig({ brand: 'acme', otpMaxCount: 5, otpTimeOut: 10 }))).toEqual({
      maxCount: 5,
      windowMs: 600_000,
    });
  });

  it.each([
    { otpMaxCount: 5, otpTimeOut: null },
    { otpMaxCount: null, otpTimeOut: 10 },
    { otpMaxCount: null, otpTimeOut: null },
  ])('gives no limit for %p', (limits) => {
    expect(rateLimitOf(parseBrandConfig({ brand: 'acme', ...limits }))).toBeUndefined();
  });
});

describe('brandKey', () => {
  it('trims and lower-cases', () => {
    expect(brandKey('  DeMo ')).toBe('demo');
  });
});
