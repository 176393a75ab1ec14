import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars.js';
import { AuditOutcome } from './enums.js';

@ObjectType({ description: 'One entry of the tamper-evident audit log: ids and a digest, never personal data.' })
export class AuditEntryNode {
  @Field(() => ID, { description: 'Position in the hash chain; also the cursor.' })
  seq!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String, { description: 'API key id, OIDC subject, or system actor.' })
  actorId!: string;

  @Field(() => String, { description: 'api-key, oidc, system or worker.' })
  actorKind!: string;

  @Field(() => String, { description: 'e.g. discovery.run, request.execute, key.create, graphql.submitRequest (refusals).' })
  action!: string;

  @Field(() => String)
  targetType!: string;

  @Field(() => String, { nullable: true })
  targetId!: string | null;

  @Field(() => String, { description: 'HMAC or SHA-256 of the canonical parameters.' })
  paramsDigest!: string;

  @Field(() => AuditOutcome)
  outcome!: AuditOutcome;

  @Field(() => String, { nullable: true })
  controllerId!: string | null;

  @Field(() => String)
  prevHash!: string;

  @Field(() => String)
  hash!: string;
}

@ObjectType()
export class AuditEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEntryNode)
  node!: AuditEntryNode;
}

@ObjectType()
export class AuditPageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ObjectType({ description: 'Audit entries, newest first, paged by seq.' })
export class AuditConnection {
  @Field(() => [AuditEdge])
  edges!: AuditEdge[];

  @Field(() => [AuditEntryNode], { description: 'The same entries without cursors.' })
  nodes!: AuditEntryNode[];

  @Field(() => AuditPageInfo)
  pageInfo!: AuditPageInfo;
}

@InputType({ description: 'All given conditions must hold.' })
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'Actor id (API key id or OIDC subject).' })
  actor?: string | null;

  @Field(() => [String], { nullable: true, description: 'Any of these action names.' })
  actions?: string[] | null;

  @Field(() => String, { nullable: true, description: 'One action name (combined with `actions`).' })
  action?: string | null;

  @Field(() => String, { nullable: true, description: 'Target type, e.g. request, source, api-key.' })
  targetType?: string | null;

  @Field(() => ID, { nullable: true, description: 'Target id.' })
  target?: string | null;

  @Field(() => String, { nullable: true })
  controllerId?: string | null;

  @Field(() => AuditOutcome, { nullable: true })
  outcome?: AuditOutcome | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Entries at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Entries before this time.' })
  to?: Date | null;
}
