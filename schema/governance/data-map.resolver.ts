import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { currentDataMap } from '../../src/governance/data-map.service.js';
import type { GraphQLContext } from '../context.js';
import { DataMapView } from './data-map.types.js';

@Resolver()
export class DataMapResolver {
  @Authorized('governance:read')
  @Query(() => DataMapView, { description: 'The record of processing (Art. 30) of every registered source, with the gaps to close.' })
  dataMap(@Ctx() ctx: GraphQLContext): Promise<DataMapView> {
    return currentDataMap(ctx.services.sources, ctx.principal!);
  }
}
