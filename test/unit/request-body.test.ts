import * as z from 'zod/mini';
import { callerOf, requireBrand, requireScope } from '../../functions/shared/caller';
import { ForbiddenError, InvalidIdentifierTypeError, UnauthorizedError } from '../../functions/shared/errors';
import { parseBody, sessionFields } from '../../functions/shared/request-body';

const schema = z.object(sessionFields);
const valid = () => ({
  identifierType: 'MOBILE',
  identifierValue: '+18767431754',
  deviceId: 'device-1',
  brand: 'Acme',
  sessionId: 'P-1',
});

describe('parseBody', () => {
  it('returns the fields with the brand in lower case and unknown fields dropped', () => {
    const parsed = parseBody(schema, { ...valid(), extra: 'ignored' });

    expect(parsed).toEqual({ ...valid(), brand: 'acme' });
  });

  it.each(['identifierType', 'identifierValue', 'deviceId', 'brand', 'sessionId'])(
    'refuses a body without %s with 1519 naming it',
    (field) => {
      const body: Record<string, unknown> = valid();
      delete body[field];

      expect(() => parseBody(schema, body)).toThrow(expect.objectContaining({ code: 1519, field }));
    },
  );

  it.each([
    ['identifierType', 7],
    ['identifierValue', 18767431754],
    ['identifierValue', ''],
    ['identifierValue', 'x'.repeat(321)],
    ['deviceId', null],
    ['deviceId', 'd'.repeat(257)],
    ['brand', ['acme']],
    ['brand', 'b'.repeat(65)],
    ['sessionId', { id: 'P-1' }],
    ['sessionId', ''],
  ])('refuses %s = %p with 1519 naming it', (field, value) => {
    expect(() => parseBody(schema, { ...valid(), [field]: value })).toThrow(expect.objectContaining({ code: 1519, field }));
  });

  it('refuses an identifierType outside the four with 1546', () => {
    expect(() => parseBody(schema, { ...valid(), identifierType: 'PHONE' })).toThrow(InvalidIdentifierTypeError);
  });
});

describe('callerOf', () => {
  const event = (authorizer: unknown) => ({ requestContext: { authorizer } }) as Parameters<typeof callerOf>[0];

  it('reads the brand and the scopes from the authorizer context', () => {
    expect(callerOf(event({ brand: 'acme', scopes: 'customer:write other', principalId: 'c_1' }))).toEqual({
      brand: 'acme',
      scopes: ['customer:write', 'other'],
    });
  });

  it('holds a bearer caller until the millisecond before its expiry', () => {
    expect(callerOf(event({ brand: 'acme', scopes: 'customer:write', expiresAt: '1000' }), 999)).toEqual({ brand: 'acme', scopes: ['customer:write'] });
  });

  it('refuses a bearer caller with 401 from its expiry on, as API Gateway may answer from a cached authorization', () => {
    expect(() => callerOf(event({ brand: 'acme', scopes: 'customer:write', expiresAt: '1000' }), 1000)).toThrow(
      expect.objectContaining({ reason: 'expired_token', httpStatus: 401 }),
    );
  });

  it('refuses an expiry that is not a number', () => {
    expect(() => callerOf(event({ brand: 'acme', scopes: 'customer:write', expiresAt: 'soon' }), 0)).toThrow(UnauthorizedError);
  });

  it.each([
    ['no authorizer context', null],
    ['no brand', { scopes: 'customer:write' }],
    ['an empty brand', { brand: '', scopes: 'customer:write' }],
    ['no scopes', { brand: 'acme' }],
    ['scopes that are not a string', { brand: 'acme', scopes: ['customer:write'] }],
  ])('refuses %s with 401', (_case, authorizer) => {
    expect(() => callerOf(event(authorizer))).toThrow(UnauthorizedError);
  });

  it('refuses an event without a request context with 401', () => {
    expect(() => callerOf({} as Parameters<typeof callerOf>[0])).toThrow(UnauthorizedError);
  });
});

describe('requireScope and requireBrand', () => {
  const caller = { brand: 'acme', scopes: ['customer:read'] };

  it('refuses a caller without customer:write with 403', () => {
    expect(() => requireScope(caller)).toThrow(ForbiddenError);
    expect(() => requireScope({ ...caller, scopes: ['customer:write'] })).not.toThrow();
  });

  it.each([['xcustomer:write'], ['customer:write2'], ['customer:read,customer:write'], ['customer']])(
    'refuses the scope %p, which only contains customer:write',
    (scope) => {
      expect(() => requireScope({ ...caller, scopes: [scope] })).toThrow(ForbiddenError);
    },
  );

  it('reads scopes separated by spaces only', () => {
    const read = callerOf({ requestContext: { authorizer: { brand: 'acme', scopes: 'customer:read,customer:write' } } } as unknown as Parameters<typeof callerOf>[0]);

    expect(() => requireScope(read)).toThrow(ForbiddenError);
  });

  it('refuses another brand with 403', () => {
    expect(() => requireBrand(caller, 'other')).toThrow(ForbiddenError);
    expect(() => requireBrand(caller, 'acme')).not.toThrow();
  });
});
