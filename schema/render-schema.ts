import { join } from 'node:path';
import { printSchema } from 'graphql';
import { projectRoot } from '../src/version.js';
import { buildGatewaySchema } from './build-schema.js';

export const SCHEMA_FILE = join(projectRoot, 'schema', 'schema.graphql');

/** The SDL of the schema the code builds, as checked in at schema/schema.graphql. */
export async function renderSchema(): Promise<string> {
  return printSchema(await buildGatewaySchema()) + '\n';
}
