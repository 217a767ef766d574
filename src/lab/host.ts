// One lab host's life: overlay root on the cached layers, identity, network namespace,
// supervised systemd-nspawn, readiness; and its removal, leaving nothing behind.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harvestHostAptCache, mountHostAptCache } from './apt-cache.js';
import type { LabArch, LabLayout } from './config.js';
import { hostDir } from './config.js';
import { LabError } from './exec.js';
import { isAlive } from './lock.js';
import { mountOverlay, removeTree, unmountUnder } from './mounts.js';
import { createHostLink, deleteHostLink } from './network.js';
import type { Bind } from './nspawn.js';
import type { HostIdentity } from './rootfs.js';
import { personalizeRoot } from './rootfs.js';
import { waitForBoot } from './ssh.js';
import type { LabHost, LabState } from './state.js';
import { stopHostProcesses, startSupervisor } from './supervise.js';

export interface HostPlan {
  name: string;
  role: 'pi' | 'ingest';
  arch: LabArch;
  address: string;
  /** Unique per lab, for the veth name. */
  index: number;
  /** Overlay lower layers, topmost first. */
  lowers: readonly string[];
  identity: HostIdentity;
  /** pi's password for a password-only host: written to the host's directory (0600), never logged. */
  password?: string;
  /** Role-specific files on the mounted root; returns extra binds for the container. */
  configure?: (root: string) => Promise<Bind[]>;
  bootTimeoutMs: number;
}

export interface HostPaths {
  dir: string;
  root: string;
  upper: string;
  work: string;
  consoleLog: string;
  pidFile: string;
}

export function hostPaths(layout: LabLayout, name: string): HostPaths {
  const dir = hostDir(layout, name);
  return {
    dir,
    root: join(dir, 'root'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    consoleLog: join(dir, 'console.log'),
    pidFile: join(dir, 'nspawn.pid'),
  };
}

/** The host record as it is known before boot. */
export function plannedHost(layout: LabLayout, state: LabState, plan: HostPlan): LabHost {
  const paths = hostPaths(layout, plan.name);
  return {
    name: plan.name,
    address: plan.address,
    user: 'pi',
    port: 22,
    keyPath: state.keyPath,
    arch: plan.arch,
    role: plan.role,
    status: 'starting',
    netns: `${layout.netnsPrefix}${plan.name}`,
    veth: `${layout.vethPrefix}${plan.index}`,
    root: paths.root,
    consoleLog: paths.consoleLog,
    hostKeys: [],
    createdAt: new Date().toISOString(),
  };
}

/**
 * Build and boot a host; resolves once it answers SSH with systemd up. On failure the host
 * is torn down again and the error says why (with the tail of its console).
 */
export async function bootHost(layout: LabLayout, state: LabState, plan: HostPlan): Promise<LabHost> {
  const host = plannedHost(layout, state, plan);
  const paths = hostPaths(layout, plan.name);
  const prefix = Number(state.subnet.split('/')[1]);
  try {
    await removeTree(paths.dir);
    await mkdir(paths.dir, { recursive: true });
    await mountOverlay({ lowers: plan.lowers, upper: paths.upper, work: paths.work, target: paths.root });
    await personalizeRoot(paths.root, plan.identity);
    if (plan.password !== undefined) {
      host.passwordFile = join(paths.dir, 'password');
      host.sudoAsksPassword = plan.identity.passwordOnly?.sudoAsksPassword ?? false;
      await writeFile(host.passwordFile, `${plan.password}\n`, { mode: 0o600 });
    }
    const binds: Bind[] = plan.configure ? await plan.configure(paths.root) : [];
    if (plan.role === 'pi') binds.push(await mountHostAptCache(paths.dir));
    await createHostLink(layout, {
      netns: host.netns,
      veth: host.veth,
      address: host.address,
      prefix,
      gateway: state.gateway,
    });
    host.supervisorPid = startSupervisor({
      spec: {
        root: paths.root,
        machine: `${layout.machinePrefix}${plan.name}`,
        hostname: plan.name,
        netns: host.netns,
        binds,
      },
      pidFile: paths.pidFile,
      consoleLog: paths.consoleLog,
    });
    const supervisorPid = host.supervisorPid;
    await waitForBoot(
      { name: plan.name, address: host.address, keyPath: state.keyPath },
      plan.bootTimeoutMs,
      () => consoleTail(paths.consoleLog),
      () => isAlive(supervisorPid),
    );
    host.hostKeys = await readHostKeys(paths.root);
    host.status = 'running';
    return host;
  } catch (error) {
    await destroyHost(layout, host).catch(() => undefined);
    if (error instanceof LabError) throw error;
    throw new LabError(`cannot start lab host ${plan.name}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** Stop a host and remove everything it had: processes, mounts, network, files. */
export async function destroyHost(layout: LabLayout, host: Pick<LabHost, 'name' | 'netns' | 'veth' | 'supervisorPid'>): Promise<void> {
  const paths = hostPaths(layout, host.name);
  await stopHostProcesses(paths.dir, host.supervisorPid);
  await unmountUnder(paths.dir);
  await harvestHostAptCache(paths.dir).catch(() => undefined);
  await deleteHostLink(host);
  await removeTree(paths.dir);
}

async function readHostKeys(root: string): Promise<string[]> {
  const keys: string[] = [];
  for (const type of ['ed25519', 'ecdsa', 'rsa']) {
    const file = join(root, `etc/ssh/ssh_host_${type}_key.pub`);
    if (!existsSync(file)) continue;
    const [algorithm, key] = (await readFile(file, 'utf8')).trim().split(/\s+/);
    if (algorithm && key) keys.push(`${algorithm} ${key}`);
  }
  return keys;
}

/** known_hosts lines for every host in the state (rewritten whenever hosts change). */
export async function writeKnownHosts(state: LabState): Promise<void> {
  const hosts = [...(state.ingestHost ? [state.ingestHost] : []), ...Object.values(state.hosts)];
  const lines = hosts.flatMap((h) => h.hostKeys.map((key) => `${h.address} ${key}`));
  await writeFile(state.knownHostsPath, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o644 });
}

async function consoleTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').trimEnd().split('\n').slice(-12);
  return lines.length ? `  last console lines (${path}):\n${lines.map((l) => `    ${l}`).join('\n')}` : '';
}
