// Rollbacks (issues "Fleet rollouts" and "Safety"): on a lab Pi provisioned with the real stack
// through an inventory, `apply --rollback-on-fail` puts a host that fails verification back on
// its previous files by itself and it streams again; `orbis rollback` restores the previous
// generation (hashes checked on the Pi), `orbis check` then reports the drift; with no previous
// generation it refuses, exit 1, nothing changed. One Pi for the file, tests in order.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, releaseHost } from './helpers/lab.js';
import { orbis, type OrbisResult } from './helpers/orbis.js';
import { keysOnHost, newKeys, newRecording, recordingNames, stackDiagnostics, stackEnv, StackPi, unitStates } from './helpers/stack.js';

const keys = newKeys('rollback');
const newDliveKey = newKeys('rotated').dlive;
// Small and cheap: every streaming lab Pi encodes on the same two cores.
const SMALL = { ORBIS_LARGEUR_MAX: '640', ORBIS_HAUTEUR_MAX: '360' };
const MANAGED = ['/etc/nginx/nginx.conf', '/etc/nginx/orbis/rtmp.conf', '/etc/stunnel/kick.conf', '/etc/orbis/encodeur.env', '/etc/orbis/orbis.conf', '/etc/orbis/lecture.conf', '/usr/local/bin/orbis-diffuser', '/etc/systemd/system/orbis.service'];

let lab: LabState;
let pi: LabHost;
let inventory: string;
let retryFile: string;
const pi0 = new StackPi([]); // for its known_hosts file and the log of everything printed
const printed: string[] = [];

interface HostJson {
  name: string;
  status: string;
  changes: Array<{ role: string; type: string; name: string; summary: string; status: string }>;
  handlers: string[];
  verify: Array<{ name: string; status: string; value?: string }>;
  error?: { message: string; hint?: string; resource?: string };
  rollback?: { status: string; to?: { id: string }; undone: string[]; verified?: boolean; changes?: HostJson['changes']; verify?: HostJson['verify']; error?: { message: string } };
  generations?: Array<{ id: string; status: string; current: boolean; restorable: boolean; files: number; why?: string }>;
}

function host(result: OrbisResult): HostJson {
  const parsed = JSON.parse(result.stdout.trim().startsWith('{') ? result.stdout : '{"hosts":[]}') as { hosts: HostJson[] };
  const h = parsed.hosts[0];
  if (!h) throw new Error(`no host in the JSON report (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
  return h;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<OrbisResult> {
  const result = await orbis([...args, '-i', inventory, '--known-hosts', pi0.knownHosts, '--ssh-config', '/dev/null', '--conf', '/dev/null'], {
    env: { ...stackEnv(lab, keys, SMALL), ...env },
  });
  printed.push(result.stdout, result.stderr);
  return result;
}

const apply = (args: string[] = [], env: Record<string, string> = {}): Promise<OrbisResult> => run(['apply', '--json', '--retry-file', retryFile, ...args], env);
const rollback = (args: string[] = [], env: Record<string, string> = {}): Promise<OrbisResult> => run(['rollback', '--json', ...args], env);

/** sha256, mode and owner of each managed file (absent ones included). */
async function fileStates(): Promise<string> {
  return mustOnHost(pi, `for f in ${MANAGED.join(' ')}; do if [ -e "$f" ]; then printf '%s %s %s\\n' "$f" "$(stat -c '%a %U:%G' "$f")" "$(sha256sum < "$f" | cut -c1-64)"; else echo "$f absent"; fi; done`, { user: 'root' });
}

const runsOnPi = (): Promise<string> => mustOnHost(pi, 'ls /var/lib/orbis/runs; cat /var/lib/orbis/runs/*.json | sha256sum', { user: 'root' });

async function recordsAgain(platform: 'dlive' | 'kick', key: string, before: Set<string>, timeoutMs = 60_000): Promise<void> {
  try {
    await newRecording(lab, platform, key, before, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- the Pi\n${await stackDiagnostics(pi)}`);
  }
}

describe('rollback', () => {
  let firstRun: string;
  let firstStates: string;

  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost();
    pi0.host = pi;
    inventory = join(dirname(pi0.knownHosts), 'fleet.yaml');
    retryFile = join(dirname(pi0.knownHosts), 'orbis.retry');
    writeFileSync(inventory, `hosts:\n  rb1:\n    address: ${pi.address}\n    user: pi\n    key: ${pi.keyPath}\n`);
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('provisions the Pi with the whole stack through the inventory; both platforms record', async () => {
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    const result = await apply();
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(host(result).status).toBe('changed');
    await Promise.all([recordsAgain('dlive', keys.dlive, before.dlive), recordsAgain('kick', keys.kick, before.kick)]);
    const list = await rollback(['--list']);
    expect(list.code, list.stderr).toBe(0);
    const generations = host(list).generations ?? [];
    expect(generations.map((g) => [g.status, g.current, g.restorable])).toEqual([['applied', true, false]]);
    firstRun = generations[0]?.id ?? '';
    firstStates = await fileStates();
  });

  it('with no previous generation, rollback says so, exits 1 and changes nothing', async () => {
    const runs = await runsOnPi();
    const result = await rollback();
    expect(result.code).toBe(1);
    const report = host(result);
    expect(report.status).toBe('failed');
    expect(report.error?.message).toMatch(/^no previous generation: no run finished on this host before run /);
    expect(report.error?.hint).toMatch(/nothing was changed/);
    expect(result.stderr + result.stdout).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(await fileStates()).toBe(firstStates);
    expect(await runsOnPi()).toBe(runs);
  });

  it('apply --rollback-on-fail: a change that breaks the Kick push fails verify, the host goes back by itself and streams again', async () => {
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    // Nothing listens on the ingest's port 444: nginx -t and stunnel accept it, the stream to Kick breaks.
    const started = Date.now();
    const result = await apply(['--rollback-on-fail', '--var', 'KICK_PORT_REEL=444']);
    process.stderr.write(`[rollback] apply + verify (failed) + rollback + verify: ${((Date.now() - started) / 1000).toFixed(1)} s, ${host(result).roundTrips} round trips\n`);
    expect(result.code, result.stdout).toBe(1);
    const report = host(result);
    expect(report.status).toBe('failed');
    expect(report.error?.message).toMatch(/^verify: .*tls\.kick/);
    expect(report.changes.map((c) => `${c.name}: ${c.status}`).sort()).toEqual(['/etc/nginx/orbis/rtmp.conf: applied', '/etc/stunnel/kick.conf: applied']);
    expect(report.rollback).toMatchObject({ status: 'rolled-back', to: { id: firstRun }, verified: true });
    expect(report.rollback?.changes?.map((c) => `${c.name}: ${c.status}`).sort()).toEqual(['/etc/nginx/orbis/rtmp.conf: applied', '/etc/stunnel/kick.conf: applied']);
    expect(report.rollback?.verify?.find((v) => v.name === 'tls.kick')?.status).toBe('pass');
    expect(JSON.parse(result.stdout).summary).toMatchObject({ failed: 1, rolledBack: 1 });
    // On its previous files, and streaming to both platforms again.
    expect(await fileStates()).toBe(firstStates);
    await Promise.all([recordsAgain('dlive', keys.dlive, before.dlive), recordsAgain('kick', keys.kick, before.kick)]);
    // The configuration without the bad value is what the Pi runs: check finds it in sync.
    const check = await run(['check', '--json']);
    expect(check.code, check.stdout).toBe(0);
    // The text report says it too.
    const text = await run(['rollback', '--list']);
    expect(text.stdout).toMatch(/rolled-back/);
  });

  it('orbis rollback puts the previous generation back (hashes, modes, owners), restarts what uses it, and check reports the drift', async () => {
    // Generation 2: a rotated DLive key and a new bitrate (rtmp.conf, encodeur.env, lecture.conf).
    const rotated = { ORBIS_DLIVE_CLE_FLUX: newDliveKey };
    const beforeNew = await recordingNames(lab, 'dlive', newDliveKey);
    const second = await apply(['--var', 'ENCODAGE_BITRATE_VIDEO=3600'], rotated);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(host(second).changes.map((c) => c.name).sort()).toEqual(['/etc/nginx/orbis/rtmp.conf', '/etc/orbis/encodeur.env', '/etc/orbis/lecture.conf']);
    await recordsAgain('dlive', newDliveKey, beforeNew);
    const secondStates = await fileStates();

    // What the Pi keeps of generation 1 holds the old key: root's only, never world-readable.
    const kept = await mustOnHost(pi, 'cd /var/lib/orbis/backup && stat -c "%a %U:%G %n" . */ */content/*rtmp.conf', { user: 'root' });
    for (const line of kept.trim().split('\n')) expect(line).toMatch(line.includes('rtmp.conf') ? /^600 root:root / : /^700 root:root /);
    expect(await keysOnHost(pi, [keys.dlive, newDliveKey, keys.kick])).toEqual([]);

    const list = await rollback(['--list'], rotated);
    expect((host(list).generations ?? []).map((g) => [g.status, g.current, g.restorable])).toEqual([
      ['applied', true, false],
      ['rolled-back', false, false],
      ['applied', false, true],
    ]);

    // --check: what would be put back, nothing changed.
    const check = await rollback(['--check'], rotated);
    expect(check.code, check.stdout).toBe(2);
    expect(host(check).changes.map((c) => `${c.name}: ${c.status}`).sort()).toEqual([
      '/etc/nginx/orbis/rtmp.conf: planned',
      '/etc/orbis/encodeur.env: planned',
      '/etc/orbis/lecture.conf: planned',
    ]);
    expect(await fileStates()).toBe(secondStates);

    const beforeOld = await recordingNames(lab, 'dlive', keys.dlive);
    const started = Date.now();
    const result = await rollback([], rotated);
    process.stderr.write(`[rollback] orbis rollback (3 files, 1 handler) + verify: ${((Date.now() - started) / 1000).toFixed(1)} s, ${host(result).roundTrips} round trips\n`);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = host(result);
    expect(report.status).toBe('changed');
    expect(report.rollback).toMatchObject({ status: 'rolled-back', to: { id: firstRun }, verified: true });
    expect(report.changes.every((c) => c.status === 'applied')).toBe(true);
    // lecture.conf has no handler (the streamer reads it at each video); nginx's restart restarts it
    // anyway (PartOf).
    expect(report.handlers.sort()).toEqual(['restart nginx']);
    expect(await fileStates()).toBe(firstStates);
    // nginx pushes with the old key again.
    await recordsAgain('dlive', keys.dlive, beforeOld);

    // The configuration (rotated key, new bitrate) no longer matches the Pi: drift, told as a configuration change.
    const drift = await run(['check', '--json', '--var', 'ENCODAGE_BITRATE_VIDEO=3600'], rotated);
    expect(drift.code, drift.stdout).toBe(2);
    expect(host(drift).changes.map((c) => `${c.name}: ${c.summary.replace(/^.*; /, '')}`).sort()).toEqual([
      '/etc/nginx/orbis/rtmp.conf: the configuration changed',
      '/etc/orbis/encodeur.env: the configuration changed',
      '/etc/orbis/lecture.conf: the configuration changed',
    ]);

    // Both later runs are undone now: nothing is left to go back to.
    const runs = await runsOnPi();
    const none = await rollback([], rotated);
    expect(none.code).toBe(1);
    expect(host(none).error?.message).toMatch(/no previous generation/);
    expect(await runsOnPi()).toBe(runs);
    expect(await fileStates()).toBe(firstStates);
  });

  it('units come back too: Kick turned off, then rolled back, stunnel is enabled and running again and Kick records', async () => {
    const kickOff = await apply(['--platforms', 'dlive', '--no-verify']);
    expect(kickOff.code, kickOff.stdout).toBe(0);
    expect(await unitStates(pi, ['stunnel@kick.service'])).toEqual({ 'stunnel@kick.service': 'inactive/disabled' });
    const before = await recordingNames(lab, 'kick', keys.kick);
    const result = await rollback(['--no-verify']);
    expect(result.code, result.stdout).toBe(0);
    expect(host(result).changes.filter((c) => c.type === 'service').map((c) => `${c.name}: ${c.summary.replace(/ \(.*/, '')}`)).toEqual(['stunnel@kick.service: enable, start']);
    expect(await unitStates(pi, ['stunnel@kick.service'])).toEqual({ 'stunnel@kick.service': 'active/enabled' });
    expect(await fileStates()).toBe(firstStates);
    await recordsAgain('kick', keys.kick, before);
  });

  it('no stream key in anything orbis printed, nor readable on the Pi', async () => {
    const all = printed.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const key of [keys.dlive, newDliveKey, keys.kick]) expect(all).not.toContain(key);
    expect(await keysOnHost(pi, [keys.dlive, newDliveKey, keys.kick])).toEqual([]);
  });
});
