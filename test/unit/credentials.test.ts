import crypto from 'node:crypto';
import { authenticate, digestSecret, newCredential, type StoredCredential } from '../../functions/domain/credentials';
import { UnauthorizedError } from '../../functions/shared/errors';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

/** One known credential: c_known / s3cret for brand acme. */
function credentials() {
  const stored: StoredCredential = {
    clientId: 'c_known',
    brand: 'acme',
    scopes: ['customer:write'],
    secretDigest: digestSecret('s3cret'),
  };
  const getCredential = jest.fn(async (clientId: string) => (clientId === stored.clientId ? stored : undefined));
  return { getCredential };
}

describe('authenticate', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('returns the brand and scopes of a valid Basic credential', async () => {
    const deps = credentials();

    const principal = await authenticate(basic('c_known:s3cret'), deps);

    expect(principal).toEqual({ principalId: 'c_known', brand: 'acme', scopes: ['customer:write'] });
    expect(deps.getCredential).toHaveBeenCalledWith('c_known');
  });

  it('accepts the scheme in any case and surrounding whitespace', async () => {
    const deps = credentials();
    const header = `  bAsIc ${Buffer.from('c_known:s3cret').toString('base64')}  `;

    await expect(authenticate(header, deps)).resolves.toMatchObject({ brand: 'acme' });
  });

  it('keeps colons after the first as part of the secret', async () => {
    const stored = { clientId: 'c_colon', brand: 'acme', scopes: [], secretDigest: digestSecret('a:b:c') };

    const principal = await authenticate(basic('c_colon:a:b:c'), { getCredential: async () => stored });

    expect(principal.principalId).toBe('c_colon');
  });

  it('refuses a wrong secret', async () => {
    await expect(authenticate(basic('c_known:wrong'), credentials())).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses the right secret with a different case', async () => {
    await expect(authenticate(basic('c_known:S3CRET'), credentials())).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an unknown client id after looking it up', async () => {
    const deps = credentials();

    await expect(authenticate(basic('c_unknown:s3cret'), deps)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(deps.getCredential).toHaveBeenCalledWith('c_unknown');
  });

  it('compares a digest for an unknown client id as it does for a wrong secret, so that a miss costs what a hit does', async () => {
    const deps = credentials();
    const compared = jest.spyOn(crypto, 'timingSafeEqual');
    const lengthsOf = () => compared.mock.calls.map(([left, right]) => [left.byteLength, right.byteLength]);

    await expect(authenticate(basic('c_unknown:s3cret'), deps)).rejects.toBeInstanceOf(UnauthorizedError);
    const forUnknownId = lengthsOf();
    compared.mockClear();
    await expect(authenticate(basic('c_known:wrong'), deps)).rejects.toBeInstanceOf(UnauthorizedError);
    const forWrongSecret = lengthsOf();

    expect(forUnknownId).toEqual([[64, 64]]);
    expect(forUnknownId).toEqual(forWrongSecret);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['whitespace', '   '],
    ['the scheme alone', 'Basic'],
    ['the scheme and a space', 'Basic '],
    ['another scheme', `Digest ${Buffer.from('c_known:s3cret').toString('base64')}`],
    ['no scheme', Buffer.from('c_known:s3cret').toString('base64')],
    ['two spaces after the scheme', `Basic  ${Buffer.from('c_known:s3cret').toString('base64')}`],
    ['bad base64 characters', 'Basic !!!not*base64'],
    ['base64 with padding in the middle', 'Basic YWJj=ZGVm'],
    ['base64 of text without a colon', basic('c_known')],
    ['base64 of a colon first', basic(':s3cret')],
    ['base64 of an empty secret', basic('c_known:')],
    ['a client id with a space', basic('c known:s3cret')],
    ['a client id with a hash', basic('c#known:s3cret')],
    ['a client id over 64 characters', basic(`${'c'.repeat(65)}:s3cret`)],
    ['a client id of binary bytes', `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`],
    ['a header over 4096 characters', basic(`c_known:${'x'.repeat(5000)}`)],
    ['a line break', `Basic ${Buffer.from('c_known:s3cret').toString('base64')}\nX-Other: 1`],
    ['a Bearer without a token', 'Bearer'],
    ['a Bearer with spaces', 'Bearer a b c'],
  ])('refuses %s without asking for the credential', async (_shape, header) => {
    const deps = credentials();

    await expect(authenticate(header, deps)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(deps.getCredential).not.toHaveBeenCalled();
  });

  it.each([
    ['no header', undefined, 'no_credentials'],
    ['another scheme', `Digest ${Buffer.from('c_known:s3cret').toString('base64')}`, 'malformed_credentials'],
    ['base64 of text without a colon', basic('c_known'), 'malformed_credentials'],
    ['a client id with a hash', basic('c#known:s3cret'), 'malformed_credentials'],
    ['a wrong secret', basic('c_known:wrong'), 'bad_credentials'],
    ['an unknown client id', basic('c_unknown:s3cret'), 'bad_credentials'],
    ['a Bearer token with no verifier configured', 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig', 'bearer_not_accepted'],
  ])('says why it refused %s, for the log', async (_shape, header, reason) => {
    await expect(authenticate(header, credentials())).rejects.toMatchObject({ reason, message: 'Unauthorized' });
  });

  it('refuses a Bearer token when no verifier is configured', async () => {
    const deps = credentials();

    await expect(authenticate('Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig', deps)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(deps.getCredential).not.toHaveBeenCalled();
  });

  it('hands a Bearer token to the verifier when there is one', async () => {
    const principal = { principalId: 'sub-1', brand: 'acme', scopes: ['customer:write'] };
    const verifyBearer = jest.fn(async () => principal);

    await expect(authenticate('Bearer abc.def.ghi', { ...credentials(), verifyBearer })).resolves.toBe(principal);
    expect(verifyBearer).toHaveBeenCalledWith('abc.def.ghi');
  });
});

describe('newCredential', () => {
  it('returns a secret whose digest alone is stored', () => {
    const { clientSecret, stored } = newCredential('acme', ['customer:write']);

    expect(stored.secretDigest).toBe(digestSecret(clientSecret));
    expect(JSON.stringify(stored)).not.toContain(clientSecret);
    expect(stored).toMatchObject({ brand: 'acme', scopes: ['customer:write'] });
    expect(stored.clientId).toMatch(/^c_[0-9a-f]{24}$/);
  });

  it('makes credentials that authenticate', async () => {
    const { clientSecret, stored } = newCredential('acme', ['customer:write']);

    const principal = await authenticate(basic(`${stored.clientId}:${clientSecret}`), { getCredential: async () => stored });

    expect(principal.brand).toBe('acme');
  });

  it('never gives two credentials the same id or secret', () => {
    const first = newCredential('acme', []);
    const second = newCredential('acme', []);

    expect(second.stored.clientId).not.toBe(first.stored.clientId);
    expect(second.clientSecret).not.toBe(first.clientSecret);
  });
});
