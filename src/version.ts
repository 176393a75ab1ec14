import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding the gateway's package.json. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'dsr-gateway') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of dsr-gateway not found above ' + import.meta.url);
    dir = parent;
  }
})();

export const version: string = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;
