// How a person runs this very CLI, for the commands orbis prints for them to run next: `orbis`
// when it is installed on the PATH under that name, else `node <path to main.js>` (relative
// when they are in the checkout, as after `npm ci`).
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

export function orbisCommandWords(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const main = process.argv[1] ?? 'dist/src/cli/main.js';
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d.length > 0)) {
    const candidate = join(dir, 'orbis');
    if (existsSync(candidate) && real(candidate) === real(main)) return ['orbis'];
  }
  const path = relative(cwd, main);
  return ['node', path === '' || path.startsWith('..') ? main : path];
}
