import { UnsupportedBrandError } from '../shared/errors';
import type { BrandConfig } from './brand-config';

/**
 * Brand configurations kept in memory for a short while (BRAND_CACHE_SECONDS, at most
 * 60 s), so that a warm request reads only its session and counter. The price: a
 * `brand put` (a lower otpMaxCount, say) reaches a warm function only when its entry expires.
 */
export class BrandCache {
  private readonly entries = new Map<string, { config: BrandConfig; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(brand: string, now: number): BrandConfig | undefined {
    const entry = this.entries.get(brand);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(brand);
      return undefined;
    }
    return entry.config;
  }

  set(config: BrandConfig, now: number): void {
    if (this.ttlMs > 0) this.entries.set(config.brand, { config, until: now + this.ttlMs });
  }

  /**
   * The configuration a request goes by: the one `get` gave, else the one just read from
   * the store, which is kept from then on. A brand with neither has no configuration (1504).
   */
  settle(cached: BrandConfig | undefined, read: BrandConfig | undefined, now: number): BrandConfig {
    if (cached) return cached;
    if (!read) throw new UnsupportedBrandError();
    this.set(read, now);
    return read;
  }
}
