// What a downloaded go-btfs release is, told by its content (never its URL), and the checks it
// carries. go-btfs's package.sh builds, per platform, a raw binary `btfs-linux-ARCH` and a plain
// tar `btfs-linux-ARCH.tar` of that binary and `config_linux_ARCH.yaml`, which it writes as
//   version: 4.1.0          (CurrentVersionNumber from version.go, quotes stripped)
//   md5: <hex>              (`openssl md5` of the binary)
//   autoupdateFlg: true, sleepTimeSeconds, beginNumber, endNumber   (the self-updater's; unused here)
// The md5 ships inside the same tar, so it proves the tar was not damaged or mixed up with another
// platform's, not that it is authentic: the sha256 pinned on the controller does that.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { hasUstarMagic, listTar, TarError, type TarListing, type TarMember } from './tar.js';

export type ReleaseFormat = 'tar' | 'tar.gz' | 'gzip' | 'raw';

export const FORMAT_TEXT: Record<ReleaseFormat, string> = {
  tar: 'a plain tar',
  'tar.gz': 'a gzipped tar',
  gzip: 'a gzip file holding no tar',
  raw: 'a raw file (the executable itself)',
};

export interface BinaryFacts {
  /** The tar member, or undefined for a raw download. */
  member?: string;
  size: number;
  md5: string;
  /** The ELF machine as Debian names it (arm64, amd64, armhf, i386, ...), undefined when not an ELF file. */
  elfArch?: string;
}

export interface ReleaseCheck {
  format: ReleaseFormat;
  /** The tar's regular files. */
  members: string[];
  binary?: BinaryFacts;
  /** config_linux_ARCH.yaml when the tar has one. */
  yaml?: { member: string; md5?: string; version?: string };
  /** match: the binary's md5 is the yaml's; absent: nothing to check it against. */
  md5: 'match' | 'absent';
  /** match: the yaml names BTFS_VERSION; absent: it names no version (or there is no yaml). */
  version: 'match' | 'absent';
  /** Worth saying, not refusing: a binary that is no ELF file (the lab's stand-in is a script), ... */
  notes: string[];
}

/** A release that must not be pinned: what is wrong, with both values, and what to do. */
export class ReleaseRefused extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ReleaseRefused';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** ELF e_machine values (elf.h) for the architectures a Pi or a test machine has. */
const ELF_MACHINES: Record<number, string> = { 183: 'arm64', 62: 'amd64', 40: 'armhf', 3: 'i386' };

/** The Debian architecture of an ELF executable from its first bytes; undefined when not ELF. */
export function elfArch(head: Uint8Array): string | undefined {
  if (head.length < 20 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return undefined;
  const littleEndian = head[5] !== 2;
  const machine = littleEndian ? head[18]! | (head[19]! << 8) : (head[18]! << 8) | head[19]!;
  return ELF_MACHINES[machine] ?? `ELF machine ${machine}`;
}

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(count);
    const { bytesRead } = await file.read(buffer, 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The names a release gives its executable, best first: go-btfs's package.sh, then older tarballs. */
export function binaryNames(arch: string): string[] {
  return [`btfs-linux-${arch}`, 'btfs'];
}

export const yamlName = (arch: string): string => `config_linux_${arch}.yaml`;

async function readListing(path: string, gzipped: boolean, arch: string): Promise<TarListing> {
  const keep = (name: string) => /^config_linux_[a-z0-9]+\.yaml$/.test(basename(name));
  try {
    if (!gzipped) return await listTar(createReadStream(path), keep);
    let listing: TarListing | undefined;
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      listing = await listTar(source, keep);
    });
    return listing ?? { isTar: false, members: [] };
  } catch (error) {
    const what = error instanceof TarError ? `is not a readable tar: ${error.message}` : `cannot be decompressed: ${error instanceof Error ? error.message : String(error)}`;
    throw new ReleaseRefused(`the ${arch} release ${what}`, 'the download is damaged or not a go-btfs release: check the URL, then download it again');
  }
}

function checkYaml(member: TarMember, version: string): { md5?: string; version?: string } {
  let data: unknown;
  try {
    // failsafe: every value a string, so an md5 of digits or a version like 4.10 keeps its text.
    data = parseYaml(member.text ?? '', { schema: 'failsafe' });
  } catch (error) {
    throw new ReleaseRefused(`${member.name} in the tar is not YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, 'the download is damaged or not a go-btfs release');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ReleaseRefused(`${member.name} in the tar is not the mapping go-btfs's package.sh writes (version:, md5:)`, 'the download is damaged or not a go-btfs release');
  }
  const fields = data as Record<string, unknown>;
  const out: { md5?: string; version?: string } = {};
  if (typeof fields['md5'] === 'string' && fields['md5'].trim() !== '') {
    const md5 = fields['md5'].trim().toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(md5)) throw new ReleaseRefused(`${member.name}: md5 is not an md5 (32 hexadecimal characters)`, 'the download is damaged or not a go-btfs release');
    out.md5 = md5;
  }
  if (typeof fields['version'] === 'string' && fields['version'].trim() !== '') {
    out.version = fields['version'].trim().replace(/^v/, '');
    if (out.version !== version) {
      throw new ReleaseRefused(
        `${member.name} in the tar says version ${out.version}, but BTFS_VERSION is ${version}`,
        `the URL serves another release than the one pinned: check BTFS_URL_TELECHARGEMENT (does it use {version}?), or set BTFS_VERSION=${out.version} if that is the release you want`,
      );
    }
  }
  return out;
}

function checkElf(binary: BinaryFacts, arch: string, notes: string[]): void {
  const name = binary.member ?? 'the download';
  if (binary.elfArch === undefined) notes.push(`${name} is not an ELF executable (a script?): its architecture is not checked`);
  else if (binary.elfArch !== arch) {
    throw new ReleaseRefused(`${name} is an ${binary.elfArch} program, not ${arch}`, `the URL serves another architecture's release: check that BTFS_URL_TELECHARGEMENT has {arch} where the architecture goes`);
  }
}

/**
 * Tell the format by content (gzip magic 1f 8b; 'ustar' at offset 257), then check what the
 * release carries: the executable's md5 against config_linux_ARCH.yaml, the yaml's version
 * against BTFS_VERSION, the executable's ELF architecture. Throws ReleaseRefused on a mismatch.
 */
export async function inspectRelease(path: string, download: { size: number; md5: string }, arch: string, version: string): Promise<ReleaseCheck> {
  const head = await firstBytes(path, 512);
  const gzipped = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const notes: string[] = [];
  if (!gzipped && !hasUstarMagic(head)) {
    const binary: BinaryFacts = { size: download.size, md5: download.md5, ...withElf(elfArch(head)) };
    checkElf(binary, arch, notes);
    return { format: 'raw', members: [], binary, md5: 'absent', version: 'absent', notes };
  }
  const listing = await readListing(path, gzipped, arch);
  if (!listing.isTar) {
    notes.push('it is gzip-compressed but holds no tar, which the btfs role does not unpack');
    return { format: 'gzip', members: [], md5: 'absent', version: 'absent', notes };
  }
  const files = listing.members.filter((m) => m.type === 'file');
  const members = files.map((m) => m.name);
  const byName = (name: string) => files.find((m) => basename(m.name) === name);
  const otherYaml = files.find((m) => /^config_linux_[a-z0-9]+\.yaml$/.test(basename(m.name)) && basename(m.name) !== yamlName(arch));
  const yamlMember = byName(yamlName(arch));
  if (!yamlMember && otherYaml) {
    throw new ReleaseRefused(`the tar holds ${basename(otherYaml.name)}, not ${yamlName(arch)}: it is another architecture's release`, 'check that BTFS_URL_TELECHARGEMENT has {arch} where the architecture goes');
  }
  const binaryMember = binaryNames(arch).map(byName).find((m) => m !== undefined);
  if (!binaryMember) {
    throw new ReleaseRefused(
      `the tar holds no executable named ${binaryNames(arch).join(' or ')} (it holds ${members.slice(0, 5).join(', ') || 'no file'}${members.length > 5 ? ', ...' : ''})`,
      "it is not go-btfs's release layout: check the URL against the release page",
    );
  }
  const binary: BinaryFacts = { member: binaryMember.name, size: binaryMember.size, md5: binaryMember.md5 ?? '', ...withElf(elfArch(binaryMember.head)) };
  const check: ReleaseCheck = { format: gzipped ? 'tar.gz' : 'tar', members, binary, md5: 'absent', version: 'absent', notes };
  if (yamlMember) {
    const yaml = checkYaml(yamlMember, version);
    check.yaml = { member: yamlMember.name, ...yaml };
    if (yaml.md5 !== undefined) {
      if (yaml.md5 !== binary.md5) {
        throw new ReleaseRefused(
          `${binaryMember.name} in the tar has md5 ${binary.md5}, but ${yamlMember.name} says ${yaml.md5}`,
          'the tar is damaged or its parts do not belong together: download it again; if it persists, the release itself is broken (report it upstream) or the URL serves something else',
        );
      }
      check.md5 = 'match';
    } else notes.push(`${yamlMember.name} has no md5: the executable is not checked against it`);
    if (yaml.version !== undefined) check.version = 'match';
  } else notes.push(`the tar has no ${yamlName(arch)}: no md5 to check the executable against`);
  checkElf(binary, arch, notes);
  return check;
}

function withElf(arch: string | undefined): { elfArch?: string } {
  return arch === undefined ? {} : { elfArch: arch };
}
