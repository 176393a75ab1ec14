import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { projectRoot } from '../src/version.js';
import { buildGatewaySchema } from './build-schema.js';

export const SCHEMA_FILE = join(projectRoot, 'schema', 'schema.graphql');

/**
 * The SDL of the schema the code builds, as checked in at schema/schema.graphql. Sorted by
 * name: type-graphql keeps types and fields in the order their modules were first imported,
 * which differs between a process that loaded one resolver early (a test) and one that did not.
 */
export async function renderSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildGatewaySchema())) + '\n';
}
