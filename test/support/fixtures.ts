import { type BrandConfig, type BrandConfigInput } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import type { IdentifierType } from '../../functions/domain/identifiers';
import { newSessionId } from '../../functions/domain/open-session';
import type { Session } from '../../functions/domain/ports';
import { DynamoStore } from '../../functions/shared/dynamo-store';
import { localClients } from '../../scripts/local/dynamo-local';
import { uniqueBrand } from './api-events';

/** A store on the run's dynalite (see global-setup.ts). */
export function testStore(): DynamoStore {
  const { documentClient } = localClients(process.env.DYNAMODB_ENDPOINT as string);
  return new DynamoStore(documentClient, process.env.TABLE_NAME as string);
}

/** A brand of its own for each test, with the spec's defaults unless overridden. */
export async function seedBrand(store: DynamoStore, overrides: Partial<BrandConfigInput> = {}): Promise<BrandConfig> {
  const config = parseBrandConfig({ brand: uniqueBrand(), defaultCountry: 'US', otpMaxCount: 5, otpTimeOut: 10, ...overrides });
  await store.putBrandConfig(config);
  return config;
}

export interface SessionOptions {
  brand: string;
  identifierType?: IdentifierType;
  identifierValue?: string;
  deviceId?: string;
  expiresAt?: number;
}

/** Writes a session straight to the store, as token/generate would open it. */
export async function seedSession(store: DynamoStore, options: SessionOptions): Promise<Session> {
  const session: Session = {
    sessionId: newSessionId(),
    brand: options.brand,
    identifierType: options.identifierType ?? 'MOBILE',
    identifierValue: options.identifierValue ?? '+18767431754',
    deviceId: options.deviceId ?? 'device-1',
    expiresAt: options.expiresAt ?? Date.now() + 15 * 60_000,
  };
  await store.createSession(session);
  return session;
}
