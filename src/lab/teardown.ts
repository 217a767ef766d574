// Removing a lab completely, including what a killed run left behind: the state file may be
// missing or stale, so everything is also found by name (processes and mounts under the lab
// directory, netns and links by prefix, iptables chains by name).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { harvestHostAptCache } from './apt-cache.js';
import type { LabLayout } from './config.js';
import { listLabRules, removeFirewall } from './firewall.js';
import { mountsUnder, removeTree, unmountUnder } from './mounts.js';
import { deleteLabNetwork, labLinks, labNetns } from './network.js';
import { processesUnder, terminate } from './procs.js';
import { readState } from './state.js';

export async function teardownLab(layout: LabLayout): Promise<void> {
  const state = await readState(layout).catch(() => undefined);
  // Supervisors first and all at once (each forwards SIGTERM to its nspawn, whose guest shuts
  // down); then whatever is left: an nspawn or a container orphaned by a killed run.
  const hosts = state ? [...Object.values(state.hosts), ...(state.ingestHost ? [state.ingestHost] : [])] : [];
  const underLab = await processesUnder(layout.dir);
  const supervisors = new Set([
    ...hosts.map((h) => h.supervisorPid).filter((pid): pid is number => pid !== undefined),
    ...underLab.filter((p) => p.cmdline.includes('supervise.sh')).map((p) => p.pid),
  ]);
  // Only pids still running a supervisor of this lab: a recorded pid may have been reused.
  const live = underLab.filter((p) => supervisors.has(p.pid)).map((p) => p.pid);
  if (live.length > 0) await terminate(live, 6_000);
  const left = await processesUnder(layout.dir);
  if (left.length > 0) await terminate(left.map((p) => p.pid), 2_000);

  await unmountUnder(layout.dir);
  for (const host of await readdir(layout.hostsDir).catch(() => [] as string[])) {
    await harvestHostAptCache(join(layout.hostsDir, host)).catch(() => undefined);
  }
  await deleteLabNetwork(layout);
  await removeFirewall(layout);
  await removeNspawnLeftovers(layout);
  await removeTree(layout.dir);
}

/** nspawn's per-machine directory, left in /run when nspawn is killed. */
async function removeNspawnLeftovers(layout: LabLayout): Promise<void> {
  const dir = '/run/systemd/nspawn/propagate';
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry.startsWith(layout.machinePrefix)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

export interface Leftovers {
  processes: string[];
  mounts: string[];
  netns: string[];
  links: string[];
  rules: string[];
}

/** Anything of this lab still on the machine (empty lists after a clean teardown). */
export async function findLeftovers(layout: LabLayout): Promise<Leftovers> {
  return {
    processes: (await processesUnder(layout.dir)).map((p) => `${p.pid} ${p.cmdline}`),
    mounts: await mountsUnder(layout.dir),
    netns: await labNetns(layout),
    links: await labLinks(layout),
    rules: await listLabRules(layout),
  };
}

export function isClean(leftovers: Leftovers): boolean {
  return Object.values(leftovers).every((list: string[]) => list.length === 0);
}
