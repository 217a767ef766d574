// Writing files that hold keys or clear secrets: whole or not at all (temp + rename), with the
// mode set at creation (never widened afterwards, so there is no moment a key is world-readable),
// and, for keys, never over an existing file (a lost identity is every secret lost).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Replace `path` atomically with `data`, created with `mode`. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): void {
  const temp = writeTemp(path, data, mode);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Create `path` with `data` and `mode`; fails with EEXIST when it exists. Written beside it first
 * and hard-linked into place, so a crash never leaves a half-written key under the real name.
 */
export function writeNewFile(path: string, data: string | Uint8Array, mode: number): void {
  const temp = writeTemp(path, data, mode);
  try {
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** mkdir -p, the directories it creates private (0700): ~/.config/orbis holds the identity. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function writeTemp(path: string, data: string | Uint8Array, mode: number): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  let written = false;
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(temp, { force: true });
  }
  return temp;
}
