import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256, in hex, of a secret that is only ever compared, never read back. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether two digests are equal, in a time that does not tell where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
