import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars.js';

@ObjectType({ description: 'A place where the audit hash chain does not verify.' })
export class AuditChainBreak {
  @Field(() => ID)
  seq!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'The audit hash chain, verified now: every hash recomputed, every link and the chain head checked.' })
export class AuditChainVerification {
  @Field(() => Boolean, { description: 'True when every entry verifies.' })
  ok!: boolean;

  @Field(() => Int, { description: 'Entries read and checked.' })
  checked!: number;

  @Field(() => [AuditChainBreak], { description: 'Every place the chain does not verify, in seq order (empty when ok).' })
  breaks!: AuditChainBreak[];

  @Field(() => DateTimeScalar)
  verifiedAt!: Date;
}
