import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { authenticate, digestSecret } from '../../functions/domain/credentials';
import { tableKeys } from '../../functions/shared/table-keys';
import { AdminUsageError, runAdmin, UsageText } from '../../scripts/admin/commands';
import { uniqueBrand } from '../support/api-events';
import { testStore } from '../support/fixtures';
import { scanLogsOfEachTest } from '../support/log-scan';
import { storedItem } from '../support/otp-generate';

const NOW = 1_800_000_000_000;
const store = testStore();
const issuedSecrets: string[] = [];

async function admin(...argv: string[]): Promise<unknown> {
  const result = await runAdmin(argv, { store, now: () => NOW });
  const secret = (result as { clientSecret?: unknown } | undefined)?.clientSecret;
  if (typeof secret === 'string') issuedSecrets.push(secret);
  return result;
}

scanLogsOfEachTest(() => ({
  phones: ['(876) 743-1754', '1 876 743 1754'],
  emails: ['jane@example.com', 'a@b.co'],
  identifiers: ['jane'],
  secrets: issuedSecrets,
}));

/** The AdminUsageError a command is refused with. */
async function refusal(...argv: string[]): Promise<AdminUsageError> {
  const error = await admin(...argv).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AdminUsageError)) throw new Error(`expected an AdminUsageError, got ${String(error)}`);
  return error;
}

/** A brand of its own, written through the CLI. */
async function brandPut(...options: string[]): Promise<string> {
  const brand = uniqueBrand('adm');
  await admin('brand', 'put', '--brand', brand, ...options);
  return brand;
}

describe('admin brand put', () => {
  it('writes the configuration with the spec defaults that parseBrandConfig gives, and returns it', async () => {
    const brand = uniqueBrand('adm');

    const written = await admin('brand', 'put', '--brand', brand, '--default-country', 'us', '--otp-max-count', '5', '--otp-timeout', '10');

    expect(written).toEqual(parseBrandConfig({ brand, defaultCountry: 'US', otpMaxCount: 5, otpTimeOut: 10 }));
    expect(written).toMatchObject({ otpLength: 6, otpValidityMinutes: 10, mfaSessionExpiryMinutes: 15, templates: {} });
    expect(await store.getBrandConfig(brand)).toEqual(written);
  });

  it('stores the brand name in lower case', async () => {
    const brand = uniqueBrand('adm');

    await admin('brand', 'put', '--brand', ` ${brand.toUpperCase()} `);

    expect((await store.getBrandConfig(brand))?.brand).toBe(brand);
  });

  it.each([[['--otp-max-count', '0']], [['--otp-max-count=-1']]])('refuses %p with 1535 and writes nothing', async (option) => {
    const brand = uniqueBrand('adm');

    const error = await refusal('brand', 'put', '--brand', brand, ...option, '--otp-timeout', '10');

    expect(error.code).toBe(1535);
    expect(error.message).toContain('otpMaxCount must be at least 1');
    expect(await store.getBrandConfig(brand)).toBeUndefined();
  });

  it('asks for --otp-max-count=-1 when a negative count is given as a separate argument', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--otp-max-count', '-1');

    expect(error.message).toContain("'--otp-max-count=-XYZ'");
  });

  it('keeps the stored configuration when a change is refused', async () => {
    const brand = await brandPut('--otp-max-count', '5', '--otp-timeout', '10');

    await refusal('brand', 'put', '--brand', brand, '--otp-max-count', '0');

    expect((await store.getBrandConfig(brand))?.otpMaxCount).toBe(5);
  });

  it('clears otpMaxCount with --otp-max-count none', async () => {
    const brand = await brandPut('--otp-max-count', '5', '--otp-timeout', '10');

    await admin('brand', 'put', '--brand', brand, '--otp-max-count', 'None');

    expect(await store.getBrandConfig(brand)).toMatchObject({ otpMaxCount: null, otpTimeOut: 10 });
  });

  it.each([
    ['--otp-max-count', '5.5'],
    ['--otp-max-count', 'five'],
    ['--otp-max-count', ''],
    ['--otp-timeout', '1e3'],
    ['--otp-length', '0x6'],
    ['--session-expiry', '15m'],
  ])('refuses %s %p with a message naming the option', async (option, value) => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), option, value);

    expect(error.message).toBe(`${option} must be a whole number`);
  });

  it('refuses an OTP length outside 4-10 with 1519 naming otpLength', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--otp-length', '11');

    expect(error.code).toBe(1519);
    expect(error.message).toContain('otpLength');
  });

  it('keeps what is stored and changes only the options given', async () => {
    const brand = await brandPut('--otp-max-count', '3', '--otp-timeout', '10', '--sms-sender-id', 'ACME');

    await admin('brand', 'put', '--brand', brand, '--otp-length', '8');

    expect(await store.getBrandConfig(brand)).toMatchObject({ otpMaxCount: 3, otpTimeOut: 10, otpLength: 8, smsSenderId: 'ACME' });
  });

  it('writes templates per channel, merged with the stored ones', async () => {
    const brand = await brandPut('--template', 'SMS=Acme {otp}');

    await admin('brand', 'put', '--brand', brand, '--template', 'email=Mail {otp} for {minutes} min');

    expect((await store.getBrandConfig(brand))?.templates).toEqual({ SMS: 'Acme {otp}', EMAIL: 'Mail {otp} for {minutes} min' });
  });

  it('keeps an = inside a template text', async () => {
    const brand = await brandPut('--template', 'SMS=code={otp}');

    expect((await store.getBrandConfig(brand))?.templates).toEqual({ SMS: 'code={otp}' });
  });

  it('refuses a template without {otp} with 1519', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--template', 'SMS=Your code is ready');

    expect(error.code).toBe(1519);
    expect(error.message).toContain('templates.SMS must contain {otp}');
  });

  it.each(['FAX=Code {otp}', 'Code {otp}', '=Code {otp}'])('refuses the template %p naming the form', async (template) => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--template', template);

    expect(error.message).toContain('--template must be CHANNEL=TEXT');
  });

  it('reads a sub-channel, allowed countries and none in any case', async () => {
    const brand = await brandPut('--mobile-sub-channel', 'whatsapp', '--allowed-countries', 'us, jm');
    expect(await store.getBrandConfig(brand)).toMatchObject({ mobileSubChannel: 'WHATSAPP', allowedCountries: ['US', 'JM'] });

    await admin('brand', 'put', '--brand', brand, '--mobile-sub-channel', 'NONE');

    expect((await store.getBrandConfig(brand))?.mobileSubChannel).toBeNull();
  });

  it('sets the fallback channels, none included', async () => {
    const brand = await brandPut('--fallback-channels', 'none');
    expect((await store.getBrandConfig(brand))?.fallbackChannels).toEqual([]);

    await admin('brand', 'put', '--brand', brand, '--fallback-channels', 'sms');

    expect((await store.getBrandConfig(brand))?.fallbackChannels).toEqual(['SMS']);
  });

  it('refuses a fallback channel other than SMS', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--fallback-channels', 'WHATSAPP');

    expect(error.message).toContain('fallbackChannels');
  });

  it('turns external ID login off again with --no-external-id-login', async () => {
    const brand = await brandPut('--external-id-login');
    expect((await store.getBrandConfig(brand))?.externalIdLoginEnabled).toBe(true);

    await admin('brand', 'put', '--brand', brand, '--no-external-id-login');

    expect((await store.getBrandConfig(brand))?.externalIdLoginEnabled).toBe(false);
  });

  it('refuses --external-id-login with --no-external-id-login', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--external-id-login', '--no-external-id-login');

    expect(error.message).toContain('contradict');
  });

  it('clears the default country, sender ID, origination number and allowed countries with none', async () => {
    const options = { '--default-country': 'JM', '--sms-sender-id': 'ACME', '--sms-origination-number': '+18765550100', '--allowed-countries': 'JM,US' };
    const brand = await brandPut(...Object.entries(options).flat());

    await admin('brand', 'put', '--brand', brand, ...Object.keys(options).flatMap((option) => [option, 'none']));

    const stored = await store.getBrandConfig(brand);
    expect(stored).toMatchObject({ brand });
    for (const key of ['defaultCountry', 'smsSenderId', 'smsOriginationNumber', 'allowedCountries']) {
      expect(stored).not.toHaveProperty(key);
    }
  });

  it.each([
    ['--default-country', 'XX', 'defaultCountry'],
    ['--allowed-countries', 'US,ZZ', 'allowedCountries'],
  ])('refuses %s %s, no country numbers are read in, with 1519 naming %s', async (option, value, field) => {
    const brand = uniqueBrand('adm');

    const error = await refusal('brand', 'put', '--brand', brand, option, value);

    expect([error.code, error.message]).toEqual([1519, expect.stringContaining(field)]);
    expect(await store.getBrandConfig(brand)).toBeUndefined();
  });

  it('refuses an unknown option', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--otp-max', '5');

    expect(error.message).toMatch(/^Unknown option --otp-max\nUsage:/);
    expect(error.message).not.toContain('positional argument');
  });

  it('refuses a missing --brand', async () => {
    expect((await refusal('brand', 'put', '--otp-length', '6')).message).toBe('--brand is required');
  });
});

describe('admin brand put --oauth-*', () => {
  const oauth = (issuer: string) => ['--oauth-issuer', issuer, '--oauth-audience', 'mfa-api', '--oauth-jwks-url', `${issuer}/jwks.json`];
  const issuerUrl = () => `https://${uniqueBrand('idp')}.example.com`;

  it('registers the issuer for the brand', async () => {
    const issuer = issuerUrl();

    const brand = await brandPut(...oauth(issuer));

    expect(await store.getOAuthIssuer(issuer)).toEqual({ brand, issuer, audience: 'mfa-api', jwksUrl: `${issuer}/jwks.json` });
  });

  it('stops trusting the old issuer when the brand names a new one', async () => {
    const [before, after] = [issuerUrl(), issuerUrl()];
    const brand = await brandPut(...oauth(before));

    await admin('brand', 'put', '--brand', brand, ...oauth(after));

    expect(await store.getOAuthIssuer(before)).toBeUndefined();
    expect((await store.getOAuthIssuer(after))?.brand).toBe(brand);
  });

  it('removes bearer access with --oauth-issuer none', async () => {
    const issuer = issuerUrl();
    const brand = await brandPut(...oauth(issuer));

    await admin('brand', 'put', '--brand', brand, '--oauth-issuer', 'none');

    expect(await store.getOAuthIssuer(issuer)).toBeUndefined();
    expect(await store.getBrandConfig(brand)).not.toHaveProperty('oauth');
  });

  it('changes only the OAuth field it is given and registers the issuer with it', async () => {
    const issuer = issuerUrl();
    const brand = await brandPut(...oauth(issuer));

    await admin('brand', 'put', '--brand', brand, '--oauth-audience', 'mfa-api-v2');

    expect(await store.getOAuthIssuer(issuer)).toEqual({ brand, issuer, audience: 'mfa-api-v2', jwksUrl: `${issuer}/jwks.json` });
  });

  it("takes a new issuer with its own audience and key set, keeping nothing of the old one's", async () => {
    const [before, after] = [issuerUrl(), issuerUrl()];
    const brand = await brandPut(...oauth(before));

    const error = await refusal('brand', 'put', '--brand', brand, '--oauth-issuer', after);

    expect(error.message).toMatch(/^Invalid brand configuration: oauth\.audience/);
    expect((await store.getOAuthIssuer(before))?.brand).toBe(brand);
    expect(await store.getOAuthIssuer(after)).toBeUndefined();
  });

  it("refuses another brand's issuer and leaves its registration alone", async () => {
    const issuer = issuerUrl();
    const owner = await brandPut(...oauth(issuer));
    const other = await brandPut();

    const error = await refusal('brand', 'put', '--brand', other, ...oauth(issuer));

    expect(error.message).toBe(`OAuth issuer already belongs to brand ${owner}`);
    expect((await store.getOAuthIssuer(issuer))?.brand).toBe(owner);
  });
});

describe('admin brand put --first-factor-*', () => {
  const [secretA, secretB] = ['a'.repeat(32), 'b'.repeat(32)];
  const checks = ['--first-factor-issuer', 'brand-login', '--first-factor-audience', 'mfa-otp'];

  it('keeps the issuer and audience checked when only the secret is rotated', async () => {
    const brand = await brandPut('--first-factor-hs256-secret', secretA, ...checks);

    await admin('brand', 'put', '--brand', brand, '--first-factor-hs256-secret', secretB);

    expect((await store.getBrandConfig(brand))?.firstFactor).toEqual({ hs256Secret: secretB, issuer: 'brand-login', audience: 'mfa-otp' });
  });

  it('replaces an inline secret with a secret reference, the one HS256 secret in another form', async () => {
    const brand = await brandPut('--first-factor-hs256-secret', secretA, ...checks);

    await admin('brand', 'put', '--brand', brand, '--first-factor-hs256-secret-ref', 'mfa-otp/dev/first-factor/acme');

    expect((await store.getBrandConfig(brand))?.firstFactor).toEqual({
      hs256SecretRef: 'mfa-otp/dev/first-factor/acme',
      issuer: 'brand-login',
      audience: 'mfa-otp',
    });
  });

  it('stops trusting the key set of a brand that switches to HS256, and keeps its issuer checked', async () => {
    const brand = await brandPut('--first-factor-jwks-url', 'https://login.example.com/jwks.json', ...checks);

    await admin('brand', 'put', '--brand', brand, '--first-factor-hs256-secret', secretA);

    expect((await store.getBrandConfig(brand))?.firstFactor).toEqual({ hs256Secret: secretA, issuer: 'brand-login', audience: 'mfa-otp' });
  });

  it('keeps both keys when both are given', async () => {
    const brand = await brandPut('--first-factor-hs256-secret', secretA, '--first-factor-jwks-url', 'https://login.example.com/jwks.json', ...checks);

    expect((await store.getBrandConfig(brand))?.firstFactor).toMatchObject({ hs256Secret: secretA, jwksUrl: 'https://login.example.com/jwks.json' });
  });

  it('refuses an HS256 secret given both by value and by reference', async () => {
    const error = await refusal('brand', 'put', '--brand', uniqueBrand('adm'), '--first-factor-hs256-secret', secretA, '--first-factor-hs256-secret-ref', 'mfa-otp/dev/first-factor/acme');

    expect(error.message).toBe('One HS256 secret: --first-factor-hs256-secret or --first-factor-hs256-secret-ref, not both');
  });

  it('changes nothing when it clears a field of a first factor the brand does not have', async () => {
    const brand = await brandPut('--otp-length', '8');

    await admin('brand', 'put', '--brand', brand, '--first-factor-audience', 'none');

    expect(await store.getBrandConfig(brand)).not.toHaveProperty('firstFactor');
  });

  it('stops checking a field set to none, and refuses to leave no key at all', async () => {
    const brand = await brandPut('--first-factor-hs256-secret', secretA, ...checks);

    await admin('brand', 'put', '--brand', brand, '--first-factor-audience', 'none');
    const error = await refusal('brand', 'put', '--brand', brand, '--first-factor-hs256-secret', 'none');

    expect((await store.getBrandConfig(brand))?.firstFactor).toEqual({ hs256Secret: secretA, issuer: 'brand-login' });
    expect(error.message).toBe('Invalid brand configuration: firstFactor needs an HS256 secret or a JWKS URL');
  });
});

describe('admin brand get', () => {
  it('shows an inline first-factor secret as set, never as itself, here and from brand put', async () => {
    const secret = 'inline-first-factor-secret-0123456789abcdef';
    const brand = uniqueBrand('adm');

    const written = await admin('brand', 'put', '--brand', brand, '--first-factor-hs256-secret', secret);
    const read = await admin('brand', 'get', '--brand', brand);

    for (const output of [written, read]) expect(output).toMatchObject({ firstFactor: { hs256Secret: '(set)' } });
    expect(JSON.stringify([written, read])).not.toContain(secret);
    expect((await store.getBrandConfig(brand))?.firstFactor?.hs256Secret).toBe(secret);
  });

  it('returns the stored configuration', async () => {
    const brand = await brandPut('--otp-length', '8');

    expect(await admin('brand', 'get', '--brand', brand.toUpperCase())).toMatchObject({ brand, otpLength: 8 });
  });

  it('refuses a brand without configuration with 1504', async () => {
    const error = await refusal('brand', 'get', '--brand', uniqueBrand('none'));

    expect(error.code).toBe(1504);
  });
});

describe('admin credentials create', () => {
  it('returns a secret of which only the digest is stored', async () => {
    const brand = await brandPut();

    const created = (await admin('credentials', 'create', '--brand', brand)) as { clientId: string; clientSecret: string };

    expect(created).toEqual({ clientId: expect.stringMatching(/^c_/), clientSecret: expect.any(String), brand, scopes: ['customer:write'] });
    const item = await storedItem(tableKeys.credential(created.clientId));
    expect(item).toEqual({
      pk: tableKeys.credential(created.clientId),
      clientId: created.clientId,
      brand,
      scopes: ['customer:write'],
      secretDigest: digestSecret(created.clientSecret),
      createdAt: NOW,
    });
    expect(JSON.stringify(item)).not.toContain(created.clientSecret);
  });

  it('makes a credential the authorizer accepts, with the scopes asked for', async () => {
    const brand = await brandPut();
    const { clientId, clientSecret } = (await admin('credentials', 'create', '--brand', brand, '--scope', 'customer:read', '--scope', 'x')) as {
      clientId: string;
      clientSecret: string;
    };
    const header = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

    const principal = await authenticate(header, { getCredential: (id) => store.getCredential(id) });

    expect(principal).toEqual({ principalId: clientId, brand, scopes: ['customer:read', 'x'] });
  });

  it('says so when no route will accept the credential, and not otherwise', async () => {
    const brand = await brandPut();

    const readOnly = await admin('credentials', 'create', '--brand', brand, '--scope', 'bogus:read');
    const writer = await admin('credentials', 'create', '--brand', brand);

    expect(readOnly).toMatchObject({ note: 'without customer:write every route but the JWKS answers this credential 403' });
    expect(writer).not.toHaveProperty('note');
  });

  it('refuses a brand without configuration with 1504', async () => {
    expect((await refusal('credentials', 'create', '--brand', uniqueBrand('none'))).code).toBe(1504);
  });
});

describe('admin credentials revoke', () => {
  it('deletes the credential, which the authorizer then refuses', async () => {
    const brand = await brandPut();
    const { clientId, clientSecret } = (await admin('credentials', 'create', '--brand', brand)) as { clientId: string; clientSecret: string };
    const header = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

    const revoked = await admin('credentials', 'revoke', '--client-id', clientId);

    expect(revoked).toMatchObject({ clientId, revoked: true });
    await expect(authenticate(header, { getCredential: (id) => store.getCredential(id) })).rejects.toThrow('Unauthorized');
  });

  it('says so for a client ID that names no credential', async () => {
    expect((await refusal('credentials', 'revoke', '--client-id', 'c_000000000000000000000000')).message).toBe('No credential c_000000000000000000000000');
  });

  it('refuses a missing --client-id', async () => {
    expect((await refusal('credentials', 'revoke')).message).toBe('--client-id is required');
  });
});

describe('admin customer put', () => {
  it('stores the mobile in E.164 read in the brand default country, and the e-mail in lower case', async () => {
    const brand = await brandPut('--default-country', 'US');

    const written = await admin(
      'customer', 'put', '--brand', brand, '--identifier-type', 'USERNAME', '--identifier-value', ' jane ',
      '--mobile', '(876) 743-1754', '--email', ' Jane@Example.com',
    );

    expect(written).toEqual({ brand, identifierType: 'USERNAME', identifierValue: 'jane', mobile: '+18767431754', email: 'jane@example.com' });
    expect(await storedItem(tableKeys.customer(brand, 'USERNAME', 'jane'))).toMatchObject({
      mobile: '+18767431754',
      email: 'jane@example.com',
    });
  });

  it('refuses a mobile that is no number with 1519', async () => {
    const brand = await brandPut('--default-country', 'US');

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'EXTERNALID', '--identifier-value', 'x1', '--mobile', '12');

    expect(error.code).toBe(1519);
    expect(error.message).toContain('Invalid --mobile');
  });

  it("names --mobile, not the API's field, for a number outside the brand's allowed countries", async () => {
    const brand = await brandPut('--default-country', 'US', '--allowed-countries', 'US');

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'USERNAME', '--identifier-value', 'uk1', '--mobile', '+442071838750');

    expect(error.message).toBe("Invalid --mobile: not a valid number, or outside the brand's allowed countries");
  });

  it('names --email for an e-mail that is no address', async () => {
    const brand = await brandPut();

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'USERNAME', '--identifier-value', 'e1', '--email', 'not-mail');

    expect(error.message).toBe('Invalid --email: not an e-mail address');
  });

  it('refuses MOBILE or EMAIL identifiers, which need no customer record', async () => {
    const brand = await brandPut('--default-country', 'US');

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'MOBILE', '--identifier-value', '+18767431754', '--email', 'a@b.co');

    expect(error.message).toBe('--identifier-type must be USERNAME or EXTERNALID');
  });

  it('refuses a customer with neither mobile nor e-mail', async () => {
    const brand = await brandPut();

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'USERNAME', '--identifier-value', 'jane');

    expect(error.message).toBe('--mobile or --email is required');
  });

  it('refuses an unknown identifier type with 1546', async () => {
    const brand = await brandPut();

    const error = await refusal('customer', 'put', '--brand', brand, '--identifier-type', 'PHONE', '--identifier-value', 'x', '--email', 'a@b.co');

    expect(error.code).toBe(1546);
  });
});

describe('admin session create', () => {
  it('opens a session for the normalised identifier that lives the brand session expiry', async () => {
    const brand = await brandPut('--default-country', 'US', '--session-expiry', '20');

    const created = (await admin(
      'session', 'create', '--brand', brand, '--identifier-type', 'MOBILE', '--identifier-value', '1 876 743 1754', '--device-id', 'd-1',
    )) as { sessionId: string; expiresAt: string };

    expect(created).toEqual({ sessionId: expect.stringMatching(/^P-[0-9a-f-]{36}$/), expiresAt: new Date(NOW + 20 * 60_000).toISOString() });
    expect(await store.getSession(created.sessionId)).toEqual({
      sessionId: created.sessionId,
      brand,
      identifierType: 'MOBILE',
      identifierValue: '+18767431754',
      // As token/generate stores it, so that otp/generate need not parse the number again.
      identifierCountry: 'JM',
      deviceId: 'd-1',
      expiresAt: NOW + 20 * 60_000,
    });
  });

  it('takes --ttl-minutes over the brand default', async () => {
    const brand = await brandPut();

    const created = (await admin(
      'session', 'create', '--brand', brand, '--identifier-type', 'EMAIL', '--identifier-value', 'A@B.co', '--device-id', 'd', '--ttl-minutes', '2',
    )) as { sessionId: string };

    expect(await store.getSession(created.sessionId)).toMatchObject({ identifierValue: 'a@b.co', expiresAt: NOW + 2 * 60_000 });
  });

  it.each([
    [['--device-id', ' '], '--device-id is required'],
    [['--device-id', 'd', '--ttl-minutes', '0'], '--ttl-minutes must be at least 1'],
    [['--device-id', 'd', '--ttl-minutes', 'soon'], '--ttl-minutes must be a whole number'],
  ])('refuses %p', async (options, message) => {
    const brand = await brandPut();

    const error = await refusal('session', 'create', '--brand', brand, '--identifier-type', 'USERNAME', '--identifier-value', 'jane', ...options);

    expect(error.message).toBe(message);
  });

  it('refuses an invalid identifier value with its code', async () => {
    const brand = await brandPut();

    const error = await refusal('session', 'create', '--brand', brand, '--identifier-type', 'EMAIL', '--identifier-value', 'nope', '--device-id', 'd');

    expect(error.code).toBe(1519);
  });
});

describe('admin', () => {
  it('answers an unknown command with the usage', async () => {
    const error = await refusal('brand', 'delete', '--brand', 'x');

    expect(error.message).toMatch(/^Unknown command: brand delete\nUsage:/);
  });

  it.each(['--help', '-h'])('answers %s with the usage as its output, not as a refusal', async (flag) => {
    const output = await admin('brand', 'put', flag);

    expect(output).toBeInstanceOf(UsageText);
    expect((output as UsageText).text).toMatch(/^Usage:/);
  });

  it('follows a refused option with the usage', async () => {
    expect((await refusal('--bogus', '1')).message).toMatch(/^Unknown option --bogus\nUsage:/);
  });

  it('answers no command with the usage', async () => {
    expect((await refusal()).message).toMatch(/^Usage:/);
  });
});
