import type { OtpRecord } from '../../functions/domain/ports';
import { seedSession, seedBrand, testStore } from '../support/fixtures';
import { sessionItem } from '../support/otp-generate';

const store = testStore();

const otp = (hash: string): OtpRecord => ({ hash, expiresAt: Date.now() + 60_000, wrongTries: 0, maxTries: 3, channel: 'SMS', country: 'JM' });

async function sessionWithOtp(hash: string) {
  const brand = await seedBrand(store);
  const session = await seedSession(store, { brand: brand.brand });
  expect(await store.saveOtp(session.sessionId, otp(hash), Date.now())).toBe(true);
  return session;
}

describe('DynamoStore.discardOtp', () => {
  it('removes an OTP no wrong try was counted against and says it was untried', async () => {
    const session = await sessionWithOtp('hash-a');

    const found = await store.discardOtp(session.sessionId, 'hash-a');

    expect(found).toBe('untried');
    expect(await sessionItem(session)).not.toHaveProperty('otpHash');
  });

  it('says tried when a wrong try was counted against the OTP it removes', async () => {
    const session = await sessionWithOtp('hash-a');
    expect(await store.recordWrongTry(session.sessionId, 'hash-a')).toBe(true);

    const found = await store.discardOtp(session.sessionId, 'hash-a');

    expect(found).toBe('tried');
    expect(await sessionItem(session)).not.toHaveProperty('otpWrongTries');
  });

  it('says gone and leaves a newer OTP in place when its own was replaced', async () => {
    const session = await sessionWithOtp('hash-a');
    await store.saveOtp(session.sessionId, otp('hash-b'), Date.now());

    const found = await store.discardOtp(session.sessionId, 'hash-a');

    expect(found).toBe('gone');
    expect(await sessionItem(session)).toMatchObject({ otpHash: 'hash-b' });
  });

  it('says gone when the OTP was consumed', async () => {
    const session = await sessionWithOtp('hash-a');
    expect(await store.consumeOtp(session.sessionId, 'hash-a', Date.now(), 'request-1')).toBe(true);

    expect(await store.discardOtp(session.sessionId, 'hash-a')).toBe('gone');
  });
});
