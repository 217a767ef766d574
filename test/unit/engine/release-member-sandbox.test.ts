// apply.sh's release_member, run by bash on releases laid out as go-btfs's package.sh
// lays them out (a raw binary; a plain tar of btfs-linux-ARCH and config_linux_ARCH.yaml with its
// md5), and as older tarballs did (gzipped, a member `btfs`): told by content, not by name.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { piFile } from '../../../src/pi/scripts.js';

const tmp = mkdtempSync(join(tmpdir(), 'orbis-release-member-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A real ELF (this machine's bash binary), so the format test reads a real header.
const ELF = readFileSync('/bin/true');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
let n = 0;

/** A run directory holding `download`, made by `make(dir)` (which leaves it at dir/download). */
function member(make: (work: string, download: string) => void, names = 'btfs-linux-amd64 btfs'): { code: number; out: string; path: string } {
  const dir = join(tmp, `run${++n}`);
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  make(work, join(dir, 'download'));
  const r = spawnSync('bash', ['-c', `${piFile('apply.sh')}\nrelease_member "$1" "$2"`, 'bash', dir, names], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout.trim(), path: r.stdout.trim() };
}

function tarOf(work: string, download: string, files: Record<string, Buffer | string>, gzip = false): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(work, name), content);
  execFileSync('tar', [gzip ? '-czf' : '-cf', download, '-C', work, ...Object.keys(files)]);
}

const yaml = (sum: string): string => `version: 4.1.0\nmd5: ${sum}\nautoupdateFlg: true\nsleepTimeSeconds: 86400\nbeginNumber: 0\nendNumber: 100\n`;

describe('release_member: the executable in a go-btfs release, whatever its layout', () => {
  it('a raw binary (btfs-linux-ARCH) is itself', () => {
    const r = member((_w, d) => copyFileSync('/bin/true', d));
    expect(r.code, r.out).toBe(0);
    expect(r.path).toMatch(/\/download$/);
  });

  it("package.sh's plain tar: btfs-linux-ARCH, checked against its yaml's md5", () => {
    const r = member((w, d) => tarOf(w, d, { 'config_linux_amd64.yaml': yaml(md5(ELF)), 'btfs-linux-amd64': ELF }));
    expect(r.code, r.out).toBe(0);
    expect(r.path).toMatch(/\/x\/btfs-linux-amd64$/);
    expect(md5(readFileSync(r.path))).toBe(md5(ELF));
  });

  it('a gzipped tar with a member `btfs` (no yaml) is read too', () => {
    const r = member((w, d) => tarOf(w, d, { btfs: ELF }, true));
    expect(r.code, r.out).toBe(0);
    expect(r.path).toMatch(/\/x\/btfs$/);
  });

  it('a member whose md5 is not the one its yaml states is refused, with both', () => {
    const r = member((w, d) => tarOf(w, d, { 'config_linux_amd64.yaml': yaml('0'.repeat(32)), 'btfs-linux-amd64': ELF }));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`btfs-linux-amd64 in the archive has md5 ${md5(ELF)}, not the ${'0'.repeat(32)} its config_linux_amd64.yaml states`);
  });

  it('an archive without any of the names says what it holds and which setting names the member', () => {
    const r = member((w, d) => tarOf(w, d, { 'btfs-linux-arm64': ELF }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('the archive holds none of: btfs-linux-amd64 btfs (it holds: btfs-linux-arm64 )');
    expect(r.out).toContain('BTFS_MEMBRE_ARCHIVE');
  });

  it('something else (an HTML error page saved as the download) is refused, not extracted', () => {
    const r = member((_w, d) => writeFileSync(d, '<!DOCTYPE html><title>404</title>'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/neither an executable nor a tar archive \(it starts with 3c21444f\)/);
  });
});
