import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AuthError, Role } from '../auth/index.js';
import type { Services } from '../app/services.js';

/** The roles of the development key `npm start` prints: enough to try every operation. */
export const DEVELOPMENT_ROLES = [Role.ADMIN, Role.HANDLER, Role.SPECIAL_CATEGORY, Role.AUDITOR, Role.WORKER];

/**
 * A development key for the embedded default, kept beside the embedded database so every
 * restart prints the same one. Never used outside `npm start` in development.
 */
export async function developmentKey(services: Services, file: string): Promise<string> {
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    try {
      await services.apiKeys.authenticate(stored);
      return stored;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // Revoked or from another database: make a new one.
    }
  }
  const { clearKey } = await services.apiKeys.create({ name: 'development key (npm start)', roles: DEVELOPMENT_ROLES });
  writeFileSync(file, clearKey + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return clearKey;
}
