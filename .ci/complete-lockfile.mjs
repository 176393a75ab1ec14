// Adds lock entries for platform packages the registry this project installs from does
// not serve (msgpackr-extract's darwin/win32/arm builds answer 404 there). npm leaves them
// out of the lock when it cannot fetch them, and `npm ci` then refuses the lock as out of
// sync. The entries are optional and platform-bound, so on other platforms npm skips them.
// Run after `npm install` changes package-lock.json: node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const extract = lock.packages['node_modules/msgpackr-extract'];
let added = 0;
for (const [name, version] of Object.entries(extract?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, os, cpu] = name.match(/msgpackr-extract-([a-z0-9]+)-([a-z0-9]+)$/) ?? [];
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: ${added} entr${added === 1 ? 'y' : 'ies'} added`);
