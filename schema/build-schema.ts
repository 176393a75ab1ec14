import 'reflect-metadata';
import './enums.js';
import { UseMiddleware, buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { TombstoneResolver } from './tombstones/tombstone.resolver.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';
import { SystemResolver } from './system/system.resolver.js';
import { AdminResolver } from './admin/admin.resolver.js';
import { SourceResolver } from './sources/source.resolver.js';
import { DiscoveryResolver } from './discovery/discovery.resolver.js';
import { RecordDecisionFieldsResolver, RequestRecordFieldsResolver, RequestResolver, TaskFieldsResolver } from './requests/request.resolver.js';
import { DataMapResolver } from './governance/data-map.resolver.js';
import { RequestReportResolver } from './governance/request-report.resolver.js';
import { RequestTimelineResolver } from './requests/request-timeline.resolver.js';
import { AuditChainResolver } from './admin/audit-chain.resolver.js';
import { RetentionResolver } from './retention/retention.resolver.js';
import { RequireCredentials, authChecker } from './auth.js';
import { RejectNulCharacters } from './input-guard.js';

// Every resolver of the public API. Adding an area means adding its resolver here.
export const resolvers: NonEmptyArray<Function> = [
  SystemResolver,
  AdminResolver,
  AuditChainResolver,
  SourceResolver,
  DiscoveryResolver,
  RequestResolver,
  RequestTimelineResolver,
  RecordDecisionFieldsResolver,
  TaskFieldsResolver,
  RequestRecordFieldsResolver,
  TombstoneResolver,
  ViewerResolver,
  DataMapResolver,
  RequestReportResolver,
  RetentionResolver,
];

// Credentials and the NUL guard run on every query, mutation and field resolver of these
// classes. Declared per class rather than as global middleware, which type-graphql would
// also wrap around every plain field of every object (thousands per discovery answer).
// The role matrix test proves no operation answers without credentials.
for (const resolver of resolvers) UseMiddleware(RequireCredentials, RejectNulCharacters)(resolver);

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    authChecker,
    // A field whose @Authorized check fails errors; it is never silently nulled.
    authMode: 'error',
    // The printed schema is checked in; keep it stable and diffable.
    emitSchemaFile: false,
  });
}
