// Bulk loading with COPY FROM STDIN (pg-copy-streams): rows are streamed with backpressure,
// so a million-person population never sits in memory.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { ident, qualified } from './sql.js';

export type CopyValue = string | number | boolean | Date | null | undefined;

function encode(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export interface CopyTarget {
  schema: string;
  table: string;
  columns: readonly string[];
}

/** One open COPY stream per table, each on its own connection. */
export class CopySink {
  private readonly streams = new Map<string, { client: pg.Client; stream: Writable; done: Promise<unknown>; buffer: string[] }>();
  private readonly rowCounts = new Map<string, number>();

  private constructor(private readonly targets: Map<string, CopyTarget>) {}

  static async open(url: string, targets: readonly CopyTarget[]): Promise<CopySink> {
    const sink = new CopySink(new Map(targets.map((t) => [t.table, t])));
    try {
      for (const target of targets) {
        const client = new pg.Client({ connectionString: url, application_name: 'dsr-population-loader' });
        await client.connect();
        const sql = `COPY ${qualified(target.schema, target.table)} (${target.columns.map(ident).join(', ')}) FROM STDIN`;
        const stream = client.query(copyFrom(sql));
        const done = new Promise((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        done.catch(() => undefined); // surfaced by close()
        sink.streams.set(target.table, { client, stream, done, buffer: [] });
        sink.rowCounts.set(target.table, 0);
      }
    } catch (error) {
      await sink.abort();
      throw error;
    }
    return sink;
  }

  /** Queues a row; flushes in chunks and waits for the server when it asks us to. */
  async push(table: string, row: Record<string, CopyValue>): Promise<void> {
    const target = this.targets.get(table);
    const open = this.streams.get(table);
    if (!target || !open) throw new Error(`no COPY stream for table ${table}`);
    open.buffer.push(target.columns.map((c) => encode(row[c])).join('\t') + '\n');
    this.rowCounts.set(table, (this.rowCounts.get(table) ?? 0) + 1);
    if (open.buffer.length >= 500) await this.flush(open);
  }

  private async flush(open: { stream: Writable; buffer: string[] }): Promise<void> {
    if (open.buffer.length === 0) return;
    const chunk = open.buffer.join('');
    open.buffer.length = 0;
    if (!open.stream.write(chunk)) await once(open.stream, 'drain');
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.rowCounts);
  }

  async close(): Promise<void> {
    try {
      for (const open of this.streams.values()) {
        await this.flush(open);
        open.stream.end();
      }
      for (const open of this.streams.values()) await open.done;
    } finally {
      for (const open of this.streams.values()) await open.client.end().catch(() => undefined);
      this.streams.clear();
    }
  }

  async abort(): Promise<void> {
    for (const open of this.streams.values()) {
      open.stream.destroy();
      await open.client.end().catch(() => undefined);
    }
    this.streams.clear();
  }
}
