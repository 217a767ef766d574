// The lab's programmatic API (used by `orbis lab`, the e2e tests and `orbis demo`):
//   labUp / labDown / labStatus / loadLab, and addHost / removeHost for fresh hosts.
// Everything a caller needs afterwards is in the state file, so any process can use the lab.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import type { BaseImage } from './base.js';
import { ensureBase, hostArch } from './base.js';
import { ensureContent, TEST_CID } from './btfs-standin/content.js';
import type { BtfsReleaseFile } from './btfs-standin/releases.js';
import {
  BTFS_DEFAULT_LAYOUT,
  BTFS_LAYOUTS,
  BTFS_RELEASE_TAG,
  BTFS_STANDIN_VERSION,
  ensureBtfsReleases,
} from './btfs-standin/releases.js';
import type { LabArch, LabLayout } from './config.js';
import {
  FIRST_PI_HOST_NUMBER,
  GATEWAY_HOST_NUMBER,
  INGEST_HOST_NUMBER,
  labLayout,
  labRootDir,
  resolveLabName,
  resolveLabSubnet,
  validateHostName,
} from './config.js';
import { LabError, run } from './exec.js';
import { installFirewall } from './firewall.js';
import { bootHost, destroyHost, writeKnownHosts, type HostPlan } from './host.js';
import {
  configureIngest,
  DLIVE_APPLICATION,
  ensureIngestLayer,
  INGEST_NAMES,
  KICK_APPLICATION,
  KICK_TLS_PORT,
  RTMP_PORT,
} from './ingest.js';
import { isAlive, withLock } from './lock.js';
import type { Mirror } from './mirror.js';
import { findMirror, findResolvers, resolveMirrorAddresses } from './mirror.js';
import { createBridge, prepareKernel } from './network.js';
import { ensureLabPki } from './pki.js';
import type { HostIdentity } from './rootfs.js';
import { bootState, sshRun } from './ssh.js';
import type { BtfsRelease, LabHost, LabState } from './state.js';
import { loadLab, readState, STATE_VERSION, updateState, writeState } from './state.js';
import { addressAt, capacity, contains, parseSubnet, type Subnet } from './subnet.js';
import { findLeftovers, isClean, teardownLab, type Leftovers } from './teardown.js';

export type Log = (message: string) => void;

export interface LabUpOptions {
  name?: string;
  subnet?: string;
  /** Pi-like hosts to start besides the ingest (default 0). */
  hosts?: number;
  /** Architecture of those hosts (default amd64). The ingest is always the controller's. */
  arch?: LabArch;
  /** Those hosts accept only a password for pi at first, like a fresh Pi (see AddHostOptions). */
  password?: boolean;
  /**
   * Also make sure the bases of these architectures are built, side by side with the others
   * (a cold arm64 base takes minutes: better during `up` than inside a test's timeout).
   */
  prepareArches?: LabArch[];
  log?: Log;
}

export interface AddHostOptions {
  /** Default: the first free `piN`. */
  name?: string;
  arch?: LabArch;
  /**
   * Like a Pi fresh from the imager: pi logs in with a (random) password only, no key of ours;
   * the password is in the host's `passwordFile`.
   */
  password?: boolean;
  /** With `password`: sudo asks pi for it too (no NOPASSWD rule). */
  sudoAsksPassword?: boolean;
  log?: Log;
}

const BOOT_TIMEOUT_MS: Record<'native' | 'emulated', number> = { native: 120_000, emulated: 420_000 };

/**
 * Start a lab (replacing whatever is left of one with the same name), with its ingest and
 * `hosts` Pi-like hosts. Resolves with the state once every host answers SSH.
 */
export async function labUp(options: LabUpOptions = {}): Promise<LabState> {
  const name = resolveLabName(options.name);
  const layout = labLayout(name);
  const subnet = parseSubnet(resolveLabSubnet(options.subnet));
  const count = options.hosts ?? 0;
  const arch = options.arch ?? 'amd64';
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(count) || count < 0 || count > capacity(subnet) - FIRST_PI_HOST_NUMBER) {
    throw new LabError(`cannot start ${count} hosts in ${subnet.cidr}`, 'use --hosts between 0 and the subnet\'s room');
  }
  if (process.getuid?.() !== 0) {
    throw new LabError('the lab needs root (mounts, network namespaces, iptables)', 'run it as root (sudo)');
  }

  await withLock(`${layout.lockPath}.lifecycle`, async () => {
    await assertSubnetFree(layout, subnet.cidr);
    log(`cleaning up any earlier lab "${name}"`);
    await withLock(layout.lockPath, () => teardownLab(layout), { what: `lab "${name}"` });

    const mirror = await findMirror();
    const arches = labArches({ hosts: count, arch, ...(options.prepareArches ? { prepareArches: options.prepareArches } : {}) });
    // Cache builds are independent: run them side by side (the arm64 base dominates cold).
    const [bases, releases, content] = await Promise.all([
      Promise.all(arches.map((a) => ensureBase(a, mirror, log))),
      ensureBtfsReleases(arches, log),
      ensureContent(log),
    ]);
    const hostBase = bases.find((b) => b.arch === hostArch()) as BaseImage;
    const ingestLayer = await ensureIngestLayer(hostBase, log);

    await mkdir(layout.dir, { recursive: true });
    await mkdir(layout.sshDir, { recursive: true, mode: 0o700 });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `orbis-lab-${name}`, '-f', layout.keyPath], {
      hint: 'the lab needs ssh-keygen (apt-get install openssh-client)',
    });
    const pki = await ensureLabPki(layout.pkiDir, name, [INGEST_NAMES.kick, INGEST_NAMES.http]);

    const [addresses, resolvers] = await Promise.all([resolveMirrorAddresses(mirror.hosts), findResolvers()]);
    const gateway = addressAt(subnet, GATEWAY_HOST_NUMBER);
    const ingestAddress = addressAt(subnet, INGEST_HOST_NUMBER);
    const httpUrl = `http://${INGEST_NAMES.http}`;
    const releaseUrl = (file: string) => `${httpUrl}/releases/${releases.downloadPath}/${file}`;
    const btfsRelease = (file: BtfsReleaseFile): BtfsRelease => ({
      arch: file.arch,
      file: file.file,
      url: releaseUrl(file.file),
      addressUrl: `http://${ingestAddress}/releases/${releases.downloadPath}/${file.file}`,
      sha256: file.sha256,
      sha256Url: `${releaseUrl(file.file)}.sha256`,
      bytes: file.bytes,
    });
    const state: LabState = {
      version: STATE_VERSION,
      name,
      subnet: subnet.cidr,
      gateway,
      bridge: layout.bridge,
      dir: layout.dir,
      createdAt: new Date().toISOString(),
      keyPath: layout.keyPath,
      publicKeyPath: `${layout.keyPath}.pub`,
      knownHostsPath: layout.knownHostsPath,
      caCertPath: pki.caCert,
      caHash: pki.caHash,
      mirror: { archive: mirror.archive, security: mirror.security, hosts: mirror.hosts, addresses, resolvers },
      firewall: { forwardChain: layout.forwardChain, natChain: layout.natChain },
      ingest: {
        name: 'ingest',
        address: ingestAddress,
        hostnames: { ...INGEST_NAMES },
        dlive: {
          url: `rtmp://${INGEST_NAMES.dlive}/${DLIVE_APPLICATION}`,
          application: DLIVE_APPLICATION,
          port: RTMP_PORT,
          recordingsDir: `${layout.recordingsDir}/dlive`,
        },
        kick: {
          url: `rtmps://${INGEST_NAMES.kick}:${KICK_TLS_PORT}/${KICK_APPLICATION}`,
          application: KICK_APPLICATION,
          port: KICK_TLS_PORT,
          tlsHost: INGEST_NAMES.kick,
          recordingsDir: `${layout.recordingsDir}/kick`,
        },
        httpUrl,
      },
      btfs: {
        version: BTFS_STANDIN_VERSION,
        testCid: TEST_CID,
        bootstrapUrl: `http://${INGEST_NAMES.btfsBootstrap}/btfs/`,
        releaseTag: BTFS_RELEASE_TAG,
        downloadBase: `${httpUrl}/releases/download/`,
        releases: Object.fromEntries(
          arches.flatMap((a) => {
            const files = releases.files[a];
            return files ? [[a, btfsRelease(files[BTFS_DEFAULT_LAYOUT])]] : [];
          }),
        ) as LabState['btfs']['releases'],
        layouts: Object.fromEntries(
          arches.flatMap((a) => {
            const files = releases.files[a];
            return files ? [[a, Object.fromEntries(BTFS_LAYOUTS.map((layout) => [layout, btfsRelease(files[layout])]))]] : [];
          }),
        ) as LabState['btfs']['layouts'],
        md5: { ...releases.md5 },
        sha256SumsUrl: releaseUrl('SHA256SUMS'),
        content: content.items.map((item) => ({ ...item })),
      },
      hosts: {},
      nextIndex: 1,
      nextHostNumber: FIRST_PI_HOST_NUMBER,
    };

    log(`creating the lab network ${subnet.cidr} (bridge ${layout.bridge})`);
    await prepareKernel();
    await createBridge(layout, gateway, subnet.prefix);
    await installFirewall(layout, { subnet: subnet.cidr, mirrorAddresses: addresses, resolvers });
    await writeState(layout, state);
    await writeKnownHosts(state);

    log('starting the ingest (stand-in DLive, Kick and BTFS network)');
    const identity = await hostIdentity(state);
    const ingestPlan: HostPlan = {
      name: 'ingest',
      role: 'ingest',
      arch: hostBase.arch,
      address: ingestAddress,
      index: 0,
      lowers: [ingestLayer.dir, hostBase.rootfs],
      identity: { ...identity, hostname: 'ingest' },
      configure: (root) =>
        configureIngest({
          root,
          pki,
          recordingsDir: layout.recordingsDir,
          releasesDir: releases.dir,
          contentDir: content.dir,
        }),
      bootTimeoutMs: BOOT_TIMEOUT_MS.native,
    };
    const starting = bootHost(layout, state, ingestPlan).then(async (ingest) => {
      await waitForIngestServices(ingest);
      await updateState(layout, async (s) => {
        s.ingestHost = ingest;
        await writeKnownHosts(s);
      });
    });
    const pis = Array.from({ length: count }, () => addHost(name, { arch, log, ...(options.password ? { password: true } : {}) }));
    const results = await Promise.allSettled([starting, ...pis]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  });
  return loadLab(name);
}

/**
 * The architectures a lab has: the controller's (the ingest runs it), its hosts', and those to
 * prepare. Their bases and BTFS releases are built, and only theirs: requirements.ts's
 * labPackages says what the controller needs for them.
 */
export function labArches(options: { hosts?: number; arch?: LabArch; prepareArches?: readonly LabArch[] }): LabArch[] {
  const hosts = (options.hosts ?? 0) > 0 ? [options.arch ?? 'amd64'] : [];
  return [...new Set<LabArch>([hostArch(), ...hosts, ...(options.prepareArches ?? [])])];
}

/** Stop and remove a lab, including leftovers of a killed run; throws if anything remains. */
export async function labDown(options: { name?: string; log?: Log } = {}): Promise<void> {
  const name = resolveLabName(options.name);
  const layout = labLayout(name);
  await withLock(`${layout.lockPath}.lifecycle`, async () => {
    options.log?.(`tearing down lab "${name}"`);
    await withLock(layout.lockPath, () => teardownLab(layout), { what: `lab "${name}"` });
    const left = await findLeftovers(layout);
    if (!isClean(left)) {
      throw new LabError(`lab "${name}" was not removed completely:\n${describeLeftovers(left)}`, 'run `orbis lab down` again; if it persists, remove these by hand');
    }
  });
}

export interface HostStatusLine {
  name: string;
  role: 'pi' | 'ingest';
  address: string;
  arch: LabArch;
  /** running | degraded | starting | unreachable | stopped | failed */
  state: string;
}

export interface LabStatus {
  name: string;
  up: boolean;
  subnet?: string;
  hosts: HostStatusLine[];
  leftovers?: Leftovers;
}

/** A lab that is up on this machine (its state file exists), as `lab status` names it. */
export interface LabUp {
  name: string;
  subnet: string;
  pis: number;
}

/**
 * Every lab up on this machine, by name (the demo's is orbis-demo, the tests' orbis-e2e, the
 * bench's orbis-bench): what to pass as --name when the default lab is not the one up.
 */
export async function labsUp(): Promise<LabUp[]> {
  const names = await readdir(labRootDir()).catch(() => [] as string[]);
  const labs: LabUp[] = [];
  for (const name of names.sort()) {
    const state = await readState(labLayout(name)).catch(() => undefined);
    if (state) labs.push({ name: state.name, subnet: state.subnet, pis: Object.keys(state.hosts).length });
  }
  return labs;
}

/** The lab's hosts and their live state (asks each over SSH). */
export async function labStatus(options: { name?: string } = {}): Promise<LabStatus> {
  const name = resolveLabName(options.name);
  const layout = labLayout(name);
  const state = await readState(layout);
  if (!state) {
    const leftovers = await findLeftovers(layout);
    return { name, up: false, hosts: [], ...(isClean(leftovers) ? {} : { leftovers }) };
  }
  const all = [...(state.ingestHost ? [state.ingestHost] : []), ...Object.values(state.hosts)];
  const hosts = await Promise.all(
    all.map(async (host): Promise<HostStatusLine> => {
      let live: string = host.status;
      if (host.status !== 'failed') {
        live =
          host.supervisorPid !== undefined && isAlive(host.supervisorPid)
            ? await bootState({ address: host.address, keyPath: state.keyPath }, 8_000)
            : 'stopped';
      }
      return { name: host.name, role: host.role, address: host.address, arch: host.arch, state: live };
    }),
  );
  return { name, up: true, subnet: state.subnet, hosts };
}

/** A fresh Pi-like host (an overlay on the cached base): resolves once it answers SSH. */
export async function addHost(lab: LabState | string | undefined, options: AddHostOptions = {}): Promise<LabHost> {
  const name = typeof lab === 'object' ? lab.name : resolveLabName(lab);
  const layout = labLayout(name);
  const arch = options.arch ?? 'amd64';
  if (options.name !== undefined) validateHostName(options.name);
  if (options.name === 'ingest') throw new LabError('"ingest" is the name of the lab\'s stand-in internet host', 'choose another name');

  // Reserve a name, an address and a link index under the lock; boot outside it.
  const { state, host } = await updateState(layout, (s) => {
    const subnet = parseSubnet(s.subnet);
    const hostName = options.name ?? nextFreeName(s);
    if (s.hosts[hostName]) throw new LabError(`lab "${name}" already has a host named ${hostName}`, 'choose another name, or removeHost it first');
    const number = nextFreeHostNumber(s, subnet);
    s.nextHostNumber = number + 1;
    const planned: LabHost = {
      name: hostName,
      address: addressAt(subnet, number),
      user: 'pi',
      port: 22,
      keyPath: s.keyPath,
      arch,
      role: 'pi',
      status: 'starting',
      netns: `${layout.netnsPrefix}${hostName}`,
      veth: `${layout.vethPrefix}${s.nextIndex}`,
      root: '',
      consoleLog: '',
      hostKeys: [],
      createdAt: new Date().toISOString(),
    };
    s.nextIndex++;
    s.hosts[hostName] = planned;
    return { state: structuredClone(s), host: planned };
  });

  try {
    options.log?.(`starting lab host ${host.name} (${arch}, ${host.address})`);
    const mirror: Mirror = { archive: state.mirror.archive, security: state.mirror.security, hosts: state.mirror.hosts };
    const base = await ensureBase(arch, mirror, options.log);
    const identity = await hostIdentity(state);
    const password = options.password ? randomBytes(12).toString('base64url') : undefined;
    if (password !== undefined) {
      identity.passwordOnly = {
        hash: await passwordHash(password),
        sudoAsksPassword: options.sudoAsksPassword ?? false,
        controllerAddress: state.gateway,
      };
    }
    const booted = await bootHost(layout, state, {
      ...(password === undefined ? {} : { password }),
      name: host.name,
      role: 'pi',
      arch,
      address: host.address,
      index: Number(host.veth.slice(layout.vethPrefix.length)),
      lowers: [base.rootfs],
      identity: { ...identity, hostname: host.name, emulated: arch !== hostArch() },
      bootTimeoutMs: arch === hostArch() ? BOOT_TIMEOUT_MS.native : BOOT_TIMEOUT_MS.emulated,
    });
    await updateState(layout, async (s) => {
      s.hosts[host.name] = booted;
      await writeKnownHosts(s);
    });
    return booted;
  } catch (error) {
    await updateState(layout, (s) => {
      delete s.hosts[host.name];
    }).catch(() => undefined);
    throw error;
  }
}

/** Stop a host and remove all of it (its packages downloaded join the shared apt cache). */
export async function removeHost(lab: LabState | string | undefined, hostName: string): Promise<void> {
  const name = typeof lab === 'object' ? lab.name : resolveLabName(lab);
  const layout = labLayout(name);
  const state = await loadLab(name);
  const host = state.hosts[hostName];
  if (!host) throw new LabError(`lab "${name}" has no host named ${hostName}`, `hosts: ${Object.keys(state.hosts).join(', ') || 'none'}`);
  await destroyHost(layout, host);
  await updateState(layout, async (s) => {
    delete s.hosts[hostName];
    await writeKnownHosts(s);
  });
}

/** crypt(3) SHA-512 hash of a password; the password goes to openssl on stdin, not in its argv. */
async function passwordHash(password: string): Promise<string> {
  const result = await run('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n`, hint: 'the lab needs openssl' });
  return result.stdout.trim();
}

async function hostIdentity(state: LabState): Promise<HostIdentity> {
  return {
    hostname: '',
    hostsEntries: [
      {
        address: state.ingest.address,
        names: [INGEST_NAMES.http, INGEST_NAMES.dlive, INGEST_NAMES.kick, INGEST_NAMES.btfsBootstrap],
      },
    ],
    authorizedKey: await readFile(state.publicKeyPath, 'utf8'),
    caCertPem: await readFile(state.caCertPath, 'utf8'),
    caHash: state.caHash,
  };
}

/**
 * Addresses are handed out in turn, not lowest-free: a fresh host never takes the address of
 * one just removed, so a known_hosts entry from an earlier host never meets a new host key
 * (a real new Pi is a new machine too). Wraps around when the subnet is used up.
 */
function nextFreeHostNumber(state: LabState, subnet: Subnet): number {
  const used = new Set(Object.values(state.hosts).map((h) => h.address));
  const last = capacity(subnet);
  const start = Math.max(FIRST_PI_HOST_NUMBER, state.nextHostNumber ?? FIRST_PI_HOST_NUMBER);
  for (let i = 0; i <= last - FIRST_PI_HOST_NUMBER; i++) {
    const number = FIRST_PI_HOST_NUMBER + ((start - FIRST_PI_HOST_NUMBER + i) % (last - FIRST_PI_HOST_NUMBER + 1));
    if (!used.has(addressAt(subnet, number))) return number;
  }
  throw new LabError(`lab "${state.name}" has no free address left in ${state.subnet}`, 'remove hosts you no longer need, or use a larger --subnet');
}

function nextFreeName(state: LabState): string {
  for (let n = 1; ; n++) if (!state.hosts[`pi${n}`]) return `pi${n}`;
}

/** The ingest is ready when nginx (RTMP, HTTP) and stunnel (TLS) listen. */
async function waitForIngestServices(ingest: LabHost): Promise<void> {
  const deadline = Date.now() + 60_000;
  const ports = [RTMP_PORT, 80, KICK_TLS_PORT];
  let missing: number[] = ports;
  while (Date.now() < deadline) {
    const result = await sshRun(ingest, 'ss -Htln', { user: 'root', timeoutMs: 10_000 });
    missing = ports.filter((port) => !new RegExp(`:${port}\\s`).test(result.stdout));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  const units = await sshRun(ingest, 'systemctl --no-pager status nginx stunnel@kick 2>&1 | tail -n 30', { user: 'root' });
  throw new LabError(
    `the lab ingest does not listen on port(s) ${missing.join(', ')}:\n${units.stdout}`,
    'see the ingest logs: ssh into it as root with the lab key (journalctl -u nginx -u stunnel@kick)',
  );
}

/** Refuse a subnet another network on this machine already uses (other than this lab's bridge). */
async function assertSubnetFree(layout: LabLayout, cidr: string): Promise<void> {
  const subnet = parseSubnet(cidr);
  const result = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (const line of result.stdout.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/\d+/.exec(line);
    if (!match?.[1] || !match[2] || match[1] === layout.bridge) continue;
    if (contains(subnet, match[2])) {
      throw new LabError(
        `the lab subnet ${cidr} overlaps ${match[2]} on ${match[1]}`,
        'choose another subnet with --subnet or ORBIS_LAB_SUBNET (and another --name for a second lab)',
      );
    }
  }
}

export function describeLeftovers(left: Leftovers): string {
  return Object.entries(left)
    .filter(([, list]) => (list as string[]).length > 0)
    .map(([kind, list]) => `  ${kind}: ${(list as string[]).join('; ')}`)
    .join('\n');
}
