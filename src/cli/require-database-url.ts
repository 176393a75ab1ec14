import type { Config } from '../config/config.js';

/** The separate roles share one database, so they need it named; only `npm start` embeds one. */
export function requireDatabaseUrl(config: Config): string {
  if (!config.DATABASE_URL) {
    process.stderr.write(
      'Invalid configuration:\n  DATABASE_URL: required for the separate serve and worker roles (postgres://user@host:5432/db); `npm start` runs an embedded database instead\n',
    );
    process.exit(78);
  }
  return config.DATABASE_URL;
}
