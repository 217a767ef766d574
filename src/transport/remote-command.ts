// The exact command line sent over SSH for a caller's command, and how to read sudo's answers.
// Pure, so the wrapping is tested without a server.
//
// Every command runs as `timeout --kill-after=5s N bash -c CMD`: ssh2 has no per-command timeout
// and a signal cannot reach a remote process, so the host itself must bound the command. Under
// sudo, `timeout` runs inside sudo so that it can kill root processes.
import { shq } from '../util/shell.js';

export const KILL_AFTER_SEC = 5;

/**
 * How to become root:
 * - `none`: run as the login user (no sudo asked, or already root);
 * - `noninteractive`: `sudo -n`, which fails at once (rather than hang) if a password is needed;
 * - `password`: `sudo -S -p '' -k`, the password being the first line of stdin. `-k` makes sudo
 *   ignore cached credentials so it ALWAYS reads that line: otherwise, with a cached timestamp, the
 *   password would flow into the command's own stdin.
 */
export type SudoMode = 'none' | 'noninteractive' | 'password';

/**
 * sudo's messages are parsed (`a password is required`), so sudo must speak English whatever the
 * host's locale. C.UTF-8 (built into glibc on every Debian since 11) keeps UTF-8 intact, like
 * Ansible's module_lang; it also makes every command's output locale-independent.
 */
const LOCALE = 'LC_ALL=C.UTF-8';

export function buildRemoteCommand(command: string, options: { timeoutSec: number; sudo: SudoMode }): string {
  const { timeoutSec } = options;
  if (!(Number.isFinite(timeoutSec) && timeoutSec > 0)) throw new RangeError(`timeoutSec must be a positive number, got ${timeoutSec}`);
  const bounded = `timeout --kill-after=${KILL_AFTER_SEC}s ${timeoutSec} bash -c ${shq(command)}`;
  switch (options.sudo) {
    case 'none':
      return `${LOCALE} ${bounded}`;
    case 'noninteractive':
      return `${LOCALE} sudo -n -- ${bounded}`;
    case 'password':
      return `${LOCALE} sudo -S -p '' -k -- ${bounded}`;
  }
}

/** stdin for `password` mode: the password line, then the caller's bytes. */
export function sudoStdin(password: string, stdin: string | Buffer | undefined): Buffer {
  if (/[\r\n]/.test(password)) throw new Error('a sudo password cannot contain a line break');
  const rest = stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin);
  return Buffer.concat([Buffer.from(`${password}\n`), rest]);
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `sudo -n` refused because it needs a password. Only sudo's exact message, alone on stderr with
 * exit 1 and no output, counts: then sudo did not run the command, and it is safe to run it again
 * with the password.
 */
export function sudoNeedsPassword(result: Outcome): boolean {
  return (
    result.code === 1 &&
    result.stdout === '' &&
    /^sudo: (a password is required|a terminal is required to read the password[^\n]*)\n?$/.test(result.stderr)
  );
}

/** `sudo -S` did not accept the password (it then read further lines of stdin as new attempts). */
export function sudoRejectedPassword(result: Outcome): boolean {
  return (
    result.code === 1 &&
    /(^|\n)Sorry, try again\.\n/.test(result.stderr) &&
    /sudo: (\d+ incorrect password attempts?|no password was provided)/.test(result.stderr)
  );
}

/** The password was right but the user may not use sudo (at all, or for this command). */
export function sudoNotAllowed(result: Outcome): boolean {
  return result.code === 1 && /^(sudo: )?\S+ is not (in the sudoers file|allowed to execute)/m.test(result.stderr);
}

/**
 * `timeout` exits 124 after sending TERM, 137 (128+KILL) when it had to KILL. A command could exit
 * with those codes by itself, so the elapsed time must also agree.
 */
export function looksTimedOut(code: number | null, elapsedMs: number, timeoutSec: number): boolean {
  return (code === 124 || code === 137) && elapsedMs >= timeoutSec * 1000 - 250;
}
