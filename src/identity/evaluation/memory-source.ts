// An in-memory source for evaluation and tests: records indexed by blocking key in a Map,
// answering DiscoveryQuery batches the way a connector's discover() does (by key, never a scan).
import type { DiscoveryQuery, SourceRecord } from '../../../connectors/contract.js';
import { blockingKeysOf } from '../blocking.js';
import type { NormaliseOptions } from '../normalise/index.js';

export class MemorySource {
  private readonly index = new Map<string, SourceRecord[]>();
  size = 0;

  constructor(
    readonly id: string,
    private readonly normalise?: NormaliseOptions,
  ) {}

  add(record: SourceRecord): void {
    for (const key of blockingKeysOf(record.identifiers, this.normalise)) {
      const bucket = this.index.get(key);
      if (bucket) bucket.push(record);
      else this.index.set(key, [record]);
    }
    this.size++;
  }

  async discover(queries: DiscoveryQuery[]): Promise<SourceRecord[][]> {
    return queries.map((q) => {
      const found = new Map<string, SourceRecord>();
      for (const key of q.blockingKeys) {
        for (const r of this.index.get(key) ?? []) found.set(`${r.recordId}\u0000${r.relationship}`, r);
      }
      return [...found.values()];
    });
  }
}
