import { BrandCache } from '../../functions/domain/brand-cache';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';

const config = parseBrandConfig({ brand: 'acme', otpMaxCount: 3, otpTimeOut: 10 });

describe('BrandCache', () => {
  it('returns a configuration until its time is up, and not from then on', () => {
    const cache = new BrandCache(60_000);
    cache.set(config, 1_000);

    expect(cache.get('acme', 60_999)).toBe(config);
    expect(cache.get('acme', 61_000)).toBeUndefined();
    expect(cache.get('acme', 1_000)).toBeUndefined();
  });

  it('knows nothing of other brands', () => {
    const cache = new BrandCache(60_000);
    cache.set(config, 0);

    expect(cache.get('other', 0)).toBeUndefined();
  });

  it('keeps nothing when its time to live is zero', () => {
    const cache = new BrandCache(0);
    cache.set(config, 0);

    expect(cache.get('acme', 0)).toBeUndefined();
  });
});
