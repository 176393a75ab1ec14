// Per-GraphQL-request state shared by every field of one operation: one DiscoveryLoaders
// (so aliased `subject` fields batch into one connector call per source per round) and
// memoised source lookups and health checks. Keyed by the context object, so it lives
// exactly as long as the request.
import type { DiscoveryLoaders } from '../../src/discovery/discovery-loaders.js';
import type { SourceHealth } from '../../src/sources/source-registry.js';
import type { SourceEntity } from '../../src/sources/source.entity.js';
import type { GraphQLContext } from '../context.js';

export interface RequestScope {
  loaders: DiscoveryLoaders;
  source(id: string): Promise<SourceEntity | null>;
  health(id: string): Promise<SourceHealth>;
}

const scopes = new WeakMap<GraphQLContext, RequestScope>();

export function requestScope(ctx: GraphQLContext): RequestScope {
  let scope = scopes.get(ctx);
  if (!scope) {
    const registry = ctx.services.sources;
    const sources = new Map<string, Promise<SourceEntity | null>>();
    const health = new Map<string, Promise<SourceHealth>>();
    const memo = <T>(map: Map<string, Promise<T>>, id: string, load: () => Promise<T>): Promise<T> => {
      let pending = map.get(id);
      if (!pending) map.set(id, (pending = load()));
      return pending;
    };
    scope = {
      loaders: ctx.services.discovery.createLoaders(),
      source: (id) => memo(sources, id, () => registry.find(id)),
      health: (id) => memo(health, id, () => registry.health(id)),
    };
    scopes.set(ctx, scope);
  }
  return scope;
}
