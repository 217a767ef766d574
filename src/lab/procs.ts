// Finding and ending a lab's processes, including those a killed run left behind: a
// supervisor or systemd-nspawn (their command line names the host directory) and a container
// whose nspawn died. A container lives in its own mount namespace, where /proc/PID/root reads
// as "/"; what gives it away is its root overlay, whose upperdir lies in the host directory.
import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { isAlive } from './lock.js';
import { sleep } from './exec.js';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  /** The process's mount namespace (`mnt:[inode]`). */
  mountNs: string;
}

export async function listProcesses(): Promise<ProcessInfo[]> {
  const entries = await readdir('/proc');
  const result: ProcessInfo[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (entry) => {
        const pid = Number(entry);
        if (pid === process.pid) return;
        const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        const mountNs = await readlink(`/proc/${entry}/ns/mnt`).catch(() => '');
        result.push({ pid, cmdline: cmdline.split('\0').join(' ').trim(), mountNs });
      }),
  );
  return result;
}

/**
 * Processes that belong to a directory: their command line mentions it, or they run in a
 * mount namespace whose mounts come from it (a container on one of its overlays).
 */
export async function processesUnder(dir: string): Promise<ProcessInfo[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const own = await readlink('/proc/self/ns/mnt').catch(() => '');
  const all = await listProcesses();
  const verdicts = new Map<string, boolean>(); // per mount namespace: read its mounts once
  const result: ProcessInfo[] = [];
  for (const p of all) {
    if (p.cmdline.includes(prefix)) {
      result.push(p);
      continue;
    }
    if (!p.mountNs || p.mountNs === own) continue;
    let inside = verdicts.get(p.mountNs);
    if (inside === undefined) {
      const mounts = await readFile(`/proc/${p.pid}/mountinfo`, 'utf8').catch(() => '');
      inside = mounts.includes(`upperdir=${prefix}`);
      verdicts.set(p.mountNs, inside);
    }
    if (inside) result.push(p);
  }
  return result;
}

/** SIGTERM, a grace period, then SIGKILL whatever is left. Resolves once all are gone. */
export async function terminate(pids: readonly number[], graceMs: number): Promise<void> {
  const targets = pids.filter((pid) => pid > 1 && pid !== process.pid);
  for (const pid of targets) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && targets.some(isAlive)) await sleep(100);
  const left = targets.filter(isAlive);
  for (const pid of left) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 10_000;
  while (Date.now() < killDeadline && left.some(isAliveNotZombie)) await sleep(50);
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAliveNotZombie(pid: number): boolean {
  if (!isAlive(pid)) return false;
  // A zombie (killed, not yet reaped by its parent) still answers kill(0); it holds nothing.
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
