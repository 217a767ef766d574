// Starting and stopping a lab host's supervisor (assets/supervise.sh): a detached process
// that outlives the command which started it (`orbis lab up`, vitest's global setup) and
// keeps the host running across reboots from inside the guest.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labAssetsDir } from './base.js';
import { LabError } from './exec.js';
import { isAlive } from './lock.js';
import { bootArgs, type BootSpec } from './nspawn.js';
import { processesUnder, terminate } from './procs.js';

export interface SupervisedHost {
  spec: BootSpec;
  /** Holds the current systemd-nspawn pid while it runs. */
  pidFile: string;
  consoleLog: string;
}

/** Start the supervisor; resolves with its pid once it is running. */
export function startSupervisor(host: SupervisedHost): number {
  const script = join(labAssetsDir(), 'supervise.sh');
  const out = openSync(host.consoleLog, 'a');
  try {
    const child = spawn('/bin/bash', [script, host.pidFile, host.consoleLog, ...bootArgs(host.spec)], {
      detached: true, // its own session: the caller's Ctrl-C or exit does not take the lab down
      stdio: ['ignore', out, out],
    });
    child.unref();
    if (child.pid === undefined) {
      throw new LabError(`cannot start the supervisor for ${host.spec.hostname}`, 'is /bin/bash installed?');
    }
    return child.pid;
  } finally {
    closeSync(out);
  }
}

export async function nspawnPid(pidFile: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/**
 * Stop a host: the supervisor first (so it does not relaunch), which forwards SIGTERM to
 * nspawn (the guest shuts down); then anything still running under the host directory,
 * including a container whose nspawn was killed in an earlier run.
 */
export async function stopHostProcesses(hostDir: string, supervisorPid: number | undefined, graceMs = 6_000): Promise<void> {
  if (supervisorPid !== undefined && isAlive(supervisorPid)) await terminate([supervisorPid], graceMs);
  const left = await processesUnder(hostDir);
  if (left.length > 0) await terminate(left.map((p) => p.pid), 2_000);
}
