// Reaching lab hosts with the system OpenSSH client and the lab key: for readiness checks,
// for tests, and for anyone who wants a shell (`ssh $(...)`). Host keys are not pinned here:
// every lab host is new; the lab's known_hosts file is for code that wants to check them.
import type { RunResult } from './exec.js';
import { LabError, runAllowFailure, sleep } from './exec.js';

export interface SshTarget {
  address: string;
  port?: number;
  keyPath: string;
}

export interface SshOptions {
  user?: 'pi' | 'root';
  timeoutMs?: number;
  input?: string;
  connectTimeoutSeconds?: number;
}

export function sshArgs(target: SshTarget, user: string, connectTimeoutSeconds = 5): string[] {
  return [
    '-i', target.keyPath,
    '-p', String(target.port ?? 22),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'GlobalKnownHostsFile=/dev/null',
    // INFO, not ERROR: OpenSSH says why it gave up ("Timeout, server not responding",
    // "Connection closed by ...") at INFO; without it an ssh failure is a bare exit 255.
    '-o', 'LogLevel=INFO',
    '-o', `ConnectTimeout=${connectTimeoutSeconds}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=6',
    `${user}@${target.address}`,
  ];
}

/** Run one shell command line on a host; resolves whatever its exit code (255 = ssh failed). */
export async function sshRun(target: SshTarget, command: string, options: SshOptions = {}): Promise<RunResult> {
  const result = await runAllowFailure('ssh', [...sshArgs(target, options.user ?? 'pi', options.connectTimeoutSeconds), command], {
    timeoutMs: options.timeoutMs ?? 120_000,
    input: options.input,
    // The controller's locale may not exist on the host: apt and perl would warn about it.
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  // Every lab host is new to this client (known hosts: /dev/null): that notice is noise.
  return { ...result, stderr: result.stderr.replace(/^Warning: Permanently added .* to the list of known hosts\.\r?\n/gm, '') };
}

export type BootState = 'running' | 'degraded' | 'starting' | 'unreachable' | string;

/** `systemctl is-system-running` over SSH as root, or `unreachable` when SSH does not answer. */
export async function bootState(target: SshTarget, timeoutMs = 15_000): Promise<BootState> {
  const result = await sshRun(target, 'systemctl is-system-running', { user: 'root', timeoutMs, connectTimeoutSeconds: 3 });
  if (result.exitCode === 255 || result.timedOut || result.exitCode === null) return 'unreachable';
  return result.stdout.trim() || 'unreachable';
}

/**
 * Wait until the host answers SSH and systemd has finished booting (running or degraded,
 * the latter meaning some unit failed but the system is up, as on many real Pis).
 */
export async function waitForBoot(
  target: SshTarget & { name: string },
  timeoutMs: number,
  diagnostics?: () => Promise<string>,
  /** False once the container is gone for good: stop waiting at once. */
  stillRunning?: () => boolean,
): Promise<BootState> {
  const deadline = Date.now() + timeoutMs;
  let last: BootState = 'unreachable';
  while (Date.now() < deadline) {
    if (stillRunning && !stillRunning()) {
      const details = diagnostics ? await diagnostics().catch(() => '') : '';
      throw new LabError(
        `lab host ${target.name} (${target.address}) stopped while booting${details ? `\n${details}` : ''}`,
        'see its console log in the lab directory (hosts/<name>/console.log)',
      );
    }
    last = await bootState(target);
    if (last === 'running' || last === 'degraded') return last;
    await sleep(last === 'unreachable' ? 250 : 500);
  }
  const details = diagnostics ? await diagnostics().catch(() => '') : '';
  throw new LabError(
    `lab host ${target.name} (${target.address}) did not finish booting within ${Math.round(timeoutMs / 1000)} s (last state: ${last})${
      details ? `\n${details}` : ''
    }`,
    'see its console log in the lab directory (hosts/<name>/console.log); arm64 hosts boot slower under emulation',
  );
}
