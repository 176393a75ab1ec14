// Gathers every registered source (removed ones aside) for the data map; the rules are in data-map.ts.
import type { SourceRegistry } from '../sources/source-registry.js';
import { buildDataMap, type DataMap, type DataMapSource } from './data-map.js';

export async function currentDataMap(sources: SourceRegistry, now: Date = new Date()): Promise<DataMap> {
  const registered = await sources.listRegistered();
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
