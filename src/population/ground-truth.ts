// The ground-truth file: which person each loaded record is about, so matching can be
// measured. CSV with a header: source,record_id,person_id.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface GroundTruthEntry {
  source: string;
  recordId: string;
  personId: string;
}

export class GroundTruthWriter {
  private constructor(private readonly stream: WriteStream) {}

  static async open(file: string): Promise<GroundTruthWriter> {
    const stream = createWriteStream(file, { encoding: 'utf8' });
    await once(stream, 'open');
    stream.write('source,record_id,person_id\n');
    return new GroundTruthWriter(stream);
  }

  async write(entry: GroundTruthEntry): Promise<void> {
    if (!this.stream.write(`${entry.source},${entry.recordId},${entry.personId}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export async function* readGroundTruth(file: string): AsyncGenerator<GroundTruthEntry> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (!line) continue;
    const [source, recordId, personId] = line.split(',');
    yield { source: source!, recordId: recordId!, personId: personId! };
  }
}
