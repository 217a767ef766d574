import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * The package root (where package.json, roles/ and templates/ live), found by walking up from
 * wherever this code runs: `src/util/` (vitest), `dist/src/util/` (tsc's output) or the bundled
 * CLI's `dist/src/cli/chunks/` (scripts/build-cli.mjs) all sit inside the package.
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
