import 'reflect-metadata';
import './enums.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { SystemResolver } from './system/system.resolver.js';

// Every resolver of the public API. Adding an area means adding its resolver here.
export const resolvers: NonEmptyArray<Function> = [SystemResolver];

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    // The printed schema is checked in; keep it stable and diffable.
    emitSchemaFile: false,
  });
}
