// The engine end to end (issue "Engine"), on fresh lab Pis as `pi` with sudo: the ffmpeg role and
// a test role that uses every resource type (test/fixtures/roles/orbis-test).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { freshHost, mustOnHost, onHost, releaseHost } from './helpers/lab.js';
import { labConnection, orbis, provision, type OrbisResult } from './helpers/orbis.js';

const ROLES = ['--roles', 'ffmpeg,orbis-test'];
const env = { ORBIS_ROLES_PATH: join(packageRoot(), 'test', 'fixtures') };
const work = mkdtempSync(join(tmpdir(), 'orbis-engine-e2e-'));
const knownHosts = join(work, 'known_hosts');

/** A copy of the test role under `work`, transformed: returns the ORBIS_ROLES_PATH to use. */
function testRoleCopy(transform: (yaml: string) => string): Record<string, string> {
  const fixtures = join(packageRoot(), 'test', 'fixtures');
  mkdirSync(join(work, 'roles', 'orbis-test'), { recursive: true });
  cpSync(join(fixtures, 'templates'), join(work, 'templates'), { recursive: true });
  const yaml = readFileSync(join(fixtures, 'roles', 'orbis-test', 'role.yaml'), 'utf8');
  const changed = transform(yaml);
  if (changed === yaml) throw new Error('the role transform changed nothing: the fixture moved on');
  writeFileSync(join(work, 'roles', 'orbis-test', 'role.yaml'), changed);
  return { ORBIS_ROLES_PATH: work };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(250);
  }
}

function hostOf(result: OrbisResult) {
  const host = result.json?.hosts[0];
  if (!host) throw new Error(`no host in the JSON report (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
  return host;
}

/** systemd's start time of a unit: changes exactly when the unit (re)starts. */
async function startedAt(host: LabHost, unit: string): Promise<string> {
  return (await mustOnHost(host, `systemctl show -p ActiveEnterTimestampMonotonic --value ${unit}`)).trim();
}

describe('engine on a fresh host', () => {
  let pi: LabHost;
  beforeAll(async () => {
    pi = await freshHost();
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('--check prints the whole plan with assumptions, changes nothing and exits 2', async () => {
    const result = await provision(pi, knownHosts, [...ROLES, '--check'], env);
    expect(result.code, result.stderr).toBe(2);
    // The plan names every resource, with why-run assumptions for dependent steps.
    expect(result.stdout).toContain('ffmpeg / package ffmpeg: install');
    expect(result.stdout).toMatch(/orbis-test \/ service orbis-test\.service: enable and start/);
    expect(result.stdout).toMatch(/assumes user orbistest is created by an earlier resource/);
    expect(result.stdout).toContain('+greeting=hello');
    // Nothing happened on the host.
    expect((await onHost(pi, 'test -e /etc/orbis-test || test -e /var/lib/orbis || dpkg -s tree')).code).not.toBe(0);
  });

  it('provisions both roles; a second run changes nothing and runs no handler, in 1 round trip', async () => {
    const first = await provision(pi, knownHosts, [...ROLES, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const report = hostOf(first);
    expect(report.status).toBe('changed');
    expect(report.changes.every((c) => c.status === 'applied')).toBe(true);
    expect(report.handlers.sort()).toEqual(['reload orbis-test marker', 'restart orbis-test']);
    // facts + one apply script
    expect(report.roundTrips).toBe(2);
    // Where the time went: apt and the handlers timed on the host, the rest around them.
    const phases = report.phasesMs;
    expect(phases).toBeDefined();
    for (const phase of ['connect', 'facts', 'apt', 'apply', 'handlers'] as const) expect(phases?.[phase], phase).toBeGreaterThan(0);
    expect(phases?.verify).toBe(0);
    const total = Object.values(phases ?? {}).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(report.durationMs + 50);
    // Progress (stderr is not a TTY here: plain lines) said live what the host was doing, and for how long.
    const elapsed = String.raw`\[(\d+\.\ds|\d+m\d\ds)\]`;
    expect(first.stderr).toMatch(new RegExp(`${elapsed} applying: installing packages`));
    expect(first.stderr).toMatch(new RegExp(`${elapsed} applying: orbis-test: file /etc/orbis-test/greeting\\.conf \\(\\d+/\\d+\\)`));
    expect(first.stderr).toMatch(new RegExp(`${elapsed} applying: running handlers`));

    expect((await mustOnHost(pi, 'systemctl is-active orbis-test.service; systemctl is-enabled orbis-test.service')).split('\n')).toEqual(['active', 'enabled', '']);
    expect(await mustOnHost(pi, 'stat -c "%a %U %G" /etc/orbis-test/greeting.conf /var/lib/orbis-test/data')).toBe('640 root orbistest\n750 orbistest orbistest\n');
    expect((await mustOnHost(pi, 'readlink /etc/orbis-test/current')).trim()).toBe('/etc/orbis-test/greeting.conf');
    expect((await mustOnHost(pi, 'sudo cat /var/lib/orbis-test/data/initialised')).trim()).toBe('initialised');
    expect(await mustOnHost(pi, 'cat /etc/orbis/encodeur.env')).toMatch(/^ENCODEUR_VIDEO=libx264$/m);
    expect((await onHost(pi, 'sudo test -e /var/lib/orbis/pending-handlers')).code).toBe(1);

    const serviceStart = await startedAt(pi, 'orbis-test.service');
    const reloads = await mustOnHost(pi, 'sudo cat /var/lib/orbis-test/reloads');
    const second = await provision(pi, knownHosts, [...ROLES, '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    const noop = hostOf(second);
    expect(noop.status).toBe('ok');
    expect(noop.changes).toEqual([]);
    expect(noop.handlers).toEqual([]);
    expect(noop.roundTrips).toBeLessThanOrEqual(3);
    expect(noop.roundTrips).toBe(1);
    expect(noop.phasesMs).toMatchObject({ apt: 0, apply: 0, handlers: 0, verify: 0 });
    // FFmpeg (installed by the first run) was asked for its encoders once, and is not asked again.
    expect(await mustOnHost(pi, 'sudo cat /var/lib/orbis/ffmpeg-encoders')).toMatch(/^ENCODER\tlibx264$/m);
    expect(await startedAt(pi, 'orbis-test.service')).toBe(serviceStart);
    expect(await mustOnHost(pi, 'sudo cat /var/lib/orbis-test/reloads')).toBe(reloads);
  });

  it('changing one input changes exactly the affected resource and fires exactly its handler', async () => {
    const serviceStart = await startedAt(pi, 'orbis-test.service');
    const reloads = await mustOnHost(pi, 'sudo cat /var/lib/orbis-test/reloads');
    const result = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=bonjour'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = hostOf(result);
    expect(report.changes.map((c) => `${c.type} ${c.name}`)).toEqual(['file /etc/orbis-test/greeting.conf']);
    expect(report.handlers).toEqual(['restart orbis-test']);
    expect(await startedAt(pi, 'orbis-test.service')).not.toBe(serviceStart);
    expect(await mustOnHost(pi, 'sudo cat /var/lib/orbis-test/reloads')).toBe(reloads);
    expect(await mustOnHost(pi, 'sudo cat /etc/orbis-test/greeting.conf')).toContain('greeting=bonjour');
    // The replaced version is kept as a backup, root's only.
    expect(await mustOnHost(pi, 'sudo sh -c "cd /var/lib/orbis/backup && stat -c \'%a %U %n\' */content/*greeting.conf"')).toMatch(/^600 root \S+\/content\/%2Fetc%2Forbis-test%2Fgreeting\.conf\n/);

    const other = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=bonjour', '--var', 'TEST_PORT=7002'], env);
    expect(hostOf(other).changes.map((c) => c.name)).toEqual(['/etc/orbis-test/port.conf']);
    expect(hostOf(other).handlers).toEqual(['reload orbis-test marker']);
  });

  it('a file whose validation fails never goes live, the previous one stays, exit 1 naming role and resource', async () => {
    const before = await mustOnHost(pi, 'cat /etc/orbis-test/checked.conf /etc/orbis-test/whole.conf');
    const result = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=bonjour', '--var', 'TEST_PORT=7002', '--var', 'TEST_VALID=no'], env);
    expect(result.code).toBe(1);
    const report = hostOf(result);
    expect(report.status).toBe('failed');
    expect(report.error?.role).toBe('orbis-test');
    expect(report.error?.resource).toBe('file /etc/orbis-test/checked.conf');
    expect(report.error?.message).toMatch(/validation failed/);
    expect(await mustOnHost(pi, 'cat /etc/orbis-test/checked.conf /etc/orbis-test/whole.conf')).toBe(before);
    expect((await onHost(pi, 'ls -a /etc/orbis-test | grep -c orbis-tmp')).stdout.trim()).toBe('0');
  });

  it('a whole-role validation failure restores every file the role wrote in the run', async () => {
    // Make the staged check pass but the in-place one fail: whole.conf is validated after the
    // role's files are in place, so greeting.conf (changed in the same run) must come back too.
    const before = await mustOnHost(pi, 'sudo cat /etc/orbis-test/greeting.conf /etc/orbis-test/whole.conf');
    await mustOnHost(pi, "sudo sh -c 'printf \"valid=yes\\n\" > /etc/orbis-test/checked.conf'");
    // A copy of the test role whose staged check accepts anything.
    const rolesPath = testRoleCopy((yaml) => yaml.replace('validate: "grep -qx valid=yes %s"', 'validate: "true %s"'));
    const result = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=changed-then-restored', '--var', 'TEST_PORT=7002', '--var', 'TEST_VALID=no'], rolesPath);
    expect(result.code).toBe(1);
    const report = hostOf(result);
    expect(report.error?.resource).toBe('validation');
    expect(report.error?.message).toMatch(/previous files were restored/);
    expect(await mustOnHost(pi, 'sudo cat /etc/orbis-test/greeting.conf /etc/orbis-test/whole.conf')).toBe(before);
  });

  it('handlers left pending by a cut run run on the next run, then are cleared', async () => {
    const serviceStart = await startedAt(pi, 'orbis-test.service');
    await mustOnHost(pi, "printf 'restart orbis-test\\n' | sudo tee /var/lib/orbis/pending-handlers >/dev/null");
    const check = await provision(pi, knownHosts, [...ROLES, '--check', '--var', 'TEST_GREETING=bonjour', '--var', 'TEST_PORT=7002'], env);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain('handlers to run: restart orbis-test');
    const result = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=bonjour', '--var', 'TEST_PORT=7002'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(hostOf(result).handlers).toEqual(['restart orbis-test']);
    expect(await startedAt(pi, 'orbis-test.service')).not.toBe(serviceStart);
    expect((await onHost(pi, 'sudo test -e /var/lib/orbis/pending-handlers')).code).toBe(1);
  });

  it('a second run waits for the host lock and fails fast naming the holder', async () => {
    await mustOnHost(pi, "echo 'orbis run by someone@else (pid 4242)' | sudo tee /var/lib/orbis/lock.holder >/dev/null");
    await mustOnHost(pi, 'sudo systemd-run --unit=hold-orbis-lock flock /var/lib/orbis/lock sleep 60');
    try {
      const result = await provision(pi, knownHosts, [...ROLES, '--json', '--lock-timeout', '1', '--var', 'TEST_GREETING=locked-out', '--var', 'TEST_PORT=7002'], env);
      expect(result.code).toBe(1);
      expect(hostOf(result).error?.message).toContain('someone@else (pid 4242)');
      expect(await mustOnHost(pi, 'sudo cat /etc/orbis-test/greeting.conf')).toContain('greeting=bonjour');
    } finally {
      await onHost(pi, 'sudo systemctl stop hold-orbis-lock');
    }
  });

  it('an apply keeps going on the Pi when the controller dies mid-run', async () => {
    // Hold the host lock so the detached apply waits; kill orbis while it does; release.
    await mustOnHost(pi, 'sudo systemd-run --unit=hold-for-cut flock /var/lib/orbis/lock sleep 4');
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), 'provision', `pi@${pi.address}`, ...labConnection(pi, knownHosts), ...ROLES, '--var', 'TEST_GREETING=survives-a-cut', '--var', 'TEST_PORT=7002'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    try {
      await waitFor(async () => (await onHost(pi, "systemctl list-units --no-legend --state=active 'orbis-apply-*' | grep -c orbis-apply")).stdout.trim() === '1', 30_000);
    } finally {
      child.kill('SIGKILL');
    }
    await waitFor(async () => (await onHost(pi, 'sudo cat /etc/orbis-test/greeting.conf')).stdout.includes('greeting=survives-a-cut'), 30_000);
    await waitFor(async () => (await onHost(pi, "systemctl list-units --no-legend 'orbis-apply-*' | grep -c orbis-apply")).stdout.trim() === '0', 30_000);
    // The handler ran on the Pi too: nothing is left pending, and a new run has nothing to do.
    expect((await onHost(pi, 'sudo test -e /var/lib/orbis/pending-handlers')).code).toBe(1);
    const after = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=survives-a-cut', '--var', 'TEST_PORT=7002'], env);
    expect(hostOf(after).changes).toEqual([]);
    expect(hostOf(after).handlers).toEqual([]);
  });

  it('works when logged in as root (no sudo)', async () => {
    const result = await orbis(['provision', `root@${pi.address}`, ...labConnection(pi, knownHosts), ...ROLES, '--json', '--var', 'TEST_GREETING=as-root', '--var', 'TEST_PORT=7002'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(hostOf(result).changes.map((c) => c.name)).toEqual(['/etc/orbis-test/greeting.conf']);
  });

  it('a full disk: the run is refused with how full it is and what to do, nothing is half-written; with room again it goes through', async () => {
    // A size-limited mount over orbis's state (DESIGN.md: never the machine's own disk), filled.
    await mustOnHost(pi, 'mount -t tmpfs -o size=256k tmpfs /var/lib/orbis && { dd if=/dev/zero of=/var/lib/orbis/fill bs=4k 2>/dev/null || true; }', { user: 'root' });
    try {
      const args = [...ROLES, '--json', '--var', 'TEST_GREETING=disk-full'];
      const result = await provision(pi, knownHosts, args, env);
      const host = hostOf(result);
      expect(result.code, result.stderr).toBe(1);
      expect(host.error?.message).toMatch(/(cannot write the run script|the run ended without recording why).*\/var\/lib\/orbis has \d+ KiB free \(100% used\)/);
      expect(host.error?.hint).toMatch(/^the host's disk is full: free space/);
      // Nothing of the run on the Pi: no script left behind, the file as it was.
      expect((await mustOnHost(pi, 'find /var/lib/orbis/runs -mindepth 1 -type d | wc -l', { user: 'root' })).trim()).toBe('0');
      expect(await mustOnHost(pi, 'cat /etc/orbis-test/greeting.conf', { user: 'root' })).not.toContain('disk-full');
    } finally {
      await mustOnHost(pi, 'umount /var/lib/orbis', { user: 'root' });
    }
    const again = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=disk-full'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(await mustOnHost(pi, 'cat /etc/orbis-test/greeting.conf', { user: 'root' })).toContain('disk-full');
    // Back as the tests after this one expect it.
    const restored = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=as-root', '--var', 'TEST_PORT=7002'], env);
    expect(restored.code, restored.stderr).toBe(0);
  });

  it('the disk fills during a run: the record says failed (not running for ever), the file is left as it was', async () => {
    // A file edited by hand, bigger than the room left on a size-limited mount over orbis's state
    // (DESIGN.md: never the machine's own disk): the run records itself as running, then its
    // backup of the file fills the mount, and no new record can be written beside the old one.
    await mustOnHost(pi, 'head -c 2M /dev/urandom | base64 > /etc/orbis-test/greeting.conf', { user: 'root' });
    await mustOnHost(pi, 'mount -t tmpfs -o size=512k tmpfs /var/lib/orbis', { user: 'root' });
    try {
      const result = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=as-root', '--var', 'TEST_PORT=7002'], env);
      expect(result.code, result.stderr).toBe(1);
      expect(hostOf(result).error?.message).toMatch(/cannot back up \/etc\/orbis-test\/greeting.conf|the run ended without recording why/);
      const records = (await mustOnHost(pi, 'cat /var/lib/orbis/runs/*.json', { user: 'root' })).trim().split('\n');
      expect(records).toHaveLength(1);
      expect((JSON.parse(records[0] ?? '') as { status: string }).status).toBe('failed');
      expect((await mustOnHost(pi, 'wc -c < /etc/orbis-test/greeting.conf', { user: 'root' })).trim()).not.toBe('0');
      expect(await mustOnHost(pi, 'head -c 40 /etc/orbis-test/greeting.conf', { user: 'root' })).not.toMatch(/as-root/);
    } finally {
      await mustOnHost(pi, 'umount /var/lib/orbis', { user: 'root' });
    }
    const again = await provision(pi, knownHosts, [...ROLES, '--json', '--var', 'TEST_GREETING=as-root', '--var', 'TEST_PORT=7002'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(await mustOnHost(pi, 'cat /etc/orbis-test/greeting.conf', { user: 'root' })).toContain('as-root');
  });

  it('files a role no longer renders are removed, unless edited by hand since; files of roles outside --roles are kept', async () => {
    const ffmpegOnly = await provision(pi, knownHosts, ['--roles', 'ffmpeg', '--json'], env);
    expect(ffmpegOnly.code, ffmpegOnly.stderr).toBe(0);
    expect(hostOf(ffmpegOnly).changes).toEqual([]);
    expect((await onHost(pi, 'test -e /etc/orbis-test/port.conf')).code).toBe(0);

    // checked.conf is edited by hand: someone's now. port.conf is as orbis left it.
    await mustOnHost(pi, 'echo "# mine" >> /etc/orbis-test/checked.conf', { user: 'root' });
    const rolesPath = testRoleCopy((yaml) => yaml.replace(/  - path: \/etc\/orbis-test\/port\.conf\n(    .*\n)+/, '').replace(/  - path: \/etc\/orbis-test\/checked\.conf\n(    .*\n)+/, ''));
    const args = [...ROLES, '--json', '--var', 'TEST_GREETING=as-root'];
    const result = await provision(pi, knownHosts, args, rolesPath);
    expect(result.code, result.stderr).toBe(0);
    expect(hostOf(result).changes.map((c) => `${c.type} ${c.name}: ${c.summary}`)).toEqual([
      'file /etc/orbis-test/checked.conf: stale file edited by hand since orbis wrote it: kept, and no longer managed by orbis',
      'file /etc/orbis-test/port.conf: remove stale file (no longer rendered by any role; backed up first)',
    ]);
    expect((await onHost(pi, 'test -e /etc/orbis-test/port.conf')).code).toBe(1);
    expect(await mustOnHost(pi, 'tail -n 1 /etc/orbis-test/checked.conf', { user: 'root' })).toBe('# mine\n');
    // No longer orbis's: the next run has nothing to say about it.
    const again = await provision(pi, knownHosts, args, rolesPath);
    expect(hostOf(again).changes).toEqual([]);
  });
});

describe('host keys', () => {
  let a: LabHost;
  let b: LabHost;
  beforeAll(async () => {
    [a, b] = await Promise.all([freshHost(), freshHost()]);
  });
  afterAll(async () => {
    await Promise.all([releaseHost(a), releaseHost(b)]);
  });

  it('accept-new records an unknown key; strict refuses one; a changed key is refused with both fingerprints', async () => {
    const file = join(work, 'kh-policies');
    const strict = await provision(a, file, ['--roles', 'ffmpeg', '--check', '--json', '--host-key-policy', 'strict'], env);
    expect(strict.code).toBe(1);
    expect(hostOf(strict).status).toBe('unreachable');
    expect(hostOf(strict).error?.message).toMatch(/SHA256:/);

    const accept = await provision(a, file, ['--roles', 'ffmpeg', '--check', '--json'], env);
    expect(accept.code, accept.stderr).toBe(2);
    const recorded = readFileSync(file, 'utf8');
    expect(recorded).toContain(a.address);
    const again = await provision(a, file, ['--roles', 'ffmpeg', '--check', '--json', '--host-key-policy', 'strict'], env);
    expect(again.code).toBe(2);

    // The same name now answers with another host's key (b's address, a's recorded key).
    writeFileSync(file, recorded.split(a.address).join(b.address));
    const changed = await provision(b, file, ['--roles', 'ffmpeg', '--check', '--json'], env);
    expect(changed.code).toBe(1);
    const error = hostOf(changed).error;
    expect(hostOf(changed).status).toBe('unreachable');
    const fingerprints = `${error?.message ?? ''}\n${error?.hint ?? ''}`.match(/SHA256:[A-Za-z0-9+/]+/g) ?? [];
    expect(new Set(fingerprints).size).toBe(2);
    expect(`${error?.message ?? ''}\n${error?.hint ?? ''}`).toContain('ssh-keygen -R');
  });
});

describe('access as ssh would', () => {
  let target: LabHost;
  let jump: LabHost;
  beforeAll(async () => {
    [target, jump] = await Promise.all([freshHost(), freshHost()]);
  });
  afterAll(async () => {
    await Promise.all([releaseHost(target), releaseHost(jump)]);
  });

  it('honours ~/.ssh/config: a Host alias with User, IdentityFile, UserKnownHostsFile and ProxyJump', async () => {
    const kh = join(work, 'kh-config');
    const config = join(work, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host jumpbox',
        `  HostName ${jump.address}`,
        '  User pi',
        `  IdentityFile ${jump.keyPath}`,
        `  UserKnownHostsFile ${kh}`,
        'Host salon',
        `  HostName ${target.address}`,
        '  User pi',
        `  IdentityFile ${target.keyPath}`,
        `  UserKnownHostsFile ${kh}`,
        '  ProxyJump jumpbox',
        '',
      ].join('\n'),
    );
    const result = await orbis(['provision', 'salon', '--ssh-config', config, '--roles', 'ffmpeg', '--check', '--json'], { env });
    expect(result.code, result.stderr).toBe(2);
    expect(hostOf(result).connections).toBe(2);
    expect(hostOf(result).changes.map((c) => c.name)).toContain('ffmpeg');
    const recorded = readFileSync(kh, 'utf8');
    expect(recorded).toContain(target.address);
    expect(recorded).toContain(jump.address);
  });

  it('sudo with a password: asked once with --ask-become-pass, sent on stdin only, never shown', async () => {
    const password = 'Pw-e2e-7fd3';
    await mustOnHost(target, `echo 'pi:${password}' | sudo chpasswd && sudo rm -f /etc/sudoers.d/010_pi-nopasswd && sudo -k`);
    const args = ['provision', `pi@${target.address}`, ...labConnection(target, knownHosts), '--roles', 'ffmpeg', '--check', '--json'];
    const without = await orbis(args, { env });
    expect(without.code).toBe(1);
    expect(hostOf(without).error?.message).toMatch(/requires a password/);
    expect(hostOf(without).error?.hint).toMatch(/--ask-become-pass/);

    // A pseudo-terminal (util-linux `script`) answers the hidden prompt, as a user would.
    const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
    const command = [process.execPath, cli, ...args, '--ask-become-pass'].map((a) => `'${a}'`).join(' ');
    const typed = await new Promise<{ out: string; code: number | null }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('sudo password:') && !child.stdin.writableEnded) child.stdin.end(`${password}\n`);
      });
      child.on('close', (code) => resolve({ out, code }));
    });
    expect(typed.code, typed.out).toBe(2);
    expect(typed.out).toContain('"status": "changed"');
    expect(typed.out).not.toContain(password);
  });
});

describe('configuration errors stop before any host is touched', () => {
  it('an invalid setting is reported with its origin and exit 1', async () => {
    const result = await orbis(['provision', 'pi@127.0.0.1:1', '--roles', 'ffmpeg', '--var', 'DLIVE_BITRATE_VIDEO=99999', '--conf', '/dev/null'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DLIVE_BITRATE_VIDEO/);
    expect(result.stderr).not.toMatch(/connecting/);
  });
});
