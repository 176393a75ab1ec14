// `npm run keys -- create --name NAME --roles HANDLER[,..] [--controllers C1,..]`,
// `npm run keys -- list [--all]`, `npm run keys -- revoke KEY_ID`: API keys from the shell.
// Needs DATABASE_URL (the embedded default has its own development key).
import 'reflect-metadata';
import { createDataSource } from '../database/data-source.js';
import { ApiKeyService, runKeysCommand } from '../auth/index.js';
import { AuditLog } from '../audit/index.js';
import { loadKeyrings } from '../crypto/index.js';
import { loadConfig } from '../config/config.js';
import { exitOnConfigError } from './exit-on-config-error.js';

const config = exitOnConfigError(() => loadConfig(process.env, { databaseRequired: true }));
const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'dsr-gateway-keys' });
await dataSource.initialize();
const keyrings = loadKeyrings({ warn: () => undefined });
const service = new ApiKeyService(dataSource, { audit: new AuditLog(dataSource, { digestKeyring: keyrings.tombstone }) });
const code = await runKeysCommand(process.argv.slice(2), service);
await dataSource.destroy();
process.exit(code);
