import crypto from 'node:crypto';
import { digestsEqual, sha256Hex } from '../../functions/domain/digests';

describe('digestsEqual', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('hands digests of the same length to crypto.timingSafeEqual', () => {
    const compared = jest.spyOn(crypto, 'timingSafeEqual');
    const stored = sha256Hex('s3cret');
    const offered = sha256Hex('wrong');

    const equal = digestsEqual(stored, offered);

    expect(equal).toBe(false);
    expect(compared).toHaveBeenCalledTimes(1);
    expect(compared).toHaveBeenCalledWith(Buffer.from(stored), Buffer.from(offered));
  });

  it('answers true through crypto.timingSafeEqual for equal digests', () => {
    const compared = jest.spyOn(crypto, 'timingSafeEqual');
    const digest = sha256Hex('s3cret');

    const equal = digestsEqual(digest, sha256Hex('s3cret'));

    expect(equal).toBe(true);
    expect(compared).toHaveReturnedWith(true);
  });
});
