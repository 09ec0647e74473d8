import { decodeJwt } from 'jose';
import { BrandCache } from '../../functions/domain/brand-cache';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import type { OtpRecord, Session } from '../../functions/domain/ports';
import { refreshKeyDigest } from '../../functions/domain/tokens';
import {
  REFRESH_KEY_TTL_MS,
  validateOtp,
  type ValidateOtpDeps,
  type ValidateOtpRequest,
} from '../../functions/domain/validate-otp';
import {
  BrandMismatchError,
  DeviceMismatchError,
  InvalidOtpError,
  InvalidSessionError,
  OtpExpiredError,
  OtpNotGeneratedError,
  OtpRetriesExceededError,
  ServiceUnavailableError,
  SessionMobileMismatchError,
  UnsupportedBrandError,
} from '../../functions/shared/errors';
import { claimsOnlySigner, FakeSessionStore } from '../support/fake-session-store';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const SESSION_ID = 'P-6f1c2a9e-4b7d-4e3f-9a21-0c5d8e7f6a1b';
const OTHER_SESSION_ID = 'P-0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d';
const fakeHash = (sessionId: string, otp: string) => `h(${sessionId}:${otp})`;

function otpRecord(otp: string, overrides: Partial<OtpRecord> = {}): OtpRecord {
  return { hash: fakeHash(SESSION_ID, otp), expiresAt: NOW + 60_000, wrongTries: 0, maxTries: 5, channel: 'SMS', country: 'JM', ...overrides };
}

function storeWith(session: Partial<Session> | null = {}): FakeSessionStore {
  const store = new FakeSessionStore();
  store.brands.set('demo', parseBrandConfig({ brand: 'demo', defaultCountry: 'US' }));
  if (session) {
    store.sessions.set(SESSION_ID, {
      sessionId: SESSION_ID,
      brand: 'demo',
      identifierType: 'MOBILE',
      identifierValue: '+18767431754',
      deviceId: 'device-1',
      expiresAt: NOW + 10 * 60_000,
      otp: otpRecord('123456'),
      ...session,
    });
  }
  return store;
}

function depsFor(store: FakeSessionStore, overrides: Partial<ValidateOtpDeps> = {}): ValidateOtpDeps {
  return {
    store,
    brands: new BrandCache(60_000),
    tokens: { signer: claimsOnlySigner, issuer: 'mfa-otp' },
    now: () => NOW,
    hashOtp: fakeHash,
    newRefreshKey: () => ({ key: 'refresh-key-1', digest: refreshKeyDigest('refresh-key-1') }),
    ...overrides,
  };
}

function request(overrides: Partial<ValidateOtpRequest> = {}): ValidateOtpRequest {
  return {
    brand: 'demo',
    identifierType: 'MOBILE',
    identifierValue: '+18767431754',
    deviceId: 'device-1',
    sessionId: SESSION_ID,
    otp: '123456',
    ...overrides,
  };
}

describe('validateOtp', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('with the right code', () => {
    it('answers with a USER token for the customer, device and brand', async () => {
      const store = storeWith();

      const validated = await validateOtp(depsFor(store), request({ identifierValue: '(876) 743-1754' }));

      expect(decodeJwt(validated.token)).toMatchObject({
        iss: 'mfa-otp',
        sub: 'demo:MOBILE|+18767431754',
        idv: 'MOBILE|+18767431754',
        dev: 'device-1',
        org: 'demo',
        rol: 'USER',
        iat: NOW / 1000,
        exp: NOW / 1000 + 15 * 60,
      });
    });

    it('stores the refresh key by its digest with the token subject and a 30-day lifetime', async () => {
      const store = storeWith();

      const validated = await validateOtp(depsFor(store), request());

      expect(validated.refreshKey).toBe('refresh-key-1');
      expect([...store.refreshKeys.values()]).toEqual([
        {
          digest: refreshKeyDigest('refresh-key-1'),
          brand: 'demo',
          sub: 'demo:MOBILE|+18767431754',
          idv: 'MOBILE|+18767431754',
          dev: 'device-1',
          expiresAt: NOW + REFRESH_KEY_TTL_MS,
        },
      ]);
      expect(REFRESH_KEY_TTL_MS).toBe(30 * 24 * 3600 * 1000);
    });

    it('closes the session, so the same code is refused as an invalid session afterwards', async () => {
      const store = storeWith();
      const deps = depsFor(store, { newRefreshKey: undefined });

      await validateOtp(deps, request());
      const again = validateOtp(deps, request());

      expect(store.sessions.has(SESSION_ID)).toBe(false);
      await expect(again).rejects.toBeInstanceOf(InvalidSessionError);
    });

    it('hashes the code exactly as sent, so a short one is not zero-padded', async () => {
      const store = storeWith({ otp: otpRecord('012345') });

      const validating = validateOtp(depsFor(store), request({ otp: '12345' }));

      await expect(validating).rejects.toBeInstanceOf(InvalidOtpError);
    });

    it('is refused once the tries are used up', async () => {
      const store = storeWith({ otp: otpRecord('123456', { wrongTries: 5, maxTries: 5 }) });

      const validating = validateOtp(depsFor(store), request());

      await expect(validating).rejects.toBeInstanceOf(OtpRetriesExceededError);
      expect(store.sessions.has(SESSION_ID)).toBe(true);
      expect(store.refreshKeys.size).toBe(0);
    });
  });

  describe('with a wrong code', () => {
    it('counts the try and answers invalid OTP', async () => {
      const store = storeWith({ otp: otpRecord('123456', { wrongTries: 2 }) });

      const validating = validateOtp(depsFor(store), request({ otp: '654321' }));

      await expect(validating).rejects.toBeInstanceOf(InvalidOtpError);
      expect(store.sessions.get(SESSION_ID)?.otp?.wrongTries).toBe(3);
    });

    it('answers too many tries when the last try was taken meanwhile', async () => {
      const store = storeWith({ otp: otpRecord('123456', { wrongTries: 4 }) });
      jest.spyOn(store, 'recordWrongTry').mockImplementationOnce(async (sessionId) => {
        (store.sessions.get(sessionId)?.otp as OtpRecord).wrongTries = 5;
        return false;
      });

      const validating = validateOtp(depsFor(store), request({ otp: '654321' }));

      await expect(validating).rejects.toBeInstanceOf(OtpRetriesExceededError);
    });

    it('decides on the new OTP when the OTP was replaced meanwhile', async () => {
      const store = storeWith({ otp: otpRecord('111111') });
      jest.spyOn(store, 'recordWrongTry').mockImplementationOnce(async (sessionId) => {
        (store.sessions.get(sessionId) as Session).otp = otpRecord('123456');
        return false;
      });

      const validated = await validateOtp(depsFor(store), request({ otp: '123456' }));

      expect(validated.refreshKey).toBe('refresh-key-1');
    });
  });

  describe('refuses before comparing', () => {
    it.each([
      ['the session is unknown', { sessionId: OTHER_SESSION_ID }, null, InvalidSessionError],
      ['the session has expired', {}, { expiresAt: NOW }, InvalidSessionError],
      ['the session is for another brand', {}, { brand: 'other' }, BrandMismatchError],
      ['the session is for another mobile', { identifierValue: '+18767431755' }, {}, SessionMobileMismatchError],
      ['the session is on another device', { deviceId: 'device-2' }, {}, DeviceMismatchError],
      ['no OTP was generated', {}, { otp: undefined }, OtpNotGeneratedError],
      ['the OTP has expired', {}, { otp: otpRecord('123456', { expiresAt: NOW }) }, OtpExpiredError],
    ])('when %s', async (_, requestOverrides, sessionOverrides, expected) => {
      const store = storeWith(sessionOverrides);
      const before = structuredClone(store.sessions.get(SESSION_ID));

      const validating = validateOtp(depsFor(store), request(requestOverrides));

      await expect(validating).rejects.toBeInstanceOf(expected);
      expect(store.sessions.get(SESSION_ID)).toEqual(before);
      expect(store.refreshKeys.size).toBe(0);
    });

    it('refuses a brand without configuration as unsupported', async () => {
      const store = storeWith({ brand: 'nobrand' });

      const validating = validateOtp(depsFor(store), request({ brand: 'nobrand' }));

      await expect(validating).rejects.toBeInstanceOf(UnsupportedBrandError);
    });
  });

  describe('when a step fails half way', () => {
    it('keeps the OTP usable and writes no refresh key when the token cannot be signed', async () => {
      const store = storeWith();
      const signer = { ...claimsOnlySigner, sign: jest.fn().mockRejectedValue(new Error('KMS down')) };

      const validating = validateOtp(depsFor(store, { tokens: { signer, issuer: 'mfa-otp' } }), request());

      await expect(validating).rejects.toThrow('KMS down');
      expect(store.sessions.get(SESSION_ID)?.otp).toEqual(otpRecord('123456'));
      expect(store.refreshKeys.size).toBe(0);
    });

    it('keeps the OTP usable when the refresh key cannot be written', async () => {
      const store = storeWith();
      jest.spyOn(store, 'putRefreshKey').mockRejectedValue(new Error('DynamoDB down'));

      const validating = validateOtp(depsFor(store), request());

      await expect(validating).rejects.toThrow('DynamoDB down');
      expect(store.sessions.get(SESSION_ID)?.otp).toEqual(otpRecord('123456'));
    });

    it('discards the refresh key when the OTP cannot be consumed', async () => {
      const store = storeWith();
      jest.spyOn(store, 'consumeOtp').mockRejectedValue(new Error('DynamoDB down'));

      const validating = validateOtp(depsFor(store), request());

      await expect(validating).rejects.toThrow('DynamoDB down');
      expect(store.refreshKeys.size).toBe(0);
    });

    it('reports a refresh key it could not discard and still answers with the request outcome', async () => {
      const store = storeWith();
      const onCleanupFailure = jest.fn();
      jest.spyOn(store, 'consumeOtp').mockImplementationOnce(async (sessionId) => {
        store.sessions.delete(sessionId);
        return false;
      });
      jest.spyOn(store, 'discardRefreshKey').mockRejectedValue(new Error('DynamoDB down'));

      const validating = validateOtp(depsFor(store, { onCleanupFailure }), request());

      await expect(validating).rejects.toBeInstanceOf(InvalidSessionError);
      expect(onCleanupFailure).toHaveBeenCalledWith('discard-refresh-key', new Error('DynamoDB down'));
    });
  });

  describe('under concurrency', () => {
    it('answers invalid session and keeps no refresh key when another request consumed the OTP first', async () => {
      const store = storeWith();
      jest.spyOn(store, 'consumeOtp').mockImplementationOnce(async (sessionId) => {
        store.sessions.delete(sessionId);
        return false;
      });

      const validating = validateOtp(depsFor(store), request());

      await expect(validating).rejects.toBeInstanceOf(InvalidSessionError);
      expect(store.refreshKeys.size).toBe(0);
    });

    it('gives up with a retryable error when every round is lost', async () => {
      const store = storeWith();
      jest.spyOn(store, 'recordWrongTry').mockResolvedValue(false);

      const validating = validateOtp(depsFor(store), request({ otp: '654321' }));

      await expect(validating).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(store.recordWrongTry).toHaveBeenCalledTimes(3);
    });
  });

  describe('deadline', () => {
    it('records no wrong try once the route has answered for the request', async () => {
      const store = storeWith();
      const recordWrongTry = jest.spyOn(store, 'recordWrongTry');

      await expect(validateOtp(depsFor(store, { deadline: NOW }), request({ otp: '654321' }))).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(recordWrongTry).not.toHaveBeenCalled();
      expect(store.sessions.get(SESSION_ID)?.otp?.wrongTries).toBe(0);
    });

    it('writes no refresh key and spends nothing once the route has answered for the request', async () => {
      const store = storeWith();
      const putRefreshKey = jest.spyOn(store, 'putRefreshKey');
      const consumeOtp = jest.spyOn(store, 'consumeOtp');

      await expect(validateOtp(depsFor(store, { deadline: NOW }), request())).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(putRefreshKey).not.toHaveBeenCalled();
      expect(consumeOtp).not.toHaveBeenCalled();
    });

    it('spends nothing when the deadline passes while the refresh key is written', async () => {
      const store = storeWith();
      let clock = NOW;
      const write = store.putRefreshKey.bind(store);
      jest.spyOn(store, 'putRefreshKey').mockImplementationOnce(async (record) => {
        clock = NOW + 5_000;
        return write(record);
      });
      const discardRefreshKey = jest.spyOn(store, 'discardRefreshKey');

      await expect(validateOtp(depsFor(store, { deadline: NOW + 1_000, now: () => clock }), request())).rejects.toBeInstanceOf(ServiceUnavailableError);

      expect(store.sessions.get(SESSION_ID)?.otp).toBeDefined();
      expect(discardRefreshKey).toHaveBeenCalledTimes(1);
    });
  });

  describe('observing', () => {
    it('reports a validation with the channel and country its OTP was sent by', async () => {
      const events: unknown[] = [];
      const deps = depsFor(storeWith(), { observe: (event) => events.push(event) });

      await validateOtp(deps, request());

      expect(events).toEqual([{ outcome: 'validated', brand: 'demo', sent: { channel: 'SMS', country: 'JM' } }]);
    });

    it.each<[string, Partial<Session>, Partial<ValidateOtpRequest>, number]>([
      ['a wrong code', {}, { otp: '654321' }, 1506],
      ['an expired code', { otp: otpRecord('123456', { expiresAt: NOW - 1 }) }, {}, 1529],
      ['a code with no tries left', { otp: otpRecord('123456', { wrongTries: 5 }) }, {}, 1518],
      ['a session with no OTP sent', { otp: undefined }, {}, 1537],
    ])('reports %s as refused with its code', async (_label, session, overrides, code) => {
      const events: unknown[] = [];
      const deps = depsFor(storeWith(session), { observe: (event) => events.push(event) });

      const refused = await validateOtp(deps, request(overrides)).catch((error: { code: number }) => error);

      expect(refused).toMatchObject({ code });
      const sent = session.otp === undefined && 'otp' in session ? {} : { sent: { channel: 'SMS', country: 'JM' } };
      expect(events).toEqual([{ outcome: 'refused', brand: 'demo', ...sent, code }]);
    });

    it('reports nothing when the session itself is refused', async () => {
      const events: unknown[] = [];
      const deps = depsFor(storeWith({ deviceId: 'device-2' }), { observe: (event) => events.push(event) });

      await expect(validateOtp(deps, request())).rejects.toBeInstanceOf(DeviceMismatchError);
      expect(events).toEqual([]);
    });

    it('answers as before when the observer throws', async () => {
      const deps = depsFor(storeWith(), { observe: () => { throw new Error('metrics down'); } });

      await expect(validateOtp(deps, request())).resolves.toMatchObject({ refreshKey: 'refresh-key-1' });
    });
  });

  it('reads the brand configuration only while it is not cached', async () => {
    const store = storeWith();
    const deps = depsFor(store);

    await validateOtp(deps, request({ otp: '654321' })).catch(() => undefined);
    await validateOtp(deps, request({ otp: '654321' })).catch(() => undefined);

    expect(store.contextReads).toEqual([
      { sessionId: SESSION_ID, brand: 'demo' },
      { sessionId: SESSION_ID },
    ]);
  });
});
