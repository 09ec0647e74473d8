import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { verifyBearer, type BearerDeps, type OAuthIssuer } from '../../functions/domain/bearer-token';
import { ServiceUnavailableError, UnauthorizedError } from '../../functions/shared/errors';

const ISSUER = 'https://login.acme.example';
const AUDIENCE = 'mfa-otp';

async function authorizationServer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const registration: OAuthIssuer = { brand: 'acme', issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${ISSUER}/jwks` };
  const deps: BearerDeps = {
    findIssuer: async (issuer) => (issuer === ISSUER ? registration : undefined),
    keySet: () => createLocalJWKSet({ keys: [jwk] }),
  };
  const token = (claims: Record<string, unknown> = {}, options: { iss?: string; aud?: string; exp?: string } = {}) =>
    new SignJWT({ scope: 'customer:write profile', sub: 'app-123', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(privateKey);
  return { deps, token };
}

describe('verifyBearer', () => {
  it('returns the issuer brand and the token scopes when the token is valid', async () => {
    const { deps, token } = await authorizationServer();

    const signed = await token();
    const principal = await verifyBearer(signed, deps);

    const { exp } = decodeJwt(signed) as { exp: number };
    // Until its expiry and the clock tolerance the verifier grants it.
    expect(principal).toEqual({ principalId: 'app-123', brand: 'acme', scopes: ['customer:write', 'profile'], expiresAt: (exp + 5) * 1000 });
  });

  it('reads scopes from an scp list when there is no scope string', async () => {
    const { deps, token } = await authorizationServer();

    const principal = await verifyBearer(await token({ scope: undefined, scp: ['customer:write'] }), deps);

    expect(principal.scopes).toEqual(['customer:write']);
  });

  it.each([
    ['another audience', { aud: 'someone-else' }],
    ['an expired token', { exp: '-1m' }],
  ])('refuses %s', async (_case, options) => {
    const { deps, token } = await authorizationServer();

    await expect(verifyBearer(await token({}, options), deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('drops an scp entry with a space in it, which would pass on as two scopes', async () => {
    const { deps, token } = await authorizationServer();

    const principal = await verifyBearer(await token({ scope: undefined, scp: ['profile customer:write', 'orders'] }), deps);

    expect(principal.scopes).toEqual(['orders']);
  });

  it('drops a scope with a tab in it from a scope string', async () => {
    const { deps, token } = await authorizationServer();

    const principal = await verifyBearer(await token({ scope: 'profile\tcustomer:write orders' }), deps);

    expect(principal.scopes).toEqual(['orders']);
  });

  it.each([
    ['longer than any DynamoDB key', `https://${'a'.repeat(2100)}.example`],
    ['not a string', 42],
  ])('refuses an iss %s without looking it up', async (_case, iss) => {
    const { deps } = await authorizationServer();
    const findIssuer = jest.fn(deps.findIssuer);
    const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss, sub: 'x' })).toString('base64url');

    await expect(verifyBearer(`${header}.${payload}.AAAA`, { ...deps, findIssuer })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(findIssuer).not.toHaveBeenCalled();
  });

  it('refuses a token from an issuer no brand registered', async () => {
    const { deps, token } = await authorizationServer();

    await expect(verifyBearer(await token({}, { iss: 'https://evil.example' }), deps)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('refuses an HS256 token signed with a guessable secret under the registered issuer', async () => {
    const { deps } = await authorizationServer();
    const forged = await new SignJWT({ scope: 'customer:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a'.repeat(32)));

    await expect(verifyBearer(forged, deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['blanks', '  '],
    ['a number', 42],
    ['null', null],
    ['an object', { id: 'app-123' }],
  ])('refuses a token whose sub is %s', async (_label, sub) => {
    const { deps, token } = await authorizationServer();

    await expect(verifyBearer(await token({ sub }), deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  type TokenOf = Awaited<ReturnType<typeof authorizationServer>>['token'];

  it.each([
    ['a value that is not a JWT', async () => 'not.a.jwt', 'bad_token'],
    ['a token from an issuer no brand registered', (token: TokenOf) => token({}, { iss: 'https://evil.example' }), 'unknown_issuer'],
    ['an expired token', (token: TokenOf) => token({}, { exp: '-1m' }), 'bad_token'],
  ])('says why it refused %s, for the log', async (_case, make, reason) => {
    const { deps, token } = await authorizationServer();

    await expect(verifyBearer(await make(token), deps)).rejects.toMatchObject({ reason });
  });

  it('refuses a value that is not a JWT', async () => {
    const { deps } = await authorizationServer();

    await expect(verifyBearer('not.a.jwt', deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('passes an outage of the key server on rather than calling the token bad', async () => {
    const { deps, token } = await authorizationServer();
    const down: BearerDeps = {
      ...deps,
      keySet: () => async () => {
        throw new ServiceUnavailableError();
      },
    };

    await expect(verifyBearer(await token(), down)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
