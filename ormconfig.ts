// The DataSource the TypeORM CLI uses (`npm run migration:run`, `migration:generate`).
// The application builds the same one through createDataSource().
import { createDataSource } from './src/database/data-source.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/dsr_gateway';

export default createDataSource({ url, applicationName: 'dsr-gateway-cli' });
