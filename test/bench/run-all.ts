// `npm run bench`: every benchmark, one child process each (each prints its own figures;
// the last line of each is one JSON object). Arguments after -- go to every benchmark.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const BENCHES = ['identity-resolution.js', 'discovery.js', 'erasure.js', 'reports.js'];
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench.replace(/\.js$/, '')} ==`);
  const run = spawnSync(process.execPath, [path.join(here, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
