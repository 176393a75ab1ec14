// The request API: queries, lifecycle mutations and the nested fields of a request.
// Controller scoping: a request a handler may not see is "not found"; inside a visible
// request, records of other controllers are left out of every nested list.
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RecordAction, RequestType } from '../../src/domain/vocabulary.js';
import { classifyDeadlines, jurisdictionOf } from '../../src/requests/deadlines.js';
import { extensionNoticeLetter } from '../../src/requests/extension-notice.js';
import { allowedEvents } from '../../src/requests/state-machine.js';
import { stateOf } from '../../src/requests/services/request-change.js';
import { instructionKey } from '../../src/requests/services/record-decisions.js';
import { canSeeRequest, parentRecordIdFor } from '../../src/requests/visibility.js';
import { unsearchedSources } from '../../src/requests/discovery-gaps.js';
import { can, canSeeController, canSeeSource, isUnscoped, type Principal } from '../../src/auth/index.js';
import { mayReceivePackage } from '../../src/requests/access-package.js';
import type { GraphQLContext } from '../context.js';
import { requestScope } from '../discovery/request-scope.js';
import { Source } from '../sources/source.types.js';
import { sourceView } from '../sources/source.view.js';
import { DateTimeScalar } from '../scalars.js';
import {
  ControllerInstructionInput,
  IdentityVerificationInput,
  InaccuracyFindingInput,
  OverrideDecisionInput,
  RecordRefInput,
  RequestFilter,
  RequestOrder,
  SubmitRequestInput,
} from './request.inputs.js';
import {
  AccessPackage,
  ControllerInstructionView,
  ReturnedPackage,
  DataSubjectRequest,
  DeadlineStanding,
  ExtensionNotice,
  InaccuracyFinding,
  RecordDecision,
  RequestConnection,
  RequestedCorrection,
  RequestRecord,
  RequestTransition,
  ResponseSummary,
  SnapshotSourceOutcome,
  SourcesNotSearched,
  Task,
} from './request.types.js';
import { childLoaders, childrenOf, decisionView, recordView, requestView, taskView } from './request.views.js';
import { seesWhole, transitionsSeenBy } from './whole-request.js';
import { cursorOf } from '../../src/requests/services/request-queries.js';
import { SourceKind } from '../../src/domain/vocabulary.js';

function principalOf(ctx: GraphQLContext): Principal {
  return ctx.principal!;
}

@Resolver(() => DataSubjectRequest)
export class RequestResolver {
  // ---- queries ----

  @Authorized('request:read')
  @Query(() => DataSubjectRequest, { nullable: true, description: 'One request; null when it does not exist or is outside your controller scope.' })
  async request(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest | null> {
    const row = await ctx.services.requests.visible.find(id, principalOf(ctx));
    return row ? requestView(row) : null;
  }

  @Authorized('request:read')
  @Query(() => RequestConnection, { description: 'Requests, newest first or most urgent first, filtered; due-soon and overdue lists for handlers.' })
  async requests(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => RequestFilter, { nullable: true }) filter?: RequestFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page, in the same orderBy (else BAD_USER_INPUT).' })
    after?: string | null,
    @Arg('orderBy', () => RequestOrder, { nullable: true, defaultValue: RequestOrder.NEWEST }) orderBy?: RequestOrder | null,
  ): Promise<RequestConnection> {
    const order = orderBy ?? RequestOrder.NEWEST;
    const page = await ctx.services.requests.intake.list(principalOf(ctx), filter ?? {}, { first: first ?? null, after: after ?? null, orderBy: order });
    const nodes = page.nodes.map((n) => requestView(n));
    return {
      nodes,
      edges: nodes.map((node) => ({ cursor: cursorOf(node.entity, order), node })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      totalCount: page.totalCount,
    };
  }

  // ---- mutations (DESIGN.md) ----

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'Receives a request; possible duplicates are reported in possibleDuplicateOf, never merged.' })
  async submitRequest(@Arg('input', () => SubmitRequestInput) input: SubmitRequestInput, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.intake.submit(input, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description: 'R2: records the proof of identity, starts the 30-day clock, saves the discovery snapshot and computes decisions.',
  })
  async verifyIdentity(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('input', () => IdentityVerificationInput) input: IdentityVerificationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.verification.verifyIdentity(requestId, input, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'R6/R7: a controller’s instruction (PROCEED, REFUSE, CONTROLLER_GONE) for its records in one source.' })
  async recordControllerInstruction(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('input', () => ControllerInstructionInput) input: ControllerInstructionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.recordControllerInstruction(requestId, input, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'Confirms REVIEW records as the person’s: they are acted on.' })
  async confirmMatches(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('records', () => [RecordRefInput]) records: RecordRefInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.confirmMatches(requestId, records, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'Rejects REVIEW records: not the person, left alone.' })
  async rejectMatches(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('records', () => [RecordRefInput]) records: RecordRefInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.rejectMatches(requestId, records, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'Approves the decisions. ACCESS: builds the access package and completes (accessPackage.downloadUrl is shown in this answer only). Other types: queued execution.',
  })
  async executeRequest(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    const { request, link, returned } = await ctx.services.requests.approval.execute(requestId, principalOf(ctx));
    return requestView(request, link, returned);
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'R5: up to two further months (default two), with a reason, before the first due date ends.' })
  async extendDeadline(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('months', () => Int, { nullable: true }) months?: number | null,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.extendDeadline(requestId, reason, months, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'R5: records that the extension notice (extensionNotice.letter) was sent to the person: when and by whom, audited. NO_EXTENSION without an extension.',
  })
  async recordExtensionNoticeSent(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.recordExtensionNoticeSent(requestId, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description: 'Queues again the failed tasks of a PARTIALLY_COMPLETED request and verifies its removals again (also those verification could not check).',
  })
  async retryFailedTasks(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.approval.retryFailedTasks(requestId, principalOf(ctx)));
  }

  // ---- extra operations ----

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'R1: searches again the sources that failed or timed out at verification; what they hold joins the snapshot with its decisions. Before approval only.',
  })
  async rediscoverSources(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.verification.rediscoverSources(requestId, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'R1: the decision (with a reason, audited) to execute although some sources could not be searched; the answer names them and is never complete. Without it executeRequest is refused (DISCOVERY_INCOMPLETE).',
  })
  async proceedWithoutSources(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.verification.proceedWithoutSources(requestId, reason, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'R9: the person’s answer, given after submission, on keeping certificate numbers verifiable (true agreed, false refused, null not given); decisions not overridden follow it. Audited; until approval.',
  })
  async recordCertificateAgreement(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('agreed', () => Boolean, { nullable: true }) agreed: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.recordCertificateAgreement(requestId, agreed ?? null, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'A handler replaces one decision, with a mandatory reason (audited).' })
  async overrideDecision(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('input', () => OverrideDecisionInput) input: OverrideDecisionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.overrideDecision(requestId, { ...input, action: input.action as RecordAction }, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'R14: records the handler’s finding that the data of a RECTIFICATION request was inaccurate (who, when, why, which corrections are accepted); audited. executeRequest is refused (INACCURACY_NOT_ESTABLISHED) until the data is found inaccurate.',
  })
  async recordInaccuracyFinding(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('input', () => InaccuracyFindingInput) input: InaccuracyFindingInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.review.recordInaccuracyFinding(requestId, input, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'R3: records that the acknowledgement was sent to the person.' })
  async acknowledgeRequest(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.acknowledge(requestId, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'Withdraws a request before execution (reason required).' })
  async cancelRequest(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.cancel(requestId, reason, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      'Refuses a request (e.g. identity could not be verified), with a reason. Not once it is COMPLETED or PARTIALLY_COMPLETED (INVALID_TRANSITION): a package it sent is stopped with revokeAccessPackage.',
  })
  async rejectRequest(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.reject(requestId, reason, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, { description: 'Puts a request on hold with a reason; resumeRequest returns it to where it was.' })
  async holdRequest(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.hold(requestId, reason, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest)
  async resumeRequest(@Arg('requestId', () => ID) requestId: string, @Ctx() ctx: GraphQLContext): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.actions.resume(requestId, principalOf(ctx)));
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      "A fresh one-time download link; the previous link stops working. Without controllerId: the person's access package of an ACCESS request (accessPackage.downloadUrl). With it: R6, the package of records returned to that controller (returnedPackages.downloadUrl). Once the package is built: EXECUTING, COMPLETED or PARTIALLY_COMPLETED.",
  })
  async renewAccessPackageLink(
    @Arg('requestId', () => ID) requestId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('controllerId', () => String, { nullable: true, description: 'R6: the controller whose returned package gets the new link.' })
    controllerId?: string | null,
  ): Promise<DataSubjectRequest> {
    const { request, link, returned } = await ctx.services.requests.approval.renewAccessPackageLink(requestId, principalOf(ctx), controllerId ?? null);
    return requestView(request, link, returned);
  }

  @Authorized('request:write')
  @Mutation(() => DataSubjectRequest, {
    description:
      "Stops a built package (the identity proved false after it was issued, or the link went to the wrong address): its archive is destroyed and its link answers at once as an expired or used link does, never why. Scoped like renewAccessPackageLink: without controllerId the person's package, with it the package returned to that controller (R6). A revoked package cannot be renewed. The request keeps its state.",
  })
  async revokeAccessPackage(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('reason', () => String, { description: 'Why (kept on the package, shown to handlers; not in the audit log).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('controllerId', () => String, { nullable: true, description: 'R6: the controller whose returned package is revoked.' })
    controllerId?: string | null,
  ): Promise<DataSubjectRequest> {
    return requestView(await ctx.services.requests.approval.revokeAccessPackage(requestId, principalOf(ctx), controllerId ?? null, reason));
  }

  // ---- nested fields ----

  @Authorized('request:read')
  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'The binding due date: the extended one if granted.' })
  effectiveDueAt(@Root() r: DataSubjectRequest): Date | null {
    return r.extendedDueAt ?? r.dueAt;
  }

  @Authorized('request:read')
  @FieldResolver(() => DeadlineStanding, {
    description: 'The answer deadline (R4/R5): ON_TIME, DUE_SOON, OVERDUE; NOT_STARTED before verification; CLOSED once finished.',
  })
  deadlineStanding(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): DeadlineStanding {
    return classifyDeadlines(r.entity as never, new Date(), ctx.services.requests.settings.deadlines).answer as DeadlineStanding;
  }

  @Authorized('request:read')
  @FieldResolver(() => ExtensionNotice, {
    nullable: true,
    description: 'R5: the notice of the extension to send the person (null when the deadline was not extended).',
  })
  extensionNotice(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): ExtensionNotice | null {
    const e = r.entity;
    if (!e.extendedDueAt || !e.dueAt) return null;
    const reason = e.extensionReason ?? '';
    const letter = extensionNoticeLetter({
      requestId: e.id,
      requestType: e.type as RequestType,
      receivedAt: e.receivedAt,
      dueAt: e.dueAt,
      extendedDueAt: e.extendedDueAt,
      reason,
      timeZone: jurisdictionOf(e.jurisdiction, ctx.services.requests.settings.deadlines).timeZone,
    });
    return { extendedDueAt: e.extendedDueAt, reason, letter, sentAt: e.extensionNoticeSentAt, sentBy: e.extensionNoticeSentBy };
  }

  @Authorized('request:read')
  @FieldResolver(() => DeadlineStanding, { description: 'The acknowledgement deadline (R3).' })
  acknowledgementStanding(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): DeadlineStanding {
    return classifyDeadlines(r.entity as never, new Date(), ctx.services.requests.settings.deadlines).acknowledgement as DeadlineStanding;
  }

  @Authorized('request:read')
  @FieldResolver(() => [String], { description: 'State-machine events allowed now (which actions apply).' })
  allowedEvents(@Root() r: DataSubjectRequest): string[] {
    return allowedEvents(stateOf(r.entity));
  }

  @Authorized('request:read')
  @FieldResolver(() => Boolean, {
    description:
      'Whether you may act on the whole request (execute, retry, extend, acknowledge, hold, resume, cancel, reject, renew or revoke the package, ' +
      'waive or search again unsearched sources, record the certificate agreement or an inaccuracy finding): you see every record of it ' +
      'and every source not searched yet. False when it holds records or unsearched sources of controllers outside your key; those acts ' +
      'are then refused (FORBIDDEN). The same check those mutations make.',
  })
  viewerSeesWholeRequest(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return seesWhole(ctx, r);
  }

  @Authorized('request:read')
  @FieldResolver(() => [String], {
    description:
      'Controllers whose records the request touches (and whose handler received it); to a key bound to controllers, only those among its own: another controller holding data of the person is not told.',
  })
  controllerIds(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): string[] {
    const principal = principalOf(ctx);
    return r.controllerIds.filter((c) => canSeeController(principal, c));
  }

  @Authorized('request:read')
  @FieldResolver(() => [ID], { description: 'Other requests whose subject shares an identifier (keyed blind index): reported, never merged.' })
  async possibleDuplicateOf(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const ids = r.entity.possibleDuplicateOf;
    if (!ids.length) return [];
    const others = await childLoaders(ctx).controllersOf.loadMany(ids);
    return others.flatMap((o) => (o && !(o instanceof Error) && canSeeRequest(principalOf(ctx), o) ? [o.id] : []));
  }

  @Authorized('request:read')
  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'False when a source you may see failed or timed out at verification (and was not searched since): the snapshot is partial.',
  })
  async discoveryComplete(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<boolean | null> {
    const outcome = r.entity.discoveryOutcome;
    if (!outcome) return null;
    const principal = principalOf(ctx);
    if (outcome.complete || isUnscoped(principal)) return outcome.complete;
    // R13, as sourceOutcomes: a source the principal may not see is not named, nor is its failure told.
    return (await sourcesSeenBy(ctx, principal, unsearchedSources(outcome))).length === 0;
  }

  @Authorized('request:read')
  @FieldResolver(() => SourcesNotSearched, {
    nullable: true,
    description: 'R1: the handler’s decision to execute without the sources that could not be searched (proceedWithoutSources).',
  })
  async sourcesNotSearched(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<SourcesNotSearched | null> {
    const d = r.entity.discoveryOutcome?.notSearched;
    if (!d) return null;
    // R13, as sourceOutcomes: a scoped principal is told only of the sources it may see; when
    // it may see none of them, of no decision at all.
    const principal = principalOf(ctx);
    const sourceIds = isUnscoped(principal) ? d.sourceIds : await sourcesSeenBy(ctx, principal, d.sourceIds);
    return sourceIds.length ? { ...d, sourceIds, at: new Date(d.at) } : null;
  }

  @Authorized('request:read')
  @FieldResolver(() => [SnapshotSourceOutcome], { description: 'How each source answered at verification (or when searched again).' })
  async sourceOutcomes(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<SnapshotSourceOutcome[]> {
    const outcomes = (r.entity.discoveryOutcome?.sources ?? []) as SnapshotSourceOutcome[];
    const principal = principalOf(ctx);
    if (isUnscoped(principal)) return outcomes;
    // R13, as discovery answers a scoped principal: sources it may not see are not named, and a
    // source's count holds only the records it may see (the others' existence is not told).
    const { visibleRecords } = await childrenOf(ctx, r.id);
    const named = new Set(
      await sourcesSeenBy(
        ctx,
        principal,
        outcomes.map((o) => o.sourceId),
      ),
    );
    return outcomes.filter((o) => named.has(o.sourceId)).map((o) => ({ ...o, records: visibleRecords.filter((x) => x.sourceId === o.sourceId).length }));
  }

  @Authorized('request:read')
  @FieldResolver(() => [RequestedCorrection], { description: 'RECTIFICATION: the corrections asked for, field and reason (values stay encrypted).' })
  corrections(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): RequestedCorrection[] {
    return ctx.services.requests.secrets.correctionsOf(r.entity).map(({ field, reason }) => ({ field, reason }));
  }

  @Authorized('request:read')
  @FieldResolver(() => InaccuracyFinding, { nullable: true, description: 'R14: the handler’s finding on the accuracy of the data (RECTIFICATION).' })
  inaccuracyFinding(@Root() r: DataSubjectRequest): InaccuracyFinding | null {
    const f = r.entity.inaccuracyFinding;
    return f ? { ...f, at: new Date(f.at), rejected: f.rejected.map((x) => ({ ...x })) } : null;
  }

  @Authorized('request:read')
  @FieldResolver(() => [RequestRecord], { description: 'The discovery snapshot saved at verification, with band and review state.' })
  async records(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<RequestRecord[]> {
    const { records, visibleRecords } = await childrenOf(ctx, r.id);
    return visibleRecords.map((x) => recordView({ ...x, parentRecordId: parentRecordIdFor(ctx.principal!, x, records) }));
  }

  @Authorized('request:read')
  @FieldResolver(() => [RecordDecision], { description: 'Per-record decisions of the records acted on (MATCH and confirmed).' })
  async decisions(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<RecordDecision[]> {
    const children = await childrenOf(ctx, r.id);
    return (await children.decisions()).filter(children.isVisible).map(decisionView);
  }

  @Authorized('request:read')
  @FieldResolver(() => [ControllerInstructionView])
  async controllerInstructions(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<ControllerInstructionView[]> {
    const children = await childrenOf(ctx, r.id);
    // Only the instructions of controllers whose records the principal sees.
    const visible = new Set(children.visibleRecords.flatMap((x) => (x.controllerId ? [instructionKey(x.sourceId, x.controllerId)] : [])));
    return (await childLoaders(ctx).instructions.load(r.id)).filter((i) => visible.has(instructionKey(i.sourceId, i.controllerId)));
  }

  @Authorized('request:read')
  @FieldResolver(() => [Task], { description: 'Queued actions (corrections, erasures, restrictions) and their state.' })
  async tasks(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<Task[]> {
    const children = await childrenOf(ctx, r.id);
    const tasks = (await children.tasks()).filter(children.isVisible);
    // The request holding a task's record is named only to a caller whose scope covers it.
    const holders = [...new Set(tasks.flatMap((t) => (t.heldByRequestId ? [t.heldByRequestId] : [])))];
    const found = holders.length ? await childLoaders(ctx).controllersOf.loadMany(holders) : [];
    const visible = new Set(found.flatMap((o) => (o && !(o instanceof Error) && canSeeRequest(principalOf(ctx), o) ? [o.id] : [])));
    return tasks.map((t) => Object.assign(taskView(t), { heldByRequestId: t.heldByRequestId && visible.has(t.heldByRequestId) ? t.heldByRequestId : null }));
  }

  @Authorized('request:read')
  @FieldResolver(() => [RequestTransition], {
    description:
      'Every status change, oldest first. The reasons the gateway itself wrote (a closing’s failed tasks and unverified removals, by source and record) are null when you may not see the whole request.',
  })
  async transitions(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<RequestTransition[]> {
    return transitionsSeenBy(ctx, r);
  }

  @Authorized('request:read')
  @FieldResolver(() => AccessPackage, {
    nullable: true,
    description:
      "ACCESS requests (a child's too): the person's own package; null for other requests (an erasure's packages of records returned to their controllers are in returnedPackages), and when you may not see the whole request (every record and every source still unsearched).",
  })
  async accessPackage(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<AccessPackage | null> {
    if (!(await seesWhole(ctx, r))) return null;
    const pkg = await childLoaders(ctx).packages.load(r.id);
    if (!pkg) return null;
    const destroyed = pkg.destroyedAt !== null || pkg.retainUntil <= new Date();
    return {
      downloadUrl: r.issuedLink?.url ?? null,
      expiresAt: r.issuedLink?.expiresAt ?? pkg.expiresAt,
      downloadedAt: r.issuedLink ? null : pkg.downloadedAt,
      sha256: pkg.sha256,
      sizeBytes: pkg.sizeBytes,
      createdAt: pkg.createdAt,
      files: pkg.manifest.files ?? [],
      contents: pkg.contents,
      specialCategories: pkg.specialCategories,
      downloadAllowed: !destroyed && mayReceivePackage(pkg.specialCategories, can(principalOf(ctx), 'special-category:read')),
      retainUntil: pkg.retainUntil,
      destroyedAt: pkg.destroyedAt,
      destroyedReason: pkg.destroyedReason,
      revocationReason: pkg.revocationReason,
    };
  }

  @Authorized('request:read')
  @FieldResolver(() => [ReturnedPackage], {
    description: 'R6: erasures: the packages of records returned to their controllers, one per controller (only those of controllers whose records you see).',
  })
  async returnedPackages(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<ReturnedPackage[]> {
    const { visibleRecords } = await childrenOf(ctx, r.id);
    const controllers = new Set(visibleRecords.map((x) => x.controllerId));
    const packages = await ctx.services.stores.requests.returnedPackagesOf(r.id);
    return packages
      .filter((p) => controllers.has(p.controllerId))
      .map((p) => {
        const link = r.returnedLinks?.get(p.controllerId!) ?? null;
        return {
          controllerId: p.controllerId!,
          downloadUrl: link?.url ?? null,
          expiresAt: link?.expiresAt ?? p.expiresAt,
          sha256: p.sha256,
          sizeBytes: p.sizeBytes,
          createdAt: p.createdAt,
          downloadedAt: link ? null : p.downloadedAt,
          destroyedAt: p.destroyedAt,
          destroyedReason: p.destroyedReason,
          revocationReason: p.revocationReason,
        };
      });
  }

  @Authorized('request:read')
  @FieldResolver(() => ResponseSummary, { nullable: true, description: 'The answer to the person (null until the request closes, or outside your scope).' })
  async response(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<ResponseSummary | null> {
    // The answer names every source gone without: only for a principal who sees the whole request.
    if (!r.entity.response || !(await seesWhole(ctx, r))) return null;
    // Answers stored before the gaps (or the records no longer held) were recorded list none.
    const stored = reviveDates(r.entity.response) as { sources?: object[] };
    const sources = (stored.sources ?? []).map((s) => ({ notHeld: [], ...s }));
    return { notSearched: [], notVerified: [], ...stored, sources } as unknown as ResponseSummary;
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The stored summary is JSON: its ISO strings become dates again for DateTime fields. */
function reviveDates(value: unknown): unknown {
  if (typeof value === 'string' && ISO.test(value)) return new Date(value);
  if (Array.isArray(value)) return value.map(reviveDates);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveDates(v)]));
  return value;
}

/** Of these sources, those the principal may see (a source unregistered since: none bound to it). */
async function sourcesSeenBy(ctx: GraphQLContext, principal: Principal, sourceIds: readonly string[]): Promise<string[]> {
  const seen = await Promise.all(sourceIds.map(async (id) => canSeeSource(principal, (await requestScope(ctx).source(id)) ?? { controllerIds: [] })));
  return sourceIds.filter((_, i) => seen[i]);
}

/** `source: Source!` on the nested objects that name a source. */
async function sourceOf(ctx: GraphQLContext, sourceId: string): Promise<Source> {
  const entity = await requestScope(ctx).source(sourceId);
  if (entity) return sourceView(entity);
  // A source unregistered since: still named, so the history stays readable.
  return Object.assign(new Source(), {
    id: sourceId,
    name: sourceId,
    kind: SourceKind.OTHER,
    type: 'unknown',
    controllerIds: [],
    registeredBy: null,
    phoneCountry: null,
    phoneCountriesBefore: null,
    registeredAt: new Date(0),
    updatedAt: new Date(0),
  });
}

@Resolver(() => RecordDecision)
export class RecordDecisionFieldsResolver {
  @Authorized('request:read')
  @FieldResolver(() => Source)
  source(@Root() d: RecordDecision, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return sourceOf(ctx, d.sourceId);
  }
}

@Resolver(() => Task)
export class TaskFieldsResolver {
  @Authorized('request:read')
  @FieldResolver(() => Source)
  source(@Root() t: Task, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return sourceOf(ctx, t.sourceId);
  }
}

@Resolver(() => RequestRecord)
export class RequestRecordFieldsResolver {
  @Authorized('request:read')
  @FieldResolver(() => Source)
  source(@Root() r: RequestRecord, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return sourceOf(ctx, r.sourceId);
  }
}
