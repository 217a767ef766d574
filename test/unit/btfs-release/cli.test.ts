// `orbis btfs pin` as a user runs it: the compiled CLI, releases served on loopback, consent
// asked on a terminal (a pseudo-terminal from util-linux `script`), --yes, or none (exit 2).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../src/util/shell.js';
import { CLI, ensureBuilt, runCli } from '../safety/cli.js';
import { configYaml, fakeBinary, makeTar, md5, release, serveReleases, sha256, type ReleaseServer } from './releases.js';

let server: ReleaseServer;
const arm64 = release('arm64');
const amd64 = release('amd64');
const haveScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

beforeAll(async () => {
  ensureBuilt();
  server = await serveReleases();
  server.routes.set('/gh/v4.1.0/btfs-linux-arm64.tar', { body: arm64.tar });
  server.routes.set('/gh/v4.1.0/btfs-linux-amd64.tar', { body: amd64.tar });
  server.routes.set('/badmd5/v4.1.0/btfs-linux-arm64.tar', { body: makeTar({ 'config_linux_arm64.yaml': configYaml('4.1.0', md5(arm64.binary)), 'btfs-linux-arm64': fakeBinary('arm64', 'x') }) });
}, 300_000);
afterAll(() => server.close());

const KEY = 'dliveKeyPin7f3a9c';

function project(url: string, arm = ''): { dir: string; env: Record<string, string>; text: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-pin-cli-')));
  mkdirSync(join(dir, 'conf'));
  mkdirSync(join(dir, 'home'));
  const text = [
    '# Written by hand.',
    'PLATEFORMES="dlive"',
    `DLIVE_CLE_FLUX="${KEY}"   # secret`,
    'BTFS_VERSION="4.1.0"',
    `BTFS_URL_TELECHARGEMENT="${url}"`,
    `BTFS_SHA256_ARM64="${arm}"`,
    '# BTFS_SHA256_AMD64 is added below its sibling when pinned',
    'BOUCLE=true',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'conf', 'orbis.conf'), text, { mode: 0o600 });
  return { dir, text, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), LANG: 'C.UTF-8' } };
}

const conf = (dir: string) => readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8');

describe('orbis btfs pin', () => {
  it('without a terminal and without --yes: shows the download and what it would write, writes nothing, exit 2', async () => {
    const { dir, env, text } = project(`${server.url}/gh/v{version}/btfs-linux-{arch}.tar`);
    const before = statSync(join(dir, 'conf', 'orbis.conf')).mtimeMs;
    const run = await runCli(['btfs', 'pin', '--arch', 'arm64,amd64'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(`BTFS 4.1.0 for arm64: ${server.url}/gh/v4.1.0/btfs-linux-arm64.tar`);
    expect(run.stdout).toContain(`  sha256   ${sha256(arm64.tar)}`);
    expect(run.stdout).toContain(`  md5      ${md5(arm64.binary)} (btfs-linux-arm64), as config_linux_arm64.yaml says`);
    expect(run.stdout).toContain('  version  4.1.0, as config_linux_arm64.yaml says');
    expect(run.stdout).toContain(`To write into conf/orbis.conf:\n  conf/orbis.conf:6: BTFS_SHA256_ARM64="${sha256(arm64.tar)}"\n  conf/orbis.conf:7: BTFS_SHA256_AMD64="${sha256(amd64.tar)}" (new line)\n`);
    expect(run.stdout).toContain('not written: no terminal to ask on; run it again with --yes');
    expect(run.stderr).toContain(`downloading BTFS 4.1.0 for arm64: ${server.url}/gh/v4.1.0/btfs-linux-arm64.tar`);
    expect(conf(dir)).toBe(text);
    expect(statSync(join(dir, 'conf', 'orbis.conf')).mtimeMs).toBe(before);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
  });

  it('--yes writes the sha256 lines only: everything else byte-identical, mode 0600; again: nothing to do', async () => {
    const { dir, env, text } = project(`${server.url}/gh/v{version}/btfs-linux-{arch}.tar`);
    const run = await runCli(['btfs', 'pin', '--arch', 'arm64,amd64', '--yes'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote conf/orbis.conf (mode 0600): BTFS_SHA256_ARM64 (line 6), BTFS_SHA256_AMD64 (line 7, new)');
    const lines = text.split('\n');
    lines.splice(5, 1, `BTFS_SHA256_ARM64="${sha256(arm64.tar)}"`, `BTFS_SHA256_AMD64="${sha256(amd64.tar)}"`);
    expect(conf(dir)).toBe(lines.join('\n'));
    expect(statSync(join(dir, 'conf', 'orbis.conf')).mode & 0o777).toBe(0o600);

    const again = await runCli(['btfs', 'pin', '--arch', 'amd64,arm64', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { ok: boolean; written: boolean; arches: Array<{ arch: string; status: string; sha256: string }> };
    expect(report).toMatchObject({ ok: true, written: false });
    expect(report.arches.map((a) => [a.arch, a.status, a.sha256])).toEqual([['amd64', 'unchanged', sha256(amd64.tar)], ['arm64', 'unchanged', sha256(arm64.tar)]]);
    expect(again.stderr).toContain('conf/orbis.conf already pins amd64 and arm64: nothing to write');
  });

  it('a changed upstream file: refused with both hashes and where the pin is, exit 1, nothing written', async () => {
    const old = 'cd'.repeat(32);
    const { dir, env, text } = project(`${server.url}/gh/v{version}/btfs-linux-{arch}.tar`, old);
    const run = await runCli(['btfs', 'pin', '--yes'], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`REFUSED: conf/orbis.conf:6:19: BTFS_SHA256_ARM64 pins sha256 ${old}, but ${server.url}/gh/v4.1.0/btfs-linux-arm64.tar now serves sha256 ${sha256(arm64.tar)}`);
    expect(run.stdout).toContain('hint: orbis will not install it. If you changed BTFS_VERSION or the URL on purpose');
    expect(run.stdout).toContain('nothing written to conf/orbis.conf');
    expect(conf(dir)).toBe(text);
    const replaced = await runCli(['btfs', 'pin', '--yes', '--replace'], { cwd: dir, env });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(conf(dir)).toBe(text.replace(old, sha256(arm64.tar)));
  });

  it('an md5 mismatch inside the tar is refused, exit 1; bad arguments and a 404 say what to do', async () => {
    const { dir, env, text } = project(`${server.url}/badmd5/v{version}/btfs-linux-{arch}.tar`);
    const run = await runCli(['btfs', 'pin', '--yes'], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/REFUSED: .*btfs-linux-arm64 in the tar has md5 [0-9a-f]{32}, but config_linux_arm64\.yaml says [0-9a-f]{32}/);
    expect(conf(dir)).toBe(text);

    const arch = await runCli(['btfs', 'pin', '--arch', 'aarch64'], { cwd: dir, env });
    expect(arch.code).toBe(1);
    expect(arch.stderr).toContain('orbis btfs pin: --arch: "aarch64" is not an architecture orbis installs BTFS on (arm64, amd64) (hint: Debian calls it arm64)');
    const url = await runCli(['btfs', 'pin', '--url', 'ftp://x/{arch}'], { cwd: dir, env });
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/^orbis btfs pin: --url: must be an http\(s\) URL/);

    const missing = await runCli(['btfs', 'pin', '--yes', '--url', `${server.url}/none/{version}/{arch}`], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`FAILED: cannot download ${server.url}/none/4.1.0/arm64: HTTP 404 Not Found`);
    expect(missing.stdout).toMatch(/hint: .*--url 'http:\/\/mirror\.lan/);
    expect(conf(dir)).toBe(text);
  });

  it.skipIf(!haveScript)('on a terminal: asks, and writes on yes', async () => {
    const { dir, env, text } = project(`${server.url}/gh/v{version}/btfs-linux-{arch}.tar`);
    const command = `cd ${shq(dir)} && ${shq(process.execPath)} ${shq(CLI)} btfs pin`;
    const screen = await new Promise<{ out: string; code: number | null }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env });
      let out = '';
      let answered = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!answered && out.includes('into conf/orbis.conf? (y/N)')) {
          answered = true;
          child.stdin.write('y\r');
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ out, code });
      });
    });
    expect(screen.code, screen.out).toBe(0);
    expect(screen.out).toContain('Write this line into conf/orbis.conf? (y/N)');
    expect(conf(dir)).toBe(text.replace('BTFS_SHA256_ARM64=""', `BTFS_SHA256_ARM64="${sha256(arm64.tar)}"`));
  });
});
