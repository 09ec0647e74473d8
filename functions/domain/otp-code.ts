import { createHmac, randomInt } from 'node:crypto';

/** A uniformly random code of `length` digits from the CSPRNG; leading zeros are kept. */
export function newOtp(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/** The keyed hash that is stored instead of the OTP; bound to the session it was issued for. */
export function hashOtp(pepper: string, sessionId: string, otp: string): string {
  return createHmac('sha256', pepper).update(`${sessionId}\u0000${otp}`).digest('base64url');
}
