// Where a lab lives and what its kernel objects are called. Every name derives from the lab
// name, so two labs (or a lab and someone else's bridge) never collide, and teardown can find
// a lab's leftovers by prefix even when its state file is gone.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LabError } from './exec.js';

export const DEFAULT_LAB_NAME = 'orbis';
export const DEFAULT_LAB_SUBNET = '10.213.0.0/24';
export const DEFAULT_LAB_DIR = '/var/lib/orbis-lab';
export const DEFAULT_LAB_CACHE = '/var/cache/orbis-lab';

export type LabArch = 'amd64' | 'arm64';
export const LAB_ARCHES: readonly LabArch[] = ['amd64', 'arm64'];

/** The Debian release every lab host runs (Raspberry Pi OS bookworm's base). */
export const LAB_SUITE = 'bookworm';

/** Address plan inside the subnet: .1 the bridge (the controller), .2 the ingest, Pis from .10. */
export const GATEWAY_HOST_NUMBER = 1;
export const INGEST_HOST_NUMBER = 2;
export const FIRST_PI_HOST_NUMBER = 10;

export function resolveLabName(name?: string): string {
  const chosen = name ?? process.env.ORBIS_LAB_NAME ?? DEFAULT_LAB_NAME;
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(chosen) || chosen.endsWith('-')) {
    throw new LabError(
      `lab name "${chosen}" is not valid`,
      'use lowercase letters, digits and dashes, starting with a letter (at most 31 characters)',
    );
  }
  return chosen;
}

export function resolveLabSubnet(subnet?: string): string {
  return subnet ?? process.env.ORBIS_LAB_SUBNET ?? DEFAULT_LAB_SUBNET;
}

export function labRootDir(): string {
  return process.env.ORBIS_LAB_DIR ?? DEFAULT_LAB_DIR;
}

export function labCacheDir(): string {
  return process.env.ORBIS_LAB_CACHE ?? DEFAULT_LAB_CACHE;
}

export function isLabArch(value: string): value is LabArch {
  return (LAB_ARCHES as readonly string[]).includes(value);
}

export function validateHostName(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name) || name.endsWith('-')) {
    throw new LabError(
      `lab host name "${name}" is not valid`,
      'use lowercase letters, digits and dashes, starting with a letter (at most 31 characters)',
    );
  }
  return name;
}

/** Names and paths of one lab. */
export interface LabLayout {
  name: string;
  /** Short tag (<= 7 chars, no dash) used where the kernel limits names to 15 characters. */
  tag: string;
  dir: string;
  statePath: string;
  lockPath: string;
  hostsDir: string;
  sshDir: string;
  keyPath: string;
  knownHostsPath: string;
  pkiDir: string;
  recordingsDir: string;
  bridge: string;
  /** Every veth of this lab starts with it; `${vethPrefix}${index}` is one host's. */
  vethPrefix: string;
  /** Every netns of this lab starts with it; `${netnsPrefix}${host}` is one host's. */
  netnsPrefix: string;
  /** systemd-nspawn machine names, unique on the machine (nspawn keeps per-machine dirs in /run). */
  machinePrefix: string;
  forwardChain: string;
  natChain: string;
}

export function labLayout(name: string): LabLayout {
  const dir = join(labRootDir(), name);
  const tag = labTag(name);
  return {
    name,
    tag,
    dir,
    statePath: join(dir, 'state.json'),
    // The lock lives beside the lab directory, so tearing the directory down keeps it valid.
    lockPath: join(labRootDir(), `${name}.lock`),
    hostsDir: join(dir, 'hosts'),
    sshDir: join(dir, 'ssh'),
    keyPath: join(dir, 'ssh', 'id_ed25519'),
    knownHostsPath: join(dir, 'ssh', 'known_hosts'),
    pkiDir: join(dir, 'pki'),
    recordingsDir: join(dir, 'recordings'),
    bridge: `${tag}-br`,
    vethPrefix: `${tag}-v`,
    // Lab names contain no underscore, so `a_` never matches a host of lab `a-b`.
    netnsPrefix: `${name}_`,
    // Machine names must be valid host names (no underscore); lab names contain no dot.
    machinePrefix: `${name}.`,
    forwardChain: `OLAB-${tag}-FWD`,
    natChain: `OLAB-${tag}-NAT`,
  };
}

export function hostDir(layout: LabLayout, host: string): string {
  return join(layout.hostsDir, host);
}

/**
 * Interface names are limited to 15 characters, so long lab names are shortened to a
 * readable head plus a hash. Tags never contain a dash, so `${tag}-` prefixes never overlap.
 */
function labTag(name: string): string {
  if (/^[a-z0-9]{1,7}$/.test(name)) return name;
  const head = name.replace(/[^a-z0-9]/g, '').slice(0, 3);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 4);
  return `${head}${hash}`;
}
