// The demo population's CCTV rows: three cameras per site, visits, and the footage recorded
// while each visitor was there (30-minute segments, small files when a footage directory is given).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appearanceOf } from '../../src/population/appearance.js';
import { addMinutes, daysAgo, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import type { Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, digits, intBetween, pick } from '../../src/population/variation.js';

export const SITES = ['london-hq', 'paris-office', 'dubai-centre', 'singapore-hub'];

export function cameraId(site: string, n: number): string {
  return `CAM-${site}-${n}`;
}

export function* cameraRows(): Generator<GeneratedRow> {
  for (const site of SITES)
    for (let n = 1; n <= 3; n++) yield { table: 'cameras', row: { id: cameraId(site, n), site, label: ['Entrance', 'Reception', 'Car park'][n - 1]! } };
}

export async function* cctvRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'cctv', person.index);
  if (!chance(rng, 0.15)) return;
  const badge = `B${digits(rng, 6)}`;
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    const who = appearanceOf(rng, person);
    const site = pick(rng, SITES);
    const arrived = daysAgo(ctx, rng, 0, 120); // some past the 90-day limit, for the purge
    const left = addMinutes(arrived, intBetween(rng, 20, 240));
    yield {
      table: 'visits',
      personId: person.id,
      row: {
        id: ctx.nextId('VIS-'),
        badge_id: chance(rng, 0.9) ? badge : null,
        given_name: who.givenName,
        family_name: who.familyName,
        company: person.employer.name,
        host: `host-${intBetween(rng, 1, 30)}`,
        site,
        arrived_at: arrived,
        left_at: left,
        created_at: arrived,
        last_activity_at: left,
      },
    };
    // Footage of the entrance camera while the visitor was there, in 30-minute segments.
    const camera = cameraId(site, intBetween(rng, 1, 3));
    for (let start = new Date(Math.floor(arrived.getTime() / 1_800_000) * 1_800_000); start < left; start = addMinutes(start, 30)) {
      const segmentId = ctx.nextId('SEG-');
      const relative = path.join(site, camera, `${segmentId}.bin`);
      const content = `synthetic footage ${segmentId} ${camera} ${start.toISOString()}\n`;
      if (ctx.footageDir) {
        const full = path.join(ctx.footageDir, relative);
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
      }
      yield {
        table: 'segments',
        row: { id: segmentId, camera_id: camera, site, started_at: start, ended_at: addMinutes(start, 30), file_path: relative, bytes: content.length },
      };
    }
  }
}

/** Replaces only the per-site folders a seeding writes; nothing else in the directory is touched. */
export async function clearFootage(footageDir: string): Promise<void> {
  for (const site of SITES) await rm(path.join(footageDir, site), { recursive: true, force: true });
  await mkdir(footageDir, { recursive: true });
}
