import type { Identifier } from '../../functions/domain/identifiers';
import type { Session } from '../../functions/domain/ports';
import { assertSessionFor } from '../../functions/domain/session-checks';

const NOW = 1_700_000_000_000;
const mobile: Identifier = { type: 'MOBILE', value: '+18767431754' };

const sessionWith = (overrides: Partial<Session> = {}): Session => ({
  sessionId: 'P-1',
  brand: 'acme',
  identifierType: 'MOBILE',
  identifierValue: '+18767431754',
  deviceId: 'device-1',
  expiresAt: NOW + 60_000,
  ...overrides,
});

const claim = { brand: 'acme', identifier: mobile, deviceId: 'device-1' };

describe('assertSessionFor', () => {
  it('returns the session opened for this brand, identifier and device', () => {
    const session = sessionWith();

    expect(assertSessionFor(session, claim, NOW)).toBe(session);
  });

  it('refuses a missing session with 1505', () => {
    expect(() => assertSessionFor(undefined, claim, NOW)).toThrow(expect.objectContaining({ httpStatus: 401, code: 1505 }));
  });

  it('refuses a session that expires exactly now with 1505', () => {
    expect(() => assertSessionFor(sessionWith({ expiresAt: NOW }), claim, NOW)).toThrow(
      expect.objectContaining({ code: 1505 }),
    );
  });

  it('accepts a session that expires one millisecond later', () => {
    expect(assertSessionFor(sessionWith({ expiresAt: NOW + 1 }), claim, NOW).sessionId).toBe('P-1');
  });

  it('refuses another brand with 1509', () => {
    expect(() => assertSessionFor(sessionWith({ brand: 'other' }), claim, NOW)).toThrow(
      expect.objectContaining({ httpStatus: 401, code: 1509 }),
    );
  });

  it('refuses another mobile with 1507', () => {
    expect(() => assertSessionFor(sessionWith({ identifierValue: '+18767431755' }), claim, NOW)).toThrow(
      expect.objectContaining({ httpStatus: 401, code: 1507 }),
    );
  });

  it('refuses another e-mail with 1541', () => {
    const session = sessionWith({ identifierType: 'EMAIL', identifierValue: 'jane@example.com' });
    const email: Identifier = { type: 'EMAIL', value: 'john@example.com' };

    expect(() => assertSessionFor(session, { ...claim, identifier: email }, NOW)).toThrow(
      expect.objectContaining({ httpStatus: 401, code: 1541 }),
    );
  });

  it('refuses a different identifier type for the same value with 1541', () => {
    const session = sessionWith({ identifierType: 'EXTERNALID', identifierValue: 'jane' });
    const username: Identifier = { type: 'USERNAME', value: 'jane' };

    expect(() => assertSessionFor(session, { ...claim, identifier: username }, NOW)).toThrow(
      expect.objectContaining({ code: 1541 }),
    );
  });

  it.each(['device-2', 'DEVICE-1', ' device-1', 'device-1 '])('refuses the device %p for a session opened on device-1 with 1508', (deviceId) => {
    expect(() => assertSessionFor(sessionWith({ deviceId: 'device-1' }), { ...claim, deviceId }, NOW)).toThrow(
      expect.objectContaining({ httpStatus: 401, code: 1508 }),
    );
  });
});
