// `orbis init` pins BTFS: after writing conf/orbis.conf it downloads the release for the chosen
// architectures (here from a loopback mirror given with --btfs-url) and writes the sha256 into
// that conf; a failed download keeps what init wrote and says what to run later.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../safety/cli.js';
import { release, serveReleases, sha256, type ReleaseServer } from '../btfs-release/releases.js';

let server: ReleaseServer;
const amd64 = release('amd64');
const arm64 = release('arm64');

beforeAll(async () => {
  ensureBuilt();
  server = await serveReleases();
  server.routes.set('/mirror/v4.1.0/btfs-linux-amd64.tar', { body: amd64.tar });
  server.routes.set('/mirror/v4.1.0/btfs-linux-arm64.tar', { body: arm64.tar });
}, 300_000);
afterAll(() => server.close());

function repo(): { dir: string; env: Record<string, string> } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-init-pin-')));
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'home'));
  return { dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), LANG: 'C.UTF-8' } };
}

const conf = (dir: string) => readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8');
const withoutHeader = (text: string) => text.replace(/^# Written by `orbis init` on .*$/m, '');
const FLAGS = ['--platforms', 'dlive', '--host', 'pi@10.0.0.12', '--name', 'salon'];

describe('orbis init pins BTFS', () => {
  it('writes the sha256 for the chosen architecture into the conf it wrote, and says so', async () => {
    const mirror = `${server.url}/mirror/v{version}/btfs-linux-{arch}.tar`;
    const { dir, env } = repo();
    const run = await runCli(['init', ...FLAGS, '--arch', 'amd64', '--btfs-url', mirror], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`downloading BTFS 4.1.0 for amd64: ${server.url}/mirror/v4.1.0/btfs-linux-amd64.tar`);
    expect(run.stdout).toContain(`  sha256   ${sha256(amd64.tar)}`);
    expect(run.stdout).toMatch(/pinned in conf\/orbis\.conf \(init writes its own new file: running it was the consent\):\n {2}line \d+: BTFS_SHA256_AMD64="[0-9a-f]{64}"\n/);
    expect(run.stdout).not.toContain('btfs pin');
    const text = conf(dir);
    expect(text).toContain(`BTFS_SHA256_AMD64="${sha256(amd64.tar)}"`);
    expect(text).toContain('BTFS_SHA256_ARM64=""');
    expect(text).toContain(`BTFS_URL_TELECHARGEMENT="${mirror}"`);
    expect(statSync(join(dir, 'conf', 'orbis.conf')).mode & 0o777).toBe(0o600);

    // Everything else is what init writes without pinning.
    const plain = repo();
    expect((await runCli(['init', ...FLAGS, '--no-pin', '--btfs-url', mirror], { cwd: plain.dir, env: plain.env })).code).toBe(0);
    expect(withoutHeader(text)).toBe(withoutHeader(conf(plain.dir)).replace('BTFS_SHA256_AMD64=""', `BTFS_SHA256_AMD64="${sha256(amd64.tar)}"`));
    expect(server.asked.filter((p) => p.includes('amd64'))).toHaveLength(1);
  });

  it('a failed download keeps the files init wrote, says what to run later (exit 1), and that command works', async () => {
    const mirror = `${server.url}/later/v{version}/btfs-linux-{arch}.tar`;
    const { dir, env } = repo();
    const run = await runCli(['init', ...FLAGS, '--arch', 'arm64,amd64', '--btfs-url', mirror], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('wrote conf/orbis.conf (mode 0600)');
    expect(run.stdout).toContain('wrote inventory/salon.yaml');
    expect(run.stdout).toContain(`FAILED: cannot download ${server.url}/later/v4.1.0/btfs-linux-arm64.tar: HTTP 404 Not Found`);
    expect(run.stdout).toContain('BTFS not pinned: conf/orbis.conf and inventory/salon.yaml are written and stay as they are');
    const later = /\n {2}(node \S+main\.js btfs pin --arch arm64,amd64) {4}# pin BTFS's sha256/.exec(run.stdout);
    expect(later, run.stdout).not.toBeNull();
    expect(existsSync(join(dir, 'inventory', 'salon.yaml'))).toBe(true);
    const text = conf(dir);
    expect(text).toContain(`BTFS_URL_TELECHARGEMENT="${mirror}"`);
    expect(text).toContain('BTFS_SHA256_ARM64=""');
    expect(text).toContain('BTFS_SHA256_AMD64=""');

    // Once the mirror has the files, the command init printed pins them (the conf has the mirror).
    server.routes.set('/later/v4.1.0/btfs-linux-arm64.tar', { body: arm64.tar });
    server.routes.set('/later/v4.1.0/btfs-linux-amd64.tar', { body: amd64.tar });
    const words = later![1]!.split(' ');
    const pin = await runCli([...words.slice(2), '--yes'], { cwd: dir, env });
    expect(pin.code, pin.stderr).toBe(0);
    expect(conf(dir)).toBe(text.replace('BTFS_SHA256_ARM64=""', `BTFS_SHA256_ARM64="${sha256(arm64.tar)}"`).replace('BTFS_SHA256_AMD64=""', `BTFS_SHA256_AMD64="${sha256(amd64.tar)}"`));
  });

  it('--no-pin downloads nothing and puts the pin command first in Next; a bad --arch or --btfs-url writes nothing', async () => {
    const { dir, env } = repo();
    const asked = server.asked.length;
    const run = await runCli(['init', ...FLAGS, '--no-pin', '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(server.asked.length).toBe(asked);
    const result = JSON.parse(run.stdout) as { pin: { status: string; retry: string[] } };
    expect(result.pin).toEqual({ status: 'skipped', lines: [], written: [], retry: ['btfs', 'pin'] });

    const text = await runCli(['init', ...FLAGS, '--no-pin', '--force'], { cwd: dir, env });
    expect(text.stdout).toMatch(/BTFS not pinned \(--no-pin\): pin it before provisioning \(see Next\)\n[\s\S]*Next:\n {2}node \S+main\.js btfs pin {4}# pin BTFS's sha256 \(needed before provisioning\)\n/);

    const fresh = repo();
    const arch = await runCli(['init', ...FLAGS, '--arch', 'armhf'], { cwd: fresh.dir, env: fresh.env });
    expect(arch.code).toBe(1);
    expect(arch.stderr).toContain('orbis init: --arch: "armhf" is not an architecture orbis installs BTFS on');
    const url = await runCli(['init', ...FLAGS, '--btfs-url', 'mirror.lan/{arch}'], { cwd: fresh.dir, env: fresh.env });
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/^orbis init: --btfs-url: must be an http\(s\) URL/);
    expect(existsSync(join(fresh.dir, 'conf'))).toBe(false);
    expect(existsSync(join(fresh.dir, 'inventory'))).toBe(false);
  });
});
