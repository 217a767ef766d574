import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  buildRemoteCommand,
  looksTimedOut,
  sudoNeedsPassword,
  sudoNotAllowed,
  sudoRejectedPassword,
  sudoStdin,
} from '../../../src/transport/remote-command.js';
import { Semaphore } from '../../../src/transport/semaphore.js';

describe('buildRemoteCommand', () => {
  it.each([
    ['none', `LC_ALL=C.UTF-8 timeout --kill-after=5s 30 bash -c 'echo "$HOME"'`],
    ['noninteractive', `LC_ALL=C.UTF-8 sudo -n -- timeout --kill-after=5s 30 bash -c 'echo "$HOME"'`],
    ['password', `LC_ALL=C.UTF-8 sudo -S -p '' -k -- timeout --kill-after=5s 30 bash -c 'echo "$HOME"'`],
  ] as const)('%s', (sudo, expected) => {
    expect(buildRemoteCommand('echo "$HOME"', { timeoutSec: 30, sudo })).toBe(expected);
  });

  it('keeps any command intact through the outer shell', () => {
    const tricky = `printf '%s|' "a b" 'c'"'"'d' $'\\t' \`echo x\` $(echo y); echo; exit 7`;
    const line = buildRemoteCommand(tricky, { timeoutSec: 5, sudo: 'none' });
    const direct = spawnCode(['bash', '-c', tricky]);
    const wrapped = spawnCode(['sh', '-c', line]);
    expect(wrapped).toEqual(direct);
    expect(wrapped.code).toBe(7);
  });

  it('refuses a non-positive timeout', () => {
    expect(() => buildRemoteCommand('true', { timeoutSec: 0, sudo: 'none' })).toThrow(RangeError);
    expect(() => buildRemoteCommand('true', { timeoutSec: Number.NaN, sudo: 'none' })).toThrow(RangeError);
  });
});

function spawnCode(argv: string[]): { stdout: string; code: number } {
  try {
    return { stdout: execFileSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' }), code: 0 };
  } catch (error) {
    const e = error as { stdout: string; status: number };
    return { stdout: e.stdout, code: e.status };
  }
}

describe('sudo answers', () => {
  const r = (code: number | null, stderr: string, stdout = '') => ({ code, stderr, stdout });

  it('recognises only sudo’s own "password required" refusal', () => {
    expect(sudoNeedsPassword(r(1, 'sudo: a password is required\n'))).toBe(true);
    expect(sudoNeedsPassword(r(1, 'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n'))).toBe(true);
    expect(sudoNeedsPassword(r(1, 'sudo: a password is required\n', 'output'))).toBe(false);
    expect(sudoNeedsPassword(r(2, 'sudo: a password is required\n'))).toBe(false);
    expect(sudoNeedsPassword(r(1, 'other\nsudo: a password is required\n'))).toBe(false);
  });

  it('recognises a rejected password and a user without sudo rights', () => {
    expect(sudoRejectedPassword(r(1, 'Sorry, try again.\nsudo: 1 incorrect password attempt\n'))).toBe(true);
    expect(sudoRejectedPassword(r(1, 'Sorry, try again.\nSorry, try again.\nsudo: 3 incorrect password attempts\n'))).toBe(true);
    expect(sudoRejectedPassword(r(1, 'Sorry, try again.\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n'))).toBe(true);
    expect(sudoRejectedPassword(r(1, 'E: Unable to locate package\n'))).toBe(false);
    expect(sudoNotAllowed(r(1, 'pi is not in the sudoers file.  This incident will be reported.\n'))).toBe(true);
    expect(sudoNotAllowed(r(1, 'sudo: pi is not in the sudoers file.\n'))).toBe(true);
    expect(sudoNotAllowed(r(0, ''))).toBe(false);
  });

  it('puts the password line before the caller’s stdin and refuses a multi-line password', () => {
    expect(sudoStdin('pw', 'data').toString()).toBe('pw\ndata');
    expect(sudoStdin('pw', Buffer.from([0, 1])).equals(Buffer.from([0x70, 0x77, 0x0a, 0, 1]))).toBe(true);
    expect(sudoStdin('pw', undefined).toString()).toBe('pw\n');
    expect(() => sudoStdin('a\nb', undefined)).toThrow(/line break/);
  });

  it('calls 124/137 a timeout only when the time is up', () => {
    expect(looksTimedOut(124, 10_000, 10)).toBe(true);
    expect(looksTimedOut(137, 15_000, 10)).toBe(true);
    expect(looksTimedOut(124, 50, 10)).toBe(false);
    expect(looksTimedOut(1, 20_000, 10)).toBe(false);
  });
});

describe('Semaphore', () => {
  it('never runs more than its limit, and serves waiters in order', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        semaphore.run(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(semaphore.inUse).toBe(0);
  });

  it('releases the slot when a task fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(semaphore.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('rejects a nonsense limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
