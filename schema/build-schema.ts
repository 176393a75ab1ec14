import 'reflect-metadata';
import './enums.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { SystemResolver } from './system/system.resolver.js';
import { RequireCredentials, authChecker } from './auth.js';

// Every resolver of the public API. Adding an area means adding its resolver here.
export const resolvers: NonEmptyArray<Function> = [SystemResolver];

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    authChecker,
    // A field whose @Authorized check fails errors; it is never silently nulled.
    authMode: 'error',
    globalMiddlewares: [RequireCredentials],
    // The printed schema is checked in; keep it stable and diffable.
    emitSchemaFile: false,
  });
}
