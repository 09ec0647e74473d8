import { UnsecuredJWT } from 'jose';
import type { BrandConfig } from '../../functions/domain/brand-config';
import type { RefreshKeyRecord, Session, SessionStore, ValidateOtpStore } from '../../functions/domain/ports';
import type { TokenSigner } from '../../functions/domain/token-signing';
import { FakeOtpStore } from './fake-otp-store';

/**
 * FakeOtpStore plus the session ports of token/generate and otp/validate, with the
 * conditions DynamoStore's conditional writes carry. Spy on a method to script a race
 * or a failure.
 */
export class FakeSessionStore extends FakeOtpStore implements SessionStore, ValidateOtpStore {
  readonly refreshKeys = new Map<string, RefreshKeyRecord>();
  /** Consumed sessions, gone from `sessions`, by the mark of the validation that consumed each. */
  readonly consumedBy = new Map<string, string>();

  async getBrandConfig(brand: string): Promise<BrandConfig | undefined> {
    return this.brands.get(brand);
  }

  async createSession(session: Session): Promise<void> {
    if (this.sessions.has(session.sessionId)) throw new Error('ConditionalCheckFailed');
    this.sessions.set(session.sessionId, structuredClone(session));
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const session = this.sessions.get(sessionId);
    return session ? structuredClone(session) : undefined;
  }

  async recordWrongTry(sessionId: string, hash: string): Promise<boolean> {
    const otp = this.sessions.get(sessionId)?.otp;
    if (otp?.hash !== hash || otp.wrongTries >= otp.maxTries) return false;
    otp.wrongTries += 1;
    return true;
  }

  async consumeOtp(sessionId: string, hash: string, now: number, consumedBy: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    const otp = session?.otp;
    if (!session || otp?.hash !== hash || otp.wrongTries >= otp.maxTries || otp.expiresAt <= now || session.expiresAt <= now) {
      return this.consumedBy.get(sessionId) === consumedBy;
    }
    this.sessions.delete(sessionId);
    this.consumedBy.set(sessionId, consumedBy);
    return true;
  }

  async putRefreshKey(record: RefreshKeyRecord): Promise<void> {
    if (this.refreshKeys.has(record.digest)) throw new Error('ConditionalCheckFailed');
    this.refreshKeys.set(record.digest, { ...record });
  }

  async discardRefreshKey(record: RefreshKeyRecord): Promise<void> {
    const stored = this.refreshKeys.get(record.digest);
    if (stored?.sub === record.sub && stored.expiresAt === record.expiresAt) this.refreshKeys.delete(record.digest);
  }
}

/** Signs nothing: the claims as an unsecured JWT, so tests can decode what would be signed. */
export const claimsOnlySigner: TokenSigner = {
  sign: async (claims) => new UnsecuredJWT(claims).encode(),
  publicJwks: async () => ({ keys: [] }),
};
