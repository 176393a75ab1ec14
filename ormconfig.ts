// The DataSource the TypeORM CLI uses (`npm run migration:run`, `migration:generate`).
// The application builds the same one through createDataSource(). Migrations run as the
// owner role when DATABASE_MIGRATION_URL is set; `npm run migrate` also grants the runtime
// role its rights afterwards (src/database/roles.ts), which this CLI does not.
import { createDataSource } from './src/database/data-source.js';

const url = process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/dsr_gateway';

export default createDataSource({ url, applicationName: 'dsr-gateway-cli' });
