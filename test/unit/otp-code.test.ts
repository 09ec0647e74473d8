import { createHmac } from 'node:crypto';
import { digestsEqual } from '../../functions/domain/digests';
import { hashOtp, newOtp } from '../../functions/domain/otp-code';

const PEPPER = 'test-pepper-0123456789abcdef';

describe('newOtp', () => {
  it.each([4, 6, 8, 10])('makes a string of %i digits', (length) => {
    for (let i = 0; i < 50; i++) expect(newOtp(length)).toMatch(new RegExp(`^\\d{${length}}$`));
  });

  it('keeps leading zeros', () => {
    // One 4-digit code in ten starts with 0: 500 draws without one happen with probability 1e-23.
    const codes = Array.from({ length: 500 }, () => newOtp(4));

    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
    expect(codes.every((code) => code.length === 4)).toBe(true);
  });

  it('draws every digit in every position', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());

    for (let i = 0; i < 400; i++) [...newOtp(6)].forEach((digit, position) => seen[position]?.add(digit));

    expect(seen.map((digits) => digits.size)).toEqual([10, 10, 10, 10, 10, 10]);
  });

  it.each([8, 10])('draws the leading digits of a %i-digit code too', (length) => {
    // Were the range cut short, the first digits would always be zeros: 200 draws whose
    // first four digits are all 0000 happen with probability 1e-800.
    const codes = Array.from({ length: 200 }, () => newOtp(length));

    expect(codes.some((code) => !code.startsWith('0000'))).toBe(true);
  });

  it('rarely repeats itself', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newOtp(10)));

    expect(codes.size).toBeGreaterThan(995);
  });
});

describe('hashOtp', () => {
  it('is the HMAC-SHA256 under the pepper of the session id and the OTP, base64url', () => {
    const expected = createHmac('sha256', PEPPER).update('P-1\u0000123456').digest('base64url');

    expect(hashOtp(PEPPER, 'P-1', '123456')).toBe(expected);
  });

  it('does not contain the OTP', () => {
    expect(hashOtp(PEPPER, 'P-1', '123456')).not.toContain('123456');
  });

  it('changes with the pepper', () => {
    expect(hashOtp('another-pepper-0123456789', 'P-1', '123456')).not.toBe(hashOtp(PEPPER, 'P-1', '123456'));
  });

  it('binds the OTP to its session', () => {
    expect(hashOtp(PEPPER, 'P-2', '123456')).not.toBe(hashOtp(PEPPER, 'P-1', '123456'));
  });

  it('cannot be confused by moving digits between session id and OTP', () => {
    expect(hashOtp(PEPPER, 'P-11', '23456')).not.toBe(hashOtp(PEPPER, 'P-1', '123456'));
  });

  it('tells a zero-padded OTP from the bare number', () => {
    expect(hashOtp(PEPPER, 'P-1', '012345')).not.toBe(hashOtp(PEPPER, 'P-1', '12345'));
  });
});

describe('digestsEqual', () => {
  it('is true for equal OTP hashes and false otherwise, whatever the lengths', () => {
    const hash = hashOtp(PEPPER, 'P-1', '123456');

    expect(digestsEqual(hash, hashOtp(PEPPER, 'P-1', '123456'))).toBe(true);
    expect(digestsEqual(hash, hashOtp(PEPPER, 'P-1', '123457'))).toBe(false);
    expect(digestsEqual(hash, hash.slice(1))).toBe(false);
    expect(digestsEqual(hash, '')).toBe(false);
  });
});
