// Faults during a run (issue "Safety"), caused for real on a lab Pi running nginx-rtmp: the apply
// script killed (a crash, an OOM kill) or the SSH link cut at named points of a run. After each,
// on the Pi: every managed file is wholly old or wholly new, nginx runs on a configuration that
// passed `nginx -t`, the pending-handler record is right, and the next run converges and runs what
// was left pending. ORBIS_FAULT (src/engine/fault.ts) makes the script pause at the exact point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, onHost, releaseHost, waitFor } from './helpers/lab.js';
import { orbis, labConnection, transcript, type OrbisResult } from './helpers/orbis.js';
import { newKeys, stackEnv, StackPi, unitStarts } from './helpers/stack.js';

const FILES = ['/etc/nginx/nginx.conf', '/etc/nginx/orbis/rtmp.conf'] as const;
/** Two valid configurations that differ in both files (both notify `restart nginx`). */
const CONFIG_A: string[] = [];
const CONFIG_B = ['--var', 'NGINX_PORT_STATS=8089', '--var', 'NGINX_PORT_RTMP=1936'];
/** Passes the settings checks, fails `nginx -t` (the push host does not resolve). */
const CONFIG_INVALID = ['--var', 'DLIVE_SERVEUR=rtmp://orbis-e2e.invalid/live'];

let lab: LabState;
const pi = new StackPi(['--roles', 'nginx-rtmp', '--no-verify', '--json']);
const hashes: Record<'A' | 'B', Record<string, string>> = { A: {}, B: {} };

async function fileHashes(host: LabHost): Promise<Record<string, string>> {
  const out = await mustOnHost(host, `sha256sum ${FILES.join(' ')}`, { user: 'root' });
  return Object.fromEntries(out.trim().split('\n').map((line) => line.split(/\s+/).reverse()));
}

async function pending(host: LabHost): Promise<string[]> {
  const out = await onHost(host, 'cat /var/lib/orbis/pending-handlers', { user: 'root' });
  return [...new Set(out.stdout.split('\n').filter(Boolean))];
}

async function unvalidatedNote(host: LabHost): Promise<boolean> {
  return (await onHost(host, 'test -s /var/lib/orbis/unvalidated/nginx-rtmp', { user: 'root' })).code === 0;
}

async function nginxMaster(host: LabHost): Promise<string> {
  return (await unitStarts(host, ['nginx.service']))['nginx.service'] ?? '';
}

/** nginx runs, and on what is on disk now: a configuration `nginx -t` accepts. */
async function expectNginxHealthy(host: LabHost): Promise<void> {
  expect((await onHost(host, 'systemctl is-active nginx.service', { user: 'root' })).stdout.trim()).toBe('active');
  const test = await onHost(host, 'nginx -t', { user: 'root' });
  expect(test.code, test.stderr).toBe(0);
}

/** Every managed file is wholly one of the two known versions. */
async function expectEachFileWhole(host: LabHost): Promise<Record<string, 'A' | 'B'>> {
  const now = await fileHashes(host);
  const versions: Record<string, 'A' | 'B'> = {};
  for (const file of FILES) {
    const version = now[file] === hashes.A[file] ? 'A' : now[file] === hashes.B[file] ? 'B' : undefined;
    expect(version, `${file} is neither the old nor the new version`).toBeDefined();
    versions[file] = version ?? 'A';
  }
  return versions;
}

function withFault(fault: string, args: string[]): Promise<OrbisResult> {
  return orbis(['provision', `pi@${pi.host.address}`, ...labConnection(pi.host, pi.knownHosts), '--roles', 'nginx-rtmp', '--no-verify', '--json', ...args], {
    env: { ...pi.env, ORBIS_FAULT: fault },
  });
}

async function converge(args: string[]): Promise<OrbisResult> {
  const result = await pi.provision(args);
  expect(result.code, transcript(result)).toBe(0);
  return result;
}

describe('faults during a run', () => {
  beforeAll(async () => {
    lab = await getLab();
    pi.host = await freshHost();
    pi.env = stackEnv(lab, newKeys('faults'));
    await converge(CONFIG_B);
    hashes.B = await fileHashes(pi.host);
    await converge(CONFIG_A);
    hashes.A = await fileHashes(pi.host);
    expect(hashes.A[FILES[0]]).not.toBe(hashes.B[FILES[0]]);
    expect(hashes.A[FILES[1]]).not.toBe(hashes.B[FILES[1]]);
  });
  afterAll(async () => {
    await releaseHost(pi.host);
  });

  it('the script killed right after a file went live, before `nginx -t`: whole files, nginx untouched, the next run validates and restarts', async () => {
    const master = await nginxMaster(pi.host);
    const cut = await withFault('kill@ok:file:/etc/nginx/orbis/rtmp.conf', CONFIG_B);
    expect(cut.code).toBe(1);
    expect(cut.json?.hosts[0]?.status).toBe('failed');
    expect(await expectEachFileWhole(pi.host)).toEqual({ '/etc/nginx/nginx.conf': 'B', '/etc/nginx/orbis/rtmp.conf': 'B' });
    await expectNginxHealthy(pi.host);
    expect(await nginxMaster(pi.host)).toBe(master);
    expect(await pending(pi.host)).toEqual(['restart nginx']);
    expect(await unvalidatedNote(pi.host)).toBe(true);

    // check sees what was left: the validation not done and the handler not run.
    const check = await orbis(['check', `pi@${pi.host.address}`, ...labConnection(pi.host, pi.knownHosts), '--roles', 'nginx-rtmp', '--json', ...CONFIG_B], { env: pi.env });
    expect(check.code, check.stdout).toBe(2);
    expect(check.json?.hosts[0]?.changes.map((c) => `${c.type}: ${c.summary}`)).toEqual([
      expect.stringMatching(/^validation: validate again 2 files run \S+ wrote and never validated \(it was cut\)/),
    ]);
    expect(check.json?.hosts[0]?.handlers).toEqual(['restart nginx']);

    const next = await converge(CONFIG_B);
    expect(next.json?.hosts[0]?.handlers).toEqual(['restart nginx']);
    expect(await nginxMaster(pi.host)).not.toBe(master);
    expect(await pending(pi.host)).toEqual([]);
    expect(await unvalidatedNote(pi.host)).toBe(false);
    await expectNginxHealthy(pi.host);
  });

  it('killed after a file that fails `nginx -t` went live: the next run finds it, puts the last validated files back, and says why', async () => {
    const master = await nginxMaster(pi.host);
    const cut = await withFault('kill@ok:file:/etc/nginx/orbis/rtmp.conf', CONFIG_INVALID);
    expect(cut.code).toBe(1);
    // The invalid file is live for now (nothing validated it yet); nginx still serves the old one.
    expect((await onHost(pi.host, 'nginx -t', { user: 'root' })).code).not.toBe(0);
    expect((await onHost(pi.host, 'systemctl is-active nginx.service', { user: 'root' })).stdout.trim()).toBe('active');

    // The same configuration again: without the note it would look in sync and restart nginx on it.
    const again = await pi.provision(CONFIG_INVALID);
    expect(again.code).toBe(1);
    const error = again.json?.hosts[0]?.error;
    expect(error?.role).toBe('nginx-rtmp');
    expect(error?.message).toMatch(/never validated fail validation \(nginx -t\); the previous ones were put back: .*host not found in url "orbis-e2e\.invalid\/live"/s);
    expect(await fileHashes(pi.host)).toEqual(hashes.B);
    await expectNginxHealthy(pi.host);
    expect(await nginxMaster(pi.host)).toBe(master);
    expect(await unvalidatedNote(pi.host)).toBe(false);
    await converge(CONFIG_B);
    await expectNginxHealthy(pi.host);
  });

  it.each([
    ['after `nginx -t` passed', 'kill@ok:validate:nginx-rtmp'],
    ['before the handlers', 'kill@begin:handlers'],
  ])('killed %s: new files, validated; nginx untouched until the next run restarts it', async (_when, fault) => {
    const master = await nginxMaster(pi.host);
    const target = (await fileHashes(pi.host))[FILES[0]] === hashes.A[FILES[0]] ? 'B' : 'A';
    const cut = await withFault(fault, target === 'A' ? CONFIG_A : CONFIG_B);
    expect(cut.code).toBe(1);
    expect(await fileHashes(pi.host)).toEqual(hashes[target]);
    await expectNginxHealthy(pi.host);
    expect(await nginxMaster(pi.host)).toBe(master);
    expect(await pending(pi.host)).toEqual(['restart nginx']);
    expect(await unvalidatedNote(pi.host)).toBe(false);
    const next = await converge(target === 'A' ? CONFIG_A : CONFIG_B);
    expect(next.json?.hosts[0]?.changes).toEqual([]);
    expect(next.json?.hosts[0]?.handlers).toEqual(['restart nginx']);
    expect(await nginxMaster(pi.host)).not.toBe(master);
    expect(await pending(pi.host)).toEqual([]);
  });

  it('the link cut right after the script arrived: the run goes on by itself on the Pi and finishes', async () => {
    const master = await nginxMaster(pi.host);
    const target = (await fileHashes(pi.host))[FILES[0]] === hashes.A[FILES[0]] ? 'B' : 'A';
    const cut = await withFault('cut@begin:file:/etc/nginx/nginx.conf', target === 'A' ? CONFIG_A : CONFIG_B);
    expect(cut.code).toBe(1);
    const host = cut.json?.hosts[0];
    expect(host?.error?.message).toMatch(/lost while applying run \S+ .*the run goes on by itself on the host/);
    expect(host?.error?.hint).toMatch(/orbis check/);
    await waitFor('the detached run to finish on the Pi', async () => ((await pending(pi.host)).length === 0 && (await nginxMaster(pi.host)) !== master ? true : undefined), 30_000, 500);
    expect(await fileHashes(pi.host)).toEqual(hashes[target]);
    await expectNginxHealthy(pi.host);
    const quiet = await converge(target === 'A' ? CONFIG_A : CONFIG_B);
    expect(quiet.json?.hosts[0]?.changes).toEqual([]);
    expect(quiet.json?.hosts[0]?.handlers).toEqual([]);
  });

  it('the Pi reboots mid-run: reported as failed promptly, not hung; files whole after boot; the next run converges', async () => {
    const bootId = await mustOnHost(pi.host, 'cat /proc/sys/kernel/random/boot_id');
    const target = (await fileHashes(pi.host))[FILES[0]] === hashes.A[FILES[0]] ? 'B' : 'A';
    const started = Date.now();
    const cut = await withFault('reboot@ok:file:/etc/nginx/nginx.conf', target === 'A' ? CONFIG_A : CONFIG_B);
    const tookMs = Date.now() - started;
    expect(cut.code).toBe(1);
    expect(['failed', 'unreachable']).toContain(cut.json?.hosts[0]?.status);
    // The transport's keepalive bounds the wait; the run itself pauses 60 s at the point.
    expect(tookMs).toBeLessThan(55_000);
    await waitFor(
      `${pi.host.name} to boot again`,
      async () => {
        const probe = await onHost(pi.host, 'cat /proc/sys/kernel/random/boot_id; systemctl is-system-running', { user: 'root', timeoutMs: 10_000 });
        const [id, state] = probe.stdout.trim().split('\n');
        return id !== undefined && id !== bootId.trim() && (state === 'running' || state === 'degraded') ? true : undefined;
      },
      120_000,
      1000,
    );
    await expectEachFileWhole(pi.host);
    await converge(target === 'A' ? CONFIG_A : CONFIG_B);
    expect(await fileHashes(pi.host)).toEqual(hashes[target]);
    expect(await pending(pi.host)).toEqual([]);
    expect(await unvalidatedNote(pi.host)).toBe(false);
    await expectNginxHealthy(pi.host);
  });
});

// A power cut or a killed run while dpkg itself works leaves dpkg's journal, and apt then refuses
// everything ("dpkg was interrupted"). Caused for real: a package whose postinst hangs, dpkg
// killed while it runs.
describe('dpkg killed halfway through a package', () => {
  let host: LabHost;
  beforeAll(async () => {
    lab = await getLab();
    host = await freshHost();
  });
  afterAll(async () => {
    await releaseHost(host);
  });

  // setsid: dpkg, the postinst and its sleep are one process group, killed at once. pgrep's pattern
  // is anchored: this very command line (which holds the postinst's text) must not match.
  it('the next run finishes what dpkg left (dpkg --configure -a), installs its packages and converges', async () => {
    await mustOnHost(
      host,
      String.raw`set -e
        d=$(mktemp -d); mkdir -p "$d/pkg/DEBIAN"
        printf 'Package: orbis-e2e-dummy\nVersion: 1.0\nArchitecture: all\nMaintainer: e2e <e2e@example.invalid>\nDescription: hangs in postinst while /run/orbis-e2e-hang exists\n' > "$d/pkg/DEBIAN/control"
        printf '#!/bin/sh\nif [ -e /run/orbis-e2e-hang ]; then touch /run/orbis-e2e-in-postinst; sleep 300; fi\nexit 0\n' > "$d/pkg/DEBIAN/postinst"
        chmod 0755 "$d/pkg/DEBIAN/postinst"; dpkg-deb -b "$d/pkg" "$d/dummy.deb" >/dev/null
        rm -f /run/orbis-e2e-in-postinst; touch /run/orbis-e2e-hang
        setsid dpkg -i "$d/dummy.deb" >/dev/null 2>&1 < /dev/null &
        for i in $(seq 100); do [ -e /run/orbis-e2e-in-postinst ] && break; sleep 0.1; done
        [ -e /run/orbis-e2e-in-postinst ]
        p=$(pgrep -f '^/bin/sh /var/lib/dpkg/info/orbis-e2e-dummy[.]postinst')
        g=$(ps -o pgid= -p "$p" | tr -d ' ')
        kill -KILL -- "-$g"
        rm -f /run/orbis-e2e-hang`,
      { user: 'root' },
    );
    // What the cut left: dpkg's journal, and apt refusing to go on.
    expect((await mustOnHost(host, 'ls -A /var/lib/dpkg/updates', { user: 'root' })).trim()).not.toBe('');
    const refused = await onHost(host, 'apt-get install -y --no-install-recommends nginx', { user: 'root' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/dpkg was interrupted/);

    const pi2 = new StackPi(['--roles', 'nginx-rtmp', '--no-verify', '--json']);
    pi2.host = host;
    pi2.env = stackEnv(lab, newKeys('dpkg'));
    const run = await pi2.provision();
    expect(run.code, transcript(run)).toBe(0);
    expect(await mustOnHost(host, "dpkg-query -W -f '${Status}' orbis-e2e-dummy nginx", { user: 'root' })).toBe('install ok installedinstall ok installed');
    expect((await mustOnHost(host, 'dpkg --audit; ls -A /var/lib/dpkg/updates', { user: 'root' })).trim()).toBe('');
    expect((await onHost(host, 'systemctl is-active nginx.service', { user: 'root' })).stdout.trim()).toBe('active');
  });
});
