// Gathers the registered sources (removed ones aside) the principal may see for the data
// map, as `sources` lists them; the rules are in data-map.ts.
import { canSeeSource, type Principal } from '../auth/index.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { buildDataMap, type DataMap, type DataMapSource } from './data-map.js';

export async function currentDataMap(sources: SourceRegistry, principal: Principal, now: Date = new Date()): Promise<DataMap> {
  const registered = (await sources.listRegistered()).filter((s) => canSeeSource(principal, s));
  const described: DataMapSource[] = await Promise.all(
    registered.map(async (s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      status: s.status,
      controllerIds: s.controllerIds ?? [],
      ...(await sources.abilities(s.id)),
      description: await sources.describe(s.id),
    })),
  );
  return buildDataMap(described, now);
}
