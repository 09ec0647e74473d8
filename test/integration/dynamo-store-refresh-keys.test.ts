import { randomBytes } from 'node:crypto';
import type { RefreshKeyRecord } from '../../functions/domain/ports';
import { tableKeys } from '../../functions/shared/table-keys';
import { testStore } from '../support/fixtures';
import { storedItem } from '../support/otp-generate';

const store = testStore();

const record = (overrides: Partial<RefreshKeyRecord> = {}): RefreshKeyRecord => ({
  digest: randomBytes(32).toString('hex'),
  brand: 'acme',
  sub: 'user-1',
  idv: '+18767431754',
  dev: 'device-1',
  expiresAt: Date.now() + 60_000,
  ...overrides,
});

describe('DynamoStore.discardRefreshKey', () => {
  it('removes the refresh key it is given', async () => {
    const written = record();
    await store.putRefreshKey(written);

    await store.discardRefreshKey(written);

    expect(await storedItem(tableKeys.refreshKey(written.digest))).toBeUndefined();
  });

  it('leaves another item under the same digest as it was', async () => {
    const theirs = record({ sub: 'user-2' });
    await store.putRefreshKey(theirs);

    await store.discardRefreshKey({ ...theirs, sub: 'user-1' });

    expect(await storedItem(tableKeys.refreshKey(theirs.digest))).toMatchObject({ sub: 'user-2', expiresAt: theirs.expiresAt });
  });

  it('answers without an error when the key was never written', async () => {
    await expect(store.discardRefreshKey(record())).resolves.toBeUndefined();
  });
});
