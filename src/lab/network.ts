// The lab's layer 2/3: one bridge on the controller, and per host a network namespace with a
// veth pair into the bridge, an address and a default route via the bridge.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { LabLayout } from './config.js';
import { LabError, run, runAllowFailure } from './exec.js';

const IP_HINT = 'the lab needs iproute2 and root (or CAP_NET_ADMIN)';

export async function createBridge(layout: LabLayout, gateway: string, prefix: number): Promise<void> {
  await run('ip', ['link', 'add', layout.bridge, 'type', 'bridge'], { hint: IP_HINT });
  await run('ip', ['addr', 'add', `${gateway}/${prefix}`, 'dev', layout.bridge], {
    hint: `is ${gateway}/${prefix} already used on this machine? choose another --subnet`,
  });
  await run('ip', ['link', 'set', layout.bridge, 'up'], { hint: IP_HINT });
}

export interface HostLink {
  netns: string;
  veth: string;
  address: string;
  prefix: number;
  gateway: string;
}

export async function createHostLink(layout: LabLayout, link: HostLink): Promise<void> {
  await run('ip', ['netns', 'add', link.netns], { hint: IP_HINT });
  // The peer is created directly inside the namespace, named eth0 as on a Pi.
  await run('ip', ['link', 'add', link.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', link.netns], {
    hint: IP_HINT,
  });
  await run('ip', ['link', 'set', link.veth, 'master', layout.bridge, 'up'], { hint: IP_HINT });
  const inNs = (args: string[]) => run('ip', ['-n', link.netns, ...args], { hint: IP_HINT });
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['addr', 'add', `${link.address}/${link.prefix}`, 'dev', 'eth0']);
  await inNs(['link', 'set', 'eth0', 'up']);
  await inNs(['route', 'add', 'default', 'via', link.gateway]);
  // IPv4 only: the forwarding policy is written for IPv4, so IPv6 is simply not there.
  await run('ip', ['netns', 'exec', link.netns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']).catch(
    () => undefined,
  );
}

export async function deleteHostLink(link: Pick<HostLink, 'netns' | 'veth'>): Promise<void> {
  await runAllowFailure('ip', ['link', 'del', link.veth]);
  await runAllowFailure('ip', ['netns', 'del', link.netns]);
}

/** Remove every netns and link of this lab, whether or not the state file knows them. */
export async function deleteLabNetwork(layout: LabLayout): Promise<void> {
  for (const netns of await labNetns(layout)) await runAllowFailure('ip', ['netns', 'del', netns]);
  for (const link of await labLinks(layout)) await runAllowFailure('ip', ['link', 'del', link]);
}

export async function labNetns(layout: LabLayout): Promise<string[]> {
  const entries = await readdir('/run/netns').catch(() => [] as string[]);
  return entries.filter((e) => e.startsWith(layout.netnsPrefix));
}

export async function labLinks(layout: LabLayout): Promise<string[]> {
  const result = await runAllowFailure('ip', ['-o', 'link', 'show']);
  return result.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => !!name && name.startsWith(`${layout.tag}-`));
}

/**
 * Kernel settings the lab needs. Only ever raised: another user of this machine may rely on
 * higher values. ip_forward is left on at teardown, since other labs or containers may use it.
 */
export async function prepareKernel(): Promise<void> {
  await writeSysctl('net/ipv4/ip_forward', 1, 'forwarding is what lets lab hosts reach the Debian mirror');
  // Each booted systemd takes several inotify instances; past ~18 hosts boots fail otherwise.
  await raiseSysctl('fs/inotify/max_user_instances', 4096);
  await raiseSysctl('fs/inotify/max_user_watches', 1_048_576);
}

async function raiseSysctl(key: string, minimum: number): Promise<void> {
  const current = Number.parseInt(await readFile(`/proc/sys/${key}`, 'utf8').catch(() => '0'), 10);
  if (current < minimum) await writeSysctl(key, minimum, 'lab hosts may fail to boot without it');
}

async function writeSysctl(key: string, value: number, why: string): Promise<void> {
  try {
    await writeFile(`/proc/sys/${key}`, `${value}\n`);
  } catch (error) {
    throw new LabError(`cannot set ${key.replace(/\//g, '.')}=${value}: ${(error as Error).message}`, `${why}; run as root`, {
      cause: error,
    });
  }
}
