// What e2e tests use to reach the shared lab (booted once per run by global-setup.ts): the
// lab's state, fresh hosts (cheap overlays), and running commands on hosts over SSH.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { addHost, loadLab, removeHost, sshRun } from '../../../src/lab/index.js';
import type { LabArch, LabHost, LabState } from '../../../src/lab/index.js';
import { shq } from '../../../src/util/shell.js';

/** The e2e lab has its own name and subnet, so a developer's `orbis lab up` is left alone. */
export const E2E_LAB_NAME = process.env.ORBIS_E2E_LAB_NAME ?? 'orbis-e2e';
export const E2E_LAB_SUBNET = process.env.ORBIS_E2E_LAB_SUBNET ?? '10.213.1.0/24';

export function getLab(): Promise<LabState> {
  return loadLab(E2E_LAB_NAME);
}

/**
 * A new host nobody else uses; give it back with releaseHost (e.g. in afterAll). `password`: like a
 * fresh Pi, pi logs in with the password in `passwordFile` only (the key then reaches root only).
 */
export function freshHost(options: { arch?: LabArch; name?: string; password?: boolean; sudoAsksPassword?: boolean } = {}): Promise<LabHost> {
  return addHost(E2E_LAB_NAME, options);
}

export async function releaseHost(host: LabHost | undefined): Promise<void> {
  if (host) await removeHost(E2E_LAB_NAME, host.name);
}

export interface HostCommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Run a shell command line on a host (as pi unless told); resolves whatever the exit code. */
export async function onHost(
  host: Pick<LabHost, 'address' | 'keyPath' | 'name'>,
  command: string,
  options: { user?: 'pi' | 'root'; timeoutMs?: number } = {},
): Promise<HostCommandResult> {
  const result = await sshRun(host, command, { user: options.user ?? 'pi', timeoutMs: options.timeoutMs ?? 120_000 });
  return { stdout: result.stdout, stderr: result.stderr, code: result.timedOut ? null : result.exitCode };
}

/**
 * Like onHost, but when SSH itself fails (exit 255: on a loaded machine the host may not answer
 * within ssh's connect timeout) the command is tried again, and after `attempts` an error is
 * thrown: a check that never ran must not read as "nothing found".
 */
export async function onHostSurely(
  host: Pick<LabHost, 'address' | 'keyPath' | 'name'>,
  command: string,
  options: { user?: 'pi' | 'root'; timeoutMs?: number; attempts?: number } = {},
): Promise<HostCommandResult> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    const result = await onHost(host, command, options);
    if (result.code !== 255 && result.code !== null) return result;
    if (attempt >= attempts) {
      throw new Error(`on ${host.name}: \`${command}\` could not run: ssh ${result.code === null ? 'timed out' : 'failed (exit 255)'} ${attempts} times\n${result.stderr.slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

/** Like onHost, but a non-zero exit fails with the command's output (for setup steps). */
export async function mustOnHost(
  host: Pick<LabHost, 'address' | 'keyPath' | 'name'>,
  command: string,
  options: { user?: 'pi' | 'root'; timeoutMs?: number } = {},
): Promise<string> {
  const result = await onHost(host, command, options);
  if (result.code !== 0) {
    throw new Error(
      `on ${host.name}: \`${command}\` exited ${String(result.code)}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`,
    );
  }
  return result.stdout;
}

export interface Recording {
  file: string;
  path: string;
  bytes: number;
}

/**
 * Recordings the ingest made of streams published with `key` (nginx-rtmp names them
 * `<key>-<time>.flv`). The recordings directory is bind-mounted from the controller, so a
 * test reads it directly.
 */
export async function recordingsFor(lab: LabState, platform: 'dlive' | 'kick', key: string): Promise<Recording[]> {
  const dir = lab.ingest[platform].recordingsDir;
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`${key}-`) && f.endsWith('.flv'));
  return Promise.all(
    files.map(async (file) => {
      const path = join(dir, file);
      return { file, path, bytes: (await stat(path)).size };
    }),
  );
}

/** apt-get install on a host, non-interactively, as the engine does. */
export function aptInstall(host: LabHost, packages: readonly string[], timeoutMs = 600_000): Promise<string> {
  return mustOnHost(
    host,
    `sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages.map(shq).join(' ')}`,
    { timeoutMs },
  );
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
