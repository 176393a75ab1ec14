import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { requestReport } from '../../src/governance/request-report.service.js';
import { shareOf } from '../../src/governance/request-report.js';
import type { GraphQLContext } from '../context.js';
import { DateTimeScalar } from '../scalars.js';
import { RequestReportView } from './request-report.types.js';

@Resolver()
export class RequestReportResolver {
  @Authorized('governance:read')
  @Query(() => RequestReportView, {
    description:
      'Requests received, answered and open per type, channel and jurisdiction; timeliness; erasure outcomes per source; sources failing discovery. `to` is exclusive; at most 3 years (INVALID_REPORT_PERIOD). Refused to keys bound to controllers.',
  })
  async requestReport(
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RequestReportView> {
    const r = await requestReport(ctx.services.stores, ctx.principal!, { from, to });
    const t = r.timeliness;
    return {
      ...r,
      timeliness: {
        ...t,
        acknowledgedOnTimeShare: shareOf(t.acknowledgedOnTime, t.acknowledgementsDue),
        answeredOnTimeShare: shareOf(t.answeredOnTime, t.answered),
      },
    };
  }
}
