import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * The package root (where package.json, roles/ and templates/ live), found from this module's
 * location so it works both from `src/` (vitest) and from `dist/src/` (the compiled CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the orbis package root');
    dir = parent;
  }
}
