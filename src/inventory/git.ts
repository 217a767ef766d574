// Is a file in git? Asked of git itself (`ls-files --error-unmatch`), from the file's own
// directory, so it works for inventories in any repository, or in none (then: not tracked).
import { spawnSync } from 'node:child_process';
import { basename, dirname } from 'node:path';

export function isTrackedByGit(file: string): boolean {
  const result = spawnSync('git', ['ls-files', '--error-unmatch', '--', basename(file)], {
    cwd: dirname(file),
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}
