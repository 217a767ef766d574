// The lab's state file: the one place every process (CLI, vitest global setup, test workers,
// `orbis demo`) learns what the running lab is. Written atomically (temp + rename) under the
// lab's lock, so concurrent `addHost` calls never lose each other's hosts.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LabArch, LabLayout } from './config.js';
import { labLayout, resolveLabName } from './config.js';
import { LabError } from './exec.js';
import { withLock } from './lock.js';

export const STATE_VERSION = 1;

export type HostStatus = 'starting' | 'running' | 'failed';

/** One lab machine as a test or the inventory sees it. */
export interface LabHost {
  name: string;
  address: string;
  user: 'pi';
  port: 22;
  /** Private key authorised for `pi` and `root` on every lab host. */
  keyPath: string;
  arch: LabArch;
  role: 'pi' | 'ingest';
  status: HostStatus;
  /** Network namespace (under /run/netns) holding the host's eth0. */
  netns: string;
  /** Host side of the host's veth pair, enslaved to the lab bridge. */
  veth: string;
  /** The host's merged root filesystem as mounted on the controller. */
  root: string;
  /** pid of the supervisor that relaunches systemd-nspawn when the guest reboots. */
  supervisorPid?: number;
  /** Boot log of the container (systemd's console output). */
  consoleLog: string;
  /** The host's public SSH host keys, as `type base64` (also in the lab's known_hosts). */
  hostKeys: string[];
  /**
   * A password-only host (a fresh Pi: `lab up --password`): the file (0600) holding pi's password.
   * The lab key then logs in as root only.
   */
  passwordFile?: string;
  /** sudo asks pi for that password (no NOPASSWD rule). */
  sudoAsksPassword?: boolean;
  createdAt: string;
}

export interface BtfsRelease {
  arch: LabArch;
  /** The file's name as go-btfs releases it (e.g. `btfs-linux-amd64.tar`). */
  file: string;
  /** URL as seen from lab hosts (names resolve through their /etc/hosts). */
  url: string;
  /** URL by address, usable from the controller too. */
  addressUrl: string;
  sha256: string;
  sha256Url: string;
  bytes: number;
}

export interface BtfsContent {
  cid: string;
  name: string;
  bytes: number;
  sha256: string;
  /** Local copy on the controller, to compare what a gateway serves. */
  path: string;
  description: string;
}

export interface LabState {
  version: number;
  name: string;
  subnet: string;
  gateway: string;
  bridge: string;
  dir: string;
  createdAt: string;
  keyPath: string;
  publicKeyPath: string;
  /** OpenSSH known_hosts with every running host's keys (by address). */
  knownHostsPath: string;
  /** PEM of the lab CA that signs the Kick stand-in certificate; trusted by every Pi. */
  caCertPath: string;
  /** `openssl x509 -hash` of the CA (its link name in /etc/ssl/certs). */
  caHash: string;
  mirror: {
    /** Debian archive URI (debootstrap, hosts' apt) and security archive, from this machine's apt. */
    archive: string;
    security?: string;
    hosts: string[];
    addresses: string[];
    resolvers: string[];
  };
  firewall: { forwardChain: string; natChain: string };
  ingest: {
    name: 'ingest';
    address: string;
    /** The names lab hosts resolve to the ingest (their /etc/hosts). */
    hostnames: {
      dlive: string;
      kick: string;
      btfsBootstrap: string;
      http: string;
    };
    dlive: { url: string; application: string; port: number; recordingsDir: string };
    kick: { url: string; application: string; port: number; tlsHost: string; recordingsDir: string };
    /** Base URL of the ingest's HTTP server. */
    httpUrl: string;
  };
  btfs: {
    version: string;
    /** The seed's BTFS_HASH_TEST: a short H.264 + AAC video. */
    testCid: string;
    /** Where the stand-in daemon fetches content it does not hold (`<url><CID>`). */
    bootstrapUrl: string;
    /** go-btfs's release tag of `version` (`btfs-v<version>`), as in its GitHub download URLs. */
    releaseTag: string;
    /**
     * The URL up to and including `download/` (as GitHub's `.../releases/download/`): a version's
     * files are at `<downloadBase><releaseTag>/<file>`.
     */
    downloadBase: string;
    /**
     * The default layout of each arch the lab has (its hosts' and `prepareArches`, and the
     * controller's: labUp builds no other): go-btfs's plain tar `btfs-linux-ARCH.tar`.
     * `btfsReleaseOf` says what to do when one is missing.
     */
    releases: Partial<Record<LabArch, BtfsRelease>>;
    /**
     * Every layout of each arch: go-btfs's raw binary `btfs-linux-ARCH` and plain tar
     * `btfs-linux-ARCH.tar` (members `config_linux_ARCH.yaml` and `btfs-linux-ARCH`), and a
     * gzipped tar `btfs-linux-ARCH.tar.gz` with the same members (the lab's, to test that format).
     */
    layouts: Partial<Record<LabArch, Record<'raw' | 'tar' | 'tgz', BtfsRelease>>>;
    /** md5 of each arch's binary, as its `config_linux_ARCH.yaml` states it. */
    md5: Partial<Record<LabArch, string>>;
    /** The lab's own SHA256SUMS (go-btfs publishes no checksum file). */
    sha256SumsUrl: string;
    content: BtfsContent[];
  };
  /** Pi-like hosts by name (the ingest is kept apart in `ingestHost`). */
  hosts: Record<string, LabHost>;
  ingestHost?: LabHost;
  /** Monotonic counter for veth names, so a reused host name never reuses a stale link name. */
  nextIndex: number;
  /** Next Pi address to hand out (host number in the subnet); see addHost. */
  nextHostNumber?: number;
}

/** One layout of the lab's BTFS release for `arch`, or why the lab has none and what to do. */
export function btfsReleaseOf(lab: Pick<LabState, 'name' | 'btfs'>, arch: LabArch, layout: 'raw' | 'tar' | 'tgz' = 'tar'): BtfsRelease {
  const release = lab.btfs.layouts[arch]?.[layout];
  if (!release) {
    throw new LabError(
      `lab "${lab.name}" has no ${arch} BTFS release: a lab builds those of its hosts' architectures only`,
      `start it with hosts of that architecture (orbis lab up --arch ${arch}), or with prepareArches: ['${arch}'] from code`,
    );
  }
  return release;
}

export async function readState(layout: LabLayout): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(layout.statePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let state: LabState;
  try {
    state = JSON.parse(text) as LabState;
  } catch (error) {
    throw new LabError(
      `the lab state file ${layout.statePath} is not valid JSON`,
      `run \`orbis lab down --name ${layout.name}\` to clean up, then \`orbis lab up\``,
      { cause: error },
    );
  }
  if (state.version !== STATE_VERSION) {
    throw new LabError(
      `the lab state file ${layout.statePath} has version ${String(state.version)}, this orbis expects ${STATE_VERSION}`,
      `run \`orbis lab down --name ${layout.name}\`, then \`orbis lab up\``,
    );
  }
  return state;
}

export async function writeState(layout: LabLayout, state: LabState): Promise<void> {
  await mkdir(dirname(layout.statePath), { recursive: true });
  const temp = `${layout.statePath}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, layout.statePath);
}

/** Read-modify-write the state under the lab lock. `fn` may mutate and return a value. */
export async function updateState<T>(layout: LabLayout, fn: (state: LabState) => T | Promise<T>): Promise<T> {
  return withLock(
    layout.lockPath,
    async () => {
      const state = await readState(layout);
      if (!state) throw notRunning(layout.name);
      const result = await fn(state);
      await writeState(layout, state);
      return result;
    },
    { what: `lab "${layout.name}"` },
  );
}

/** The running lab's state, read from disk (any process can call it). */
export async function loadLab(name?: string): Promise<LabState> {
  const layout = labLayout(resolveLabName(name));
  const state = await readState(layout);
  if (!state) throw notRunning(layout.name);
  return state;
}

function notRunning(name: string): LabError {
  return new LabError(`lab "${name}" is not up (no state file)`, `start it with \`orbis lab up --name ${name}\``);
}
