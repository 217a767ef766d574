// Run the compiled orbis CLI against lab hosts, as a user would: a real process, real SSH.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LabHost } from '../../../src/lab/index.js';
import { packageRoot } from '../../../src/util/paths.js';

export interface OrbisResult {
  stdout: string;
  stderr: string;
  code: number | null;
  /** stdout parsed when --json was given. */
  json?: OrbisJson;
}

export interface OrbisJson {
  hosts: Array<{
    name: string;
    status: string;
    changes: Array<{ role: string; type: string; name: string; summary: string; status: string; diff?: string; assumptions?: string[] }>;
    handlers: string[];
    verify: Array<{ name: string; status: string; value?: string; hint?: string }>;
    error?: { message: string; role?: string; resource?: string; hint?: string };
    roundTrips: number;
    connections: number;
    durationMs: number;
    phasesMs?: Record<'connect' | 'facts' | 'plan' | 'apt' | 'apply' | 'handlers' | 'verify', number>;
    onAir?: { streaming: boolean; offAir: string[]; upToSec: number; because: string[]; note?: string };
  }>;
  summary: Record<string, number>;
}

const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

/** Run `orbis ...args`; never rejects on a non-zero exit. */
export function orbis(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<OrbisResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        // null: killed (timeout or signal).
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        const result: OrbisResult = { stdout, stderr, code };
        if (args.includes('--json') && stdout.trim().startsWith('{')) result.json = JSON.parse(stdout) as OrbisJson;
        resolve(result);
      },
    );
  });
}

/**
 * What a run printed, for an assertion's message: stdout and stderr, then each host that did not
 * end well with its error last, where a truncated CI log (which keeps the tail) still shows it.
 */
export function transcript(result: OrbisResult): string {
  const failed = (result.json?.hosts ?? []).filter((h) => h.error || h.status === 'failed' || h.status === 'unreachable');
  const why = failed.map((h) => {
    const where = [h.error?.role, h.error?.resource].filter(Boolean).join(': ');
    return `  ${h.name} ${h.status}${where ? ` at ${where}` : ''}: ${h.error?.message ?? '(no error recorded)'}${h.error?.hint ? `\n    hint: ${h.error.hint}` : ''}`;
  });
  const tail = why.length > 0 ? `\n--- hosts that failed (exit ${String(result.code)}):\n${why.join('\n')}` : `\n--- exit ${String(result.code)}`;
  return `${result.stdout}\n${result.stderr}${tail}`;
}

/** Connection options for a lab host: its key, a known_hosts file of the test's own, no ~/.ssh/config. */
export function labConnection(host: Pick<LabHost, 'keyPath'>, knownHosts: string): string[] {
  return ['--key', host.keyPath, '--known-hosts', knownHosts, '--ssh-config', '/dev/null'];
}

/** `orbis provision pi@<host>` with lab connection options. */
export function provision(host: Pick<LabHost, 'address' | 'keyPath'>, knownHosts: string, args: string[] = [], env: Record<string, string> = {}): Promise<OrbisResult> {
  return orbis(['provision', `pi@${host.address}`, ...labConnection(host, knownHosts), ...args], { env });
}

/**
 * `orbis status --watch --json` running in the background: one report per line, kept as it
 * comes. stop() interrupts it (SIGINT, as Ctrl-C) and resolves with every report and the exit code.
 */
export function watchStatus(args: string[], options: { env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [CLI, 'status', '--watch', '--json', ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const reports: Array<Record<string, unknown> & { hosts: Array<Record<string, any>> }> = [];
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim().startsWith('{')) reports.push({ ...(JSON.parse(line) as typeof reports[number]), receivedAt: Date.now() });
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    reports,
    stderr: () => stderr,
    async stop(): Promise<{ reports: typeof reports; code: number | null; stderr: string }> {
      child.kill('SIGINT');
      const code = await exited;
      return { reports, code, stderr };
    },
  };
}
