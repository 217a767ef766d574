// A minimal tar reader: the members of an archive, each with its md5 and first bytes, read in one
// streaming pass (a go-btfs release tar is ~100 MB). Why not a package: orbis only lists members
// and hashes them; `tar-stream` 3.x brings streamx, b4a, fast-fifo and bare-fs for that, `tar`
// (node-tar) six packages and an extractor we must not use on the controller. What this reads:
// ustar and GNU headers (go-btfs's package.sh runs GNU tar), GNU long names (`L`) and pax `path`/
// `size` records (bsdtar), base-256 sizes, each header's checksum; everything else is skipped by
// its size.
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface TarMember {
  /** The path as stored, e.g. `btfs-linux-arm64` or `./btfs/btfs`. */
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** md5 of the content (regular files). */
  md5?: string;
  /** The first bytes (up to 64), to tell an ELF binary and its machine. */
  head: Buffer;
  /** The whole content as text, for the members `keep` asked for (small ones only). */
  text?: string;
}

export class TarError extends Error {
  override name = 'TarError';
}

const BLOCK = 512;
const HEAD_BYTES = 64;
/** Members kept as text, and GNU/pax name records, are small; a bigger one is not what we expect. */
const MAX_KEPT = 1 << 20;

/** 'ustar\0' (POSIX) or 'ustar ' (GNU) at offset 257 of a header block. */
export function hasUstarMagic(block: Uint8Array): boolean {
  return block.length >= 262 && Buffer.from(block.subarray(257, 262)).toString('latin1') === 'ustar';
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function numberField(block: Buffer, start: number, length: number, what: string, offset: number): number {
  const field = block.subarray(start, start + length);
  // GNU base-256: the high bit of the first byte set, the rest a big-endian number.
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`the header at byte ${offset} has a ${what} that is not an octal number`);
  return parseInt(text, 8);
}

function checkHeader(block: Buffer, offset: number): void {
  const stored = numberField(block, 148, 8, 'checksum', offset);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (sum !== stored) throw new TarError(`the header at byte ${offset} is damaged (checksum ${stored}, computed ${sum})`);
}

/** pax extended header records: `LEN key=value\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/** The content being read: a member's, a name record's (GNU `L`, pax `x`), or one only skipped. */
interface Entry {
  kind: 'member' | 'longname' | 'pax' | 'skip';
  member?: TarMember;
  remaining: number;
  padding: number;
  hash?: Hash;
  head: Buffer[];
  headLength: number;
  kept?: Buffer[];
}

export interface TarListing {
  /** false when the first block is no ustar header: not a tar (or an old v7 one, which no release is). */
  isTar: boolean;
  members: TarMember[];
}

/** Types whose size field announces no content: hard and symbolic links, devices, directories, FIFOs. */
const NO_CONTENT = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Members of the tar read from `source`. `keep(name)` says which members to return as text too
 * (e.g. `config_linux_arm64.yaml`).
 */
export async function listTar(source: Readable | AsyncIterable<Buffer>, keep: (name: string) => boolean): Promise<TarListing> {
  const members: TarMember[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  let entry: Entry | undefined;
  let sawHeader = false;
  let ended = false;
  let isTar = true;
  let nextName: string | undefined;
  let nextSize: number | undefined;

  const finish = (done: Entry): void => {
    const kept = done.kept ? Buffer.concat(done.kept) : Buffer.alloc(0);
    if (done.kind === 'longname') nextName = cString(kept, 0, kept.length);
    if (done.kind === 'pax') {
      const records = paxRecords(kept);
      if (records.has('path')) nextName = records.get('path');
      if (records.has('size')) nextSize = Number(records.get('size'));
    }
    if (done.kind === 'member' && done.member) {
      done.member.head = Buffer.concat(done.head);
      if (done.hash) done.member.md5 = done.hash.digest('hex');
      if (done.kept) done.member.text = kept.toString('utf8');
      members.push(done.member);
    }
  };

  const start = (next: Omit<Entry, 'remaining' | 'padding' | 'head' | 'headLength'>, size: number): void => {
    const started: Entry = { ...next, remaining: size, padding: (BLOCK - (size % BLOCK)) % BLOCK, head: [], headLength: 0 };
    if (size === 0) finish(started);
    else entry = started;
  };

  const header = (block: Buffer): void => {
    if (block.every((b) => b === 0)) {
      ended = true;
      return;
    }
    if (!sawHeader && !hasUstarMagic(block)) {
      isTar = false;
      ended = true;
      return;
    }
    sawHeader = true;
    checkHeader(block, offset);
    const flag = String.fromCharCode(block[156]!);
    let size = numberField(block, 124, 12, 'size', offset);
    if (flag === 'L' || flag === 'x') {
      if (size > MAX_KEPT) throw new TarError(`the ${flag === 'x' ? 'pax' : 'long name'} record at byte ${offset} is ${size} bytes long`);
      start({ kind: flag === 'x' ? 'pax' : 'longname', kept: [] }, size);
      return;
    }
    if (flag === 'g' || flag === 'K') {
      start({ kind: 'skip' }, size);
      return;
    }
    let name = cString(block, 0, 100);
    // The prefix field exists in POSIX ustar headers ('ustar\0'), not in GNU ones ('ustar ').
    const prefix = hasUstarMagic(block) && block[262] === 0 ? cString(block, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    if (nextName !== undefined) name = nextName;
    if (nextSize !== undefined && Number.isFinite(nextSize)) size = nextSize;
    nextName = undefined;
    nextSize = undefined;
    if (NO_CONTENT.has(flag)) size = 0;
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    const member: TarMember = { name, type, size, head: Buffer.alloc(0) };
    if (type === 'file') {
      start({ kind: 'member', member, hash: createHash('md5'), ...(keep(name) && size <= MAX_KEPT ? { kept: [] } : {}) }, size);
    } else {
      members.push(member);
      start({ kind: 'skip' }, size);
    }
  };

  const feed = (chunk: Buffer): void => {
    let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    while (!ended && data.length > 0) {
      if (entry) {
        if (entry.remaining > 0) {
          const part = data.subarray(0, Math.min(entry.remaining, data.length));
          entry.hash?.update(part);
          if (entry.kind === 'member' && entry.headLength < HEAD_BYTES) {
            const slice = part.subarray(0, HEAD_BYTES - entry.headLength);
            entry.head.push(Buffer.from(slice));
            entry.headLength += slice.length;
          }
          entry.kept?.push(Buffer.from(part));
          entry.remaining -= part.length;
          offset += part.length;
          data = data.subarray(part.length);
          if (entry.remaining > 0) continue;
        }
        const skip = Math.min(entry.padding, data.length);
        entry.padding -= skip;
        offset += skip;
        data = data.subarray(skip);
        if (entry.padding > 0) continue;
        const done = entry;
        entry = undefined;
        finish(done);
        continue;
      }
      if (data.length < BLOCK) {
        pending = Buffer.from(data);
        return;
      }
      header(data.subarray(0, BLOCK));
      offset += BLOCK;
      data = data.subarray(BLOCK);
    }
  };

  for await (const chunk of source) {
    // Past the end-of-archive blocks only padding is left; read it out so the stream ends cleanly.
    if (!ended) feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  }
  if (!sawHeader) return { isTar: false, members };
  if (!isTar) return { isTar, members };
  if (entry) throw new TarError(`cut short: ${entry.member ? `the member ${entry.member.name}` : 'a member'} ends beyond the end of the file`);
  if (!ended && pending.length > 0) throw new TarError(`cut short: ${pending.length} bytes after the last member, not a whole header`);
  return { isTar: true, members };
}
