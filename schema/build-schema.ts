import 'reflect-metadata';
import './enums.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { TombstoneResolver } from './tombstones/tombstone.resolver.js';
import { SystemResolver } from './system/system.resolver.js';
import { AdminResolver } from './admin/admin.resolver.js';
import { SourceResolver } from './sources/source.resolver.js';
import { DiscoveryResolver } from './discovery/discovery.resolver.js';
import { RecordDecisionFieldsResolver, RequestRecordFieldsResolver, RequestResolver, TaskFieldsResolver } from './requests/request.resolver.js';
import { RequireCredentials, authChecker } from './auth.js';
import { RejectNulCharacters } from './input-guard.js';

// Every resolver of the public API. Adding an area means adding its resolver here.
export const resolvers: NonEmptyArray<Function> = [SystemResolver, AdminResolver, SourceResolver, DiscoveryResolver, RequestResolver, RecordDecisionFieldsResolver, TaskFieldsResolver, RequestRecordFieldsResolver, TombstoneResolver];

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    authChecker,
    // A field whose @Authorized check fails errors; it is never silently nulled.
    authMode: 'error',
    globalMiddlewares: [RequireCredentials, RejectNulCharacters],
    // The printed schema is checked in; keep it stable and diffable.
    emitSchemaFile: false,
  });
}
