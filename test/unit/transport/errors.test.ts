import { describe, expect, it } from 'vitest';
import { assertSucceeded, execChecked } from '../../../src/transport/checked.js';
import {
  BecomeError,
  HostKeyChangedError,
  RemoteCommandError,
  summarizeCommand,
  TransportError,
  isAuthFailure,
  UnreachableError,
} from '../../../src/transport/errors.js';
import type { ExecResult, Transport } from '../../../src/transport/types.js';

const ok: ExecResult = { stdout: 'x', stderr: '', code: 0, signal: null, timedOut: false };

describe('RemoteCommandError', () => {
  it('has a one-line shortMessage and the stderr tail in message, like execa', () => {
    const error = new RemoteCommandError({ host: 'pi1', command: '`nginx -t`', exitCode: 1, signal: null, timedOut: false, stderr: 'line1\nline2\n' });
    expect(error.shortMessage).toBe('`nginx -t` failed with exit code 1 on pi1');
    expect(error.message).toBe('`nginx -t` failed with exit code 1 on pi1\n    line1\n    line2');
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'REMOTE_COMMAND', host: 'pi1', exitCode: 1, timedOut: false, name: 'RemoteCommandError' });
  });

  it('says timed out / killed, and keeps only the end of a long stderr', () => {
    const long = 'x'.repeat(5000) + 'THE END';
    const timedOut = new RemoteCommandError({ host: 'h', command: 'c', exitCode: 124, signal: null, timedOut: true, stderr: long });
    expect(timedOut.shortMessage).toBe('c timed out on h');
    expect(timedOut.stderrTail.length).toBeLessThanOrEqual(2001);
    expect(timedOut.stderrTail.endsWith('THE END')).toBe(true);
    const killed = new RemoteCommandError({ host: 'h', command: 'c', exitCode: null, signal: 'SIGKILL', timedOut: false, stderr: '' });
    expect(killed.message).toBe('c was killed by SIGKILL on h');
  });

  it('summarizes a command to its first line', () => {
    expect(summarizeCommand('apt-get install -y nginx')).toBe('`apt-get install -y nginx`');
    expect(summarizeCommand('set -e\nrm -rf /tmp/x')).toBe('`set -e …`');
    expect(summarizeCommand('a'.repeat(100))).toBe('`' + 'a'.repeat(80) + ' …`');
  });
});

describe('checked execution', () => {
  const fake = (result: ExecResult): Transport => ({
    name: 'pi7',
    roundTrips: 0,
    connections: 1,
    exec: async () => result,
    close: async () => undefined,
  });

  it('passes a success through', async () => {
    expect(assertSucceeded('h', 'true', ok)).toBe(ok);
    await expect(execChecked(fake(ok), 'true')).resolves.toBe(ok);
  });

  it('throws with the label rather than the command, so a secret in it never shows', async () => {
    const failed = { ...ok, code: 2, stderr: 'boom' };
    const error = await execChecked(fake(failed), 'echo KEY=abc | tee /etc/x', { label: 'write /etc/x', hint: 'look at /etc/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCommandError);
    expect((error as Error).message).toBe('write /etc/x failed with exit code 2 on pi7\n    boom\nlook at /etc/x');
    expect((error as Error).message).not.toContain('abc');
  });

  it('treats a timeout or a signal as failure even with code 0', () => {
    expect(() => assertSucceeded('h', 'c', { ...ok, timedOut: true })).toThrow(/timed out/);
    expect(() => assertSucceeded('h', 'c', { ...ok, code: null, signal: 'SIGTERM' })).toThrow(/killed by SIGTERM/);
  });
});

describe('errors say what to do', () => {
  it('HostKeyChangedError quotes the name for the shell', () => {
    const error = new HostKeyChangedError({
      knownHostsName: '[10.0.0.5]:2222',
      presentedKeyType: 'ssh-ed25519',
      presentedFingerprint: 'SHA256:new',
      expected: [{ keyType: 'ssh-ed25519', fingerprint: 'SHA256:old', file: '/home/u/my hosts', line: 3 }],
      writeFile: '/home/u/my hosts',
    });
    expect(error.fixCommand).toBe(`ssh-keygen -R '[10.0.0.5]:2222' -f '/home/u/my hosts'`);
    expect(error.message).toContain('expected:  SHA256:old (ssh-ed25519) from /home/u/my hosts:3');
    expect(error.message).toContain('presented: SHA256:new (ssh-ed25519)');
    expect(error.message).toContain(`accept it deliberately: ${error.fixCommand}  then re-run orbis.`);
  });

  it('BecomeError names the host and the way out', () => {
    expect(new BecomeError('pi@kitchen', 'password-required').message).toBe(
      'sudo on pi@kitchen requires a password\nuse --ask-become-pass, or configure NOPASSWD for this user in /etc/sudoers.d/ on the host',
    );
    expect(new BecomeError('h', 'not-allowed').message).toMatch(/usermod -aG sudo/);
  });

  it('UnreachableError carries the reason and the keys tried', () => {
    const error = new UnreachableError({ host: 'pi', port: 22, reason: 'auth', detail: 'd', hint: 'h', keysTried: ['/k'] });
    // The host answered: a refused login is not said as "cannot reach"
    expect(error).toMatchObject({ code: 'UNREACHABLE', reason: 'auth', keysTried: ['/k'], detail: 'd', message: 'pi (port 22) refused the login: d\nh' });
    expect(isAuthFailure(error)).toBe(true);
    const refused = new UnreachableError({ host: 'pi', port: 22, reason: 'refused', detail: 'connection refused', hint: 'h' });
    expect(refused.message).toBe('cannot reach pi (port 22): connection refused\nh');
    expect(isAuthFailure(refused)).toBe(false);
  });
});
