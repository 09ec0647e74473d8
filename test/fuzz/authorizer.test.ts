import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import fc from 'fast-check';
import { newCredential } from '../../functions/domain/credentials';
import { handler } from '../../functions/authorizer';
import { logger } from '../../functions/shared/logger';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { seedBrand, testStore } from '../support/fixtures';
import { junk, nasty } from '../support/fuzz';

/**
 * Generated Authorization headers against the REQUEST authorizer: a valid credential
 * is allowed for its own brand, and everything else is refused with exactly
 * 'Unauthorized' (API Gateway's 401 and its envelope); no other error (a 500) and no
 * allow for anything but the credential.
 */
const RUNS = 2500;
const store = testStore();
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/test/POST/auth/v1/mfa/otp/generate';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type Authorizer = (event: APIGatewayRequestAuthorizerEvent, context: unknown) => Promise<APIGatewayAuthorizerResult>;

describe('fuzzing the authorizer', () => {
  let valid: string;
  let clientId: string;
  let clientSecret: string;
  let brand: string;

  /** Whether a header value carries exactly the credential (Basic is case-insensitive, base64 decoded). */
  const carriesCredential = (value: string) => {
    const token = /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(value.trim())?.[1];
    return token !== undefined && Buffer.from(token, 'base64').toString('utf8') === `${clientId}:${clientSecret}`;
  };

  beforeAll(async () => {
    brand = (await seedBrand(store)).brand;
    const credential = newCredential(brand, ['customer:write']);
    await store.putCredential(credential.stored, Date.now());
    clientId = credential.stored.clientId;
    clientSecret = credential.clientSecret;
    valid = `Basic ${b64(`${clientId}:${credential.clientSecret}`)}`;
    for (const level of ['debug', 'info', 'warn'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
  });

  afterAll(() => {
    jest.restoreAllMocks();
  });

  it(`allows only the credential and refuses ${RUNS} generated headers with exactly 'Unauthorized'`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const clientIds = fc.oneof(fc.constant(clientId), fc.stringMatching(/^c_[0-9a-f]{24}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), nasty);
    const secrets = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 20 }), nasty);
    const scheme = fc.constantFrom('Basic', 'basic', 'BASIC', 'Basic  ', ' Basic', 'Bearer', 'bearer', 'Digest', '');
    const header = fc.oneof(
      { weight: 1, arbitrary: fc.constant(valid) },
      { weight: 1, arbitrary: fc.constantFrom(`basic ${valid.slice(6)}`, ` ${valid} `, `${valid}=`, `${valid}\u0000`, `${valid.slice(0, -1)}`) },
      { weight: 4, arbitrary: fc.tuple(scheme, clientIds, secrets).map(([s, id, secret]) => `${s} ${b64(`${id}:${secret}`)}`) },
      { weight: 2, arbitrary: fc.tuple(scheme, fc.oneof(fc.base64String(), fc.string({ maxLength: 80 }), nasty)).map(([s, rest]) => `${s} ${rest}`) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.oneof(fc.webUrl(), nasty, fc.string({ maxLength: 20 })), fc.string({ maxLength: 20 }), fc.base64String())
          .map(([iss, sub, signature]) => `Bearer ${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss, sub, exp: 4_102_444_800 })}.${signature.replace(/=+$/, '')}`),
      },
      { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), nasty, fc.constant('x'.repeat(5000)), fc.constant('Basic ' + 'A'.repeat(6000))) },
    );
    const names = fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'X-Authorization');
    let allowed = 0;

    await fc.assert(
      fc.asyncProperty(fc.option(fc.tuple(names, header), { freq: 20 }), async (pair) => {
        const headers = pair ? { [pair[0]]: pair[1] } : {};
        const event = { type: 'REQUEST', methodArn: METHOD_ARN, headers, requestContext: { requestId: 'fuzz' } } as unknown as APIGatewayRequestAuthorizerEvent;
        const outcome = await (handler as unknown as Authorizer)(event, lambdaContext('authorizer')).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        const isValid = pair !== null && pair[0].toLowerCase() === 'authorization' && carriesCredential(pair[1]);
        if ('result' in outcome) {
          if (!isValid) throw new Error(`allowed ${JSON.stringify(headers)}`);
          if (outcome.result.context?.brand !== brand || outcome.result.policyDocument.Statement[0]?.Effect !== 'Allow') {
            throw new Error(`wrong policy ${JSON.stringify(outcome.result)}`);
          }
          allowed++;
        } else if (!(outcome.error instanceof Error) || outcome.error.message !== 'Unauthorized' || isValid) {
          throw new Error(`refused ${JSON.stringify(headers)} with ${String(outcome.error)}`);
        }
      }),
      { numRuns: RUNS },
    );

    expect(errors).not.toHaveBeenCalled();
    expect(allowed).toBeGreaterThan(0);
  });
});

/**
 * Whether a part of a bearer token lets it through: 'either' where both answers are
 * right (a padded signature, a kid-less token that two keys of the set could have signed).
 */
type Verdict = 'ok' | 'bad' | 'either';
interface Part<T> {
  value: T;
  verdict: Verdict;
}

/** Choices for one part of a token, the valid ones `weight` times as likely; only those when `valid`. */
function part<T>(valid: boolean, choices: { ok: T[]; bad: T[]; either?: T[] }, weight = 4): fc.Arbitrary<Part<T>> {
  const tagged = (values: T[], verdict: Verdict) => fc.constantFrom(...values).map((value): Part<T> => ({ value, verdict }));
  if (valid) return tagged(choices.ok, 'ok');
  return fc.oneof(
    { weight, arbitrary: tagged(choices.ok, 'ok') },
    { weight: 1, arbitrary: tagged(choices.bad, 'bad') },
    ...(choices.either ? [{ weight: 1, arbitrary: tagged(choices.either, 'either') }] : []),
  );
}

/** A time claim: `in` seconds from now, a fixed value `is`, or absent (null). */
type TimeClaim = { in: number } | { is: unknown } | null;
const timeValue = (claim: TimeClaim, now: number) => (claim === null ? undefined : 'in' in claim ? now + claim.in : claim.is);

/** The keys the issuer's JWKS publishes (k2 as if rotated in), and what else can sign. */
type Signer = 'k1' | 'k2' | 'r1' | 'stranger-ec' | 'stranger-rsa' | 'hmac' | 'none';
const PUBLISHED = [
  { kid: 'k1', alg: 'ES256' },
  { kid: 'k2', alg: 'ES256' },
  { kid: 'r1', alg: 'RS256' },
];
const NATURAL_ALG: Record<Signer, string> = { k1: 'ES256', k2: 'ES256', r1: 'RS256', 'stranger-ec': 'ES256', 'stranger-rsa': 'RS256', hmac: 'HS256', none: 'none' };
// Strangers claim a published kid: a wrong key under the right name.
const NATURAL_KID: Record<Signer, string> = { k1: 'k1', k2: 'k2', r1: 'r1', 'stranger-ec': 'k1', 'stranger-rsa': 'r1', hmac: 'k1', none: 'k1' };

type Mutation =
  | { kind: 'none' | 'drop signature' | 'two segments' | 'tamper payload' | 'tamper header' | 'pad' }
  | { kind: 'flip signature bit'; at: number }
  | { kind: 'cut'; segment: 0 | 1 | 2; chars: number }
  | { kind: 'extra segments'; extra: string[] }
  | { kind: 'random signature'; bytes: Uint8Array };

interface BearerPlan {
  signer: Signer;
  alg: unknown;
  kid: unknown;
  crit: Part<Record<string, unknown>>;
  headerExtra: Record<string, unknown>;
  aud: Part<unknown>;
  exp: Part<TimeClaim>;
  nbf: Part<TimeClaim>;
  iat: Part<TimeClaim>;
  sub: Part<unknown>;
  scope: unknown;
  scp: unknown;
  claimsExtra: Record<string, unknown>;
  mutation: Part<Mutation>;
  name: Part<string>;
  prefix: Part<string>;
  suffix: string;
}

const RESERVED_CLAIMS = ['iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'scope', 'scp', 'tampered'];

/**
 * Generated bearer tokens under the issuer a brand registered, its JWKS served from
 * 127.0.0.1, so that they reach the JWT verification: each part of a token says whether
 * a valid token may have it, and the token must be allowed for that brand when every
 * part is 'ok', refused with exactly 'Unauthorized' when any is 'bad' (an outage of the
 * key set, any other error, would be API Gateway's 503).
 */
describe('fuzzing the authorizer with bearer tokens of a registered issuer', () => {
  const BEARER_RUNS = 1500;
  const AUDIENCE = 'mfa-otp-fuzz';
  let brand: string;
  let issuer: string;
  let server: Server;
  let jwksFetches = 0;
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = { k1: ec(), k2: ec(), r1: rsa(), 'stranger-ec': ec(), 'stranger-rsa': rsa() };
  const publicJwk = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' });

  beforeAll(async () => {
    brand = (await seedBrand(store)).brand;
    issuer = `https://login.${brand}.example`;
    const jwks = JSON.stringify({ keys: PUBLISHED.map(({ kid, alg }) => publicJwk(keys[kid as 'k1' | 'k2' | 'r1'].publicKey, kid, alg)) });
    server = createServer((request, response) => {
      jwksFetches++;
      if (request.url !== '/jwks') return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    await store.putOAuthIssuer({ brand, issuer, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${port}/jwks` });
    for (const level of ['debug', 'info', 'warn'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    // fetch keeps its connection alive, which would hold close() open.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const signature = (signer: Signer, input: string): Buffer => {
    if (signer === 'none') return Buffer.alloc(0);
    // The HS256 confusion attack: the published key's own bytes as the HMAC secret.
    if (signer === 'hmac') return createHmac('sha256', JSON.stringify(publicJwk(keys.k1.publicKey, 'k1', 'ES256'))).update(input).digest();
    const { privateKey } = keys[signer];
    return sign('sha256', Buffer.from(input), privateKey.asymmetricKeyType === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
  };

  const mutate = (token: string, mutation: Mutation, claims: Record<string, unknown>, now: number): string => {
    const [header = '', payload = '', signed = ''] = token.split('.');
    switch (mutation.kind) {
      case 'none':
        return token;
      case 'drop signature':
        return `${header}.${payload}.`;
      case 'two segments':
        return `${header}.${payload}`;
      case 'tamper payload':
        return `${header}.${b64url({ ...claims, aud: AUDIENCE, exp: now + 3600, nbf: undefined, tampered: true })}.${signed}`;
      case 'tamper header':
        return `${b64url({ alg: 'ES256', kid: 'k1', tampered: true })}.${payload}.${signed}`;
      case 'pad':
        return `${token}==`;
      case 'flip signature bit': {
        const bytes = Buffer.from(signed, 'base64url');
        const at = mutation.at % bytes.length;
        if (bytes.length === 0) return `${header}.${payload}.AQ`;
        bytes[at] = bytes[at]! ^ (1 << mutation.at % 8);
        return `${header}.${payload}.${bytes.toString('base64url')}`;
      }
      case 'cut': {
        const segments = [header, payload, signed];
        segments[mutation.segment] = segments[mutation.segment]!.slice(0, -mutation.chars);
        return segments.join('.');
      }
      case 'extra segments':
        return [token, ...mutation.extra].join('.');
      case 'random signature':
        return `${header}.${payload}.${Buffer.from(mutation.bytes).toString('base64url')}`;
    }
  };

  const huge = fc.constantFrom('x'.repeat(1500), 'x'.repeat(3200), 'y'.repeat(6000));
  /** Token plans: any (`valid` false), or ones every part of which is valid, with any scopes and extra claims. */
  const plans = (valid: boolean): fc.Arbitrary<BearerPlan> =>
    (valid ? fc.constantFrom<Signer>('k1', 'k2', 'r1') : fc.constantFrom<Signer>('k1', 'k1', 'k2', 'r1', 'r1', 'stranger-ec', 'stranger-rsa', 'hmac', 'none')).chain((signer) =>
      fc.record<BearerPlan>({
        signer: fc.constant(signer),
        alg: valid
          ? fc.constant(NATURAL_ALG[signer])
          : fc.oneof(
              { weight: 12, arbitrary: fc.constant(NATURAL_ALG[signer]) },
              { weight: 2, arbitrary: fc.constantFrom('ES256', 'RS256', 'none', 'None', 'HS256', 'ES384', 'PS256', 'EdDSA', 'es256', '') },
              { weight: 1, arbitrary: fc.oneof(junk, huge, fc.constant(undefined)) },
            ),
        kid: valid
          ? fc.constant(NATURAL_KID[signer])
          : fc.oneof(
              { weight: 10, arbitrary: fc.constant(NATURAL_KID[signer]) },
              { weight: 3, arbitrary: fc.constant(undefined) },
              { weight: 2, arbitrary: fc.constantFrom('k1', 'k2', 'r1', 'K1', 'k1 ', 'unknown-kid', '') },
              { weight: 1, arbitrary: fc.oneof(junk, huge) },
            ),
        crit: part<Record<string, unknown>>(
          valid,
          {
            ok: [{}, {}, {}, {}, { crit: ['b64'], b64: true }],
            bad: [{ crit: ['b64'], b64: false }, { crit: ['exp'] }, { crit: [] }, { crit: 'b64', b64: true }, { crit: ['x-ext'], 'x-ext': 1 }],
          },
          12,
        ),
        headerExtra: fc.dictionary(
          fc.constantFrom('typ', 'cty', 'jku', 'jwk', 'x5u', 'x5c', 'b64', 'zip', 'x-custom'),
          fc.oneof(fc.constantFrom('JWT', 'at+jwt', 'https://evil.example/jwks', true, false), fc.constant(publicJwk(keys['stranger-ec'].publicKey, 'k1', 'ES256')), junk),
          { maxKeys: 3 },
        ),
        // An aud list with a non-string member is malformed, but it does name the audience.
        aud: part<unknown>(valid, {
          ok: [AUDIENCE, [AUDIENCE], ['someone-else', AUDIENCE]],
          bad: ['someone-else', AUDIENCE.toUpperCase(), ` ${AUDIENCE}`, [], ['someone-else'], 42, null, { aud: AUDIENCE }, undefined],
          either: [[42, AUDIENCE]],
        }),
        exp: part<TimeClaim>(valid, {
          ok: [{ in: 3600 }, { in: 86_400.5 }, { is: 4_102_444_800 }, { is: Number.MAX_SAFE_INTEGER }, { is: 1e300 }],
          bad: [{ in: -3600 }, { is: 0 }, { is: -1 }, { is: '4102444800' }, { is: null }, { is: true }, { is: [4_102_444_800] }, { is: {} }, null],
        }),
        nbf: part<TimeClaim>(valid, { ok: [null, null, null, { in: -3600 }, { is: 0 }], bad: [{ in: 3600 }, { is: 4_102_444_800 }, { is: '0' }, { is: null }, { is: [] }] }, 8),
        // A verifier may or may not hold an iat from the future against the token.
        iat: part<TimeClaim>(valid, { ok: [null, { in: 0 }, { in: -3600 }, { is: 0 }, { is: -1.5 }], bad: [{ is: 'now' }, { is: null }, { is: false }, { is: {} }], either: [{ in: 3600 }] }, 8),
        sub: part<unknown>(valid, { ok: ['app-1', 'client_42', '😀', 'x'.repeat(300)], bad: [undefined, '', '  ', 42, null, { id: 'app-1' }, ['app-1']] }, 8),
        scope: fc.oneof(
          { weight: 6, arbitrary: fc.array(fc.constantFrom('customer:write', 'customer:read', 'profile', 'openid', ''), { maxLength: 4 }).map((scopes) => scopes.join(' ')) },
          { weight: 2, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), junk) },
          { weight: 1, arbitrary: huge },
        ),
        scp: fc.oneof(
          { weight: 2, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom('customer:write', 'profile'), junk), { maxLength: 3 }) },
          { weight: 1, arbitrary: junk },
        ),
        claimsExtra: fc.dictionary(
          fc.oneof(fc.string({ maxLength: 8 }), nasty).filter((key) => !RESERVED_CLAIMS.includes(key)),
          fc.oneof({ weight: 12, arbitrary: junk }, { weight: 1, arbitrary: huge }),
          { maxKeys: 2 },
        ),
        mutation: valid
          ? fc.constant<Part<Mutation>>({ value: { kind: 'none' }, verdict: 'ok' })
          : fc.oneof(
              { weight: 14, arbitrary: fc.constant<Part<Mutation>>({ value: { kind: 'none' }, verdict: 'ok' }) },
              // Padding after the signature may be decoded away, or not.
              { weight: 1, arbitrary: fc.constant<Part<Mutation>>({ value: { kind: 'pad' }, verdict: 'either' }) },
              {
                weight: 5,
                arbitrary: fc
                  .oneof(
                    fc.constantFrom<Mutation>({ kind: 'drop signature' }, { kind: 'two segments' }, { kind: 'tamper payload' }, { kind: 'tamper header' }),
                    fc.nat().map((at): Mutation => ({ kind: 'flip signature bit', at })),
                    fc.record({ segment: fc.constantFrom<0 | 1 | 2>(0, 1, 2), chars: fc.integer({ min: 1, max: 12 }) }).map((cut): Mutation => ({ kind: 'cut', ...cut })),
                    fc.array(fc.oneof(fc.base64String().map((s) => s.replace(/[+/=]/g, '')), fc.constant('')), { minLength: 1, maxLength: 2 }).map((extra): Mutation => ({ kind: 'extra segments', extra })),
                    fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes): Mutation => ({ kind: 'random signature', bytes })),
                  )
                  .map((value): Part<Mutation> => ({ value, verdict: 'bad' })),
              },
            ),
        name: part(valid, { ok: ['Authorization', 'authorization', 'AUTHORIZATION'], bad: ['X-Authorization', 'Proxy-Authorization'] }, 12),
        // RFC 6750 allows more than one space after the scheme; refusing it is as right as accepting it.
        prefix: part(valid, { ok: ['Bearer ', 'bearer ', 'BEARER ', ' Bearer '], bad: ['Bearer', 'Bearer\t', 'Bearer:', 'Bearer\u00a0', 'Basic ', 'Token ', ''], either: ['Bearer  '] }, 12),
        suffix: fc.constantFrom('', '', '', ' ', '\t', '\r\n'),
      }),
    );
  const plan = fc.oneof({ weight: 1, arbitrary: plans(true) }, { weight: 5, arbitrary: plans(false) });

  /** The verdict the JWKS gives the signature: only a single candidate key that signed it is a sure pass. */
  const signatureVerdict = ({ signer, alg, kid }: BearerPlan): Verdict => {
    const candidates = PUBLISHED.filter((key) => key.alg === alg && (kid === undefined || kid === key.kid));
    if (!candidates.some((key) => key.kid === signer)) return 'bad';
    return candidates.length === 1 ? 'ok' : 'either';
  };

  const combine = (verdicts: Verdict[]): Verdict => (verdicts.includes('bad') ? 'bad' : verdicts.includes('either') ? 'either' : 'ok');

  /** Scopes as documented: `scope` split on spaces, else the strings of an `scp` list; none with whitespace in it. */
  const scopesOf = ({ scope, scp }: BearerPlan) =>
    (typeof scope === 'string' ? scope.split(' ') : Array.isArray(scp) ? scp : []).filter((s): s is string => typeof s === 'string' && s !== '' && !/\s/.test(s));

  it(`allows valid tokens of the issuer for its brand alone and refuses the rest of ${BEARER_RUNS} generated bearer tokens with exactly 'Unauthorized'`, async () => {
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const allowedByAlg = new Map<unknown, number>();

    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const now = Math.floor(Date.now() / 1000);
        const header = { ...p.headerExtra, alg: p.alg, kid: p.kid, ...p.crit.value };
        const claims = {
          ...p.claimsExtra,
          iss: issuer,
          aud: p.aud.value,
          exp: timeValue(p.exp.value, now),
          nbf: timeValue(p.nbf.value, now),
          iat: timeValue(p.iat.value, now),
          sub: p.sub.value,
          scope: p.scope,
          scp: p.scp,
        };
        const input = `${b64url(header)}.${b64url(claims)}`;
        const token = mutate(`${input}.${signature(p.signer, input).toString('base64url')}`, p.mutation.value, claims, now);
        const value = `${p.prefix.value}${token}${p.suffix}`;
        const length: Verdict = value.trim().length <= 4096 ? 'ok' : 'bad';
        const verdict = combine([signatureVerdict(p), p.crit.verdict, p.aud.verdict, p.exp.verdict, p.nbf.verdict, p.iat.verdict, p.sub.verdict, p.mutation.verdict, p.name.verdict, p.prefix.verdict, length]);

        const event = { type: 'REQUEST', methodArn: METHOD_ARN, headers: { [p.name.value]: value }, requestContext: { requestId: 'fuzz' } } as unknown as APIGatewayRequestAuthorizerEvent;
        const outcome = await (handler as unknown as Authorizer)(event, lambdaContext('authorizer')).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        if ('result' in outcome) {
          if (verdict === 'bad') throw new Error(`allowed ${value}`);
          const { context, policyDocument } = outcome.result;
          if (context?.brand !== brand || policyDocument.Statement[0]?.Effect !== 'Allow' || context.principalId !== p.sub.value || context.scopes !== scopesOf(p).join(' ')) {
            throw new Error(`wrong policy ${JSON.stringify(outcome.result)} for ${value}`);
          }
          allowedByAlg.set(p.alg, (allowedByAlg.get(p.alg) ?? 0) + 1);
        } else if (!(outcome.error instanceof Error) || outcome.error.message !== 'Unauthorized' || verdict === 'ok') {
          throw new Error(`refused ${value} with ${String(outcome.error)}`);
        }
      }),
      { numRuns: BEARER_RUNS },
    );

    expect(errors).not.toHaveBeenCalled();
    expect(jwksFetches).toBeGreaterThan(0);
    expect(allowedByAlg.get('ES256')).toBeGreaterThan(0);
    expect(allowedByAlg.get('RS256')).toBeGreaterThan(0);
  });
});
