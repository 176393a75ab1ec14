// R10 across a key rotation: tombstones are only as good as the keys that can recompute
// them. A process started without a key that stored tombstones were made with would tell
// every feed that those erased people are unknown, so it refuses to start instead.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HmacKeyring } from '../../../src/crypto/index.js';
import { loadConfig } from '../../../src/config/config.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/normalise/index.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startRuntime } from '../../../src/app/runtime.js';
import { TombstoneService } from '../../../src/tombstones/tombstone.service.js';
import { createTestDatabase } from '../../support/test-database.js';

const oldKey = { kid: 'old', key: randomBytes(32) };
const newKey = { kid: 'new', key: randomBytes(32) };
const keyList = (...keys: (typeof oldKey)[]) => keys.map((k) => `${k.kid}:${k.key.toString('base64')}`).join(',');

describe('tombstone keys at start', () => {
  const db = createTestDatabase();
  let url: string;
  beforeAll(async () => {
    url = (await db).url;
    const ds = createDataSource({ url, poolSize: 1 });
    await ds.initialize();
    const erased = normaliseQueryIdentifiers([{ type: T.EMAIL, value: 'erased.before.rotation@example.org' }]);
    await new TombstoneService(ds, new HmacKeyring([oldKey])).record(randomUUID(), erased, new Date());
    await ds.destroy();
  });
  afterAll(async () => {
    await (await db).drop();
  });

  const start = (tombstoneKeys: string) => {
    const env = {
      NODE_ENV: 'test',
      DSR_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
      DSR_TOMBSTONE_KEYS: tombstoneKeys,
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
    };
    return startRuntime({ config: loadConfig(env), databaseUrl: url, http: false, worker: false, migrate: false, logger: createLogger('silent'), env });
  };

  it('R10: a process whose tombstone keys leave out the key of stored tombstones refuses to start, naming the key id', async () => {
    const refused = start(keyList(newKey));
    await expect(refused).rejects.toMatchObject({ code: 'CONFIG_ERROR' });
    await expect(refused).rejects.toThrow(/"old"/);
  });

  it('R10: with the old key kept after the new one, the process starts', async () => {
    const runtime = await start(keyList(newKey, oldKey));
    await runtime.stop();
  });
});
