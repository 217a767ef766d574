// shellcheck (Debian's, installed by .ci/run) on the Pi-side files and on scripts as sent. Missing
// shellcheck is a failure, not a skip: a check that cannot run must not pass.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { piDir } from '../../../src/pi/scripts.js';

function shellcheck(args: string[], input?: string): string {
  const r = spawnSync('shellcheck', args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`shellcheck cannot run (${r.error.message}): apt-get install shellcheck`);
  return `${r.stdout}${r.stderr}`;
}

/** What shellcheck says of a file of src/pi ('' when it is clean). */
export const shellcheckPiFile = (name: string): string => shellcheck([join(piDir(), name)]);

/**
 * What shellcheck says of a script as sent ('' when it is clean). Left out: SC2034 (assigned,
 * unused: a script is given every input its files may read), SC2016 and SC1003 (a single-quoted
 * value holding `$` or a quote: the inputs and call arguments are data quoted by shq, never code;
 * the files themselves are checked without exclusions).
 */
export const shellcheckSent = (script: string): string => shellcheck(['-s', 'bash', '-e', 'SC2034,SC2016,SC1003', '-'], script);
