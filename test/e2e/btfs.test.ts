// go-btfs as released and as it starts (the lab's stand-in follows its source: src/lab/assets/btfs):
// a repo made by hand with a plain `btfs init` is a full node that waits for funds and serves no
// gateway; orbis finds that before anything runs, names the address and the ways out, and takes
// the way out when asked. And the Pi's own architecture: on an arm64 lab host, the arm64 release
// is downloaded, checked, initialised in simple mode, and its gateway serves (no speed checks
// under emulation; the whole arm64 stack is in the slow tier).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, onHost, releaseHost } from './helpers/lab.js';
import { provision, type OrbisResult } from './helpers/orbis.js';
import { btfsReleaseEnv, newKeys, newRecording, recordingNames, stackDiagnostics, stackEnv, StackPi } from './helpers/stack.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let lab: LabState;
const REPO = '/var/lib/btfs/.btfs';
const knownHosts = join(mkdtempSync(join(tmpdir(), 'orbis-btfs-e2e-')), 'known_hosts');

const run = (host: LabHost, args: string[], env: Record<string, string>): Promise<OrbisResult> =>
  provision(host, knownHosts, ['--roles', 'btfs', ...args], env);

/** A ranged GET of the lab's test video through the Pi's gateway: its HTTP status. */
async function gatewayStatus(host: LabHost): Promise<string> {
  return (await onHost(host, `curl -s -o /dev/null -r 0-1023 -w "%{http_code}" --max-time 10 http://127.0.0.1:8080/btfs/${lab.btfs.testCid}`)).stdout;
}

describe('go-btfs as it really starts', () => {
  let pi: LabHost;
  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost();
  });
  afterAll(async () => releaseHost(pi));

  it("a person's account as the daemon's user is refused before anything changes (only the Pi knows its users)", async () => {
    // pi exists on every lab Pi (uid 1000), as on Raspberry Pi OS; the controller cannot know it.
    const result = await run(pi, ['--var', 'BTFS_UTILISATEUR=pi', '--var', 'BTFS_REPERTOIRE_REPO=/var/lib/pi-btfs'], btfsReleaseEnv(lab, 'tar'));
    const said = result.stdout + result.stderr;
    expect(result.code, said).toBe(1);
    expect(said).toContain('the user pi exists on this host with uid 1000');
    expect((await onHost(pi, 'test -e /var/lib/pi-btfs || test -e /usr/local/bin/btfs', { user: 'root' })).code).toBe(1);
  });

  it('a hand-made full-node repo: --check and provision refuse in seconds with its address and the ways out, changing nothing; BTFS_MODE=forcer-simple makes it a gateway that serves', async () => {
    // As a user (or upstream's guide) would have done: the raw release, a plain `btfs init`.
    const raw = lab.btfs.layouts.amd64.raw;
    await mustOnHost(
      pi,
      [
        'useradd --system --home-dir /var/lib/btfs --create-home --shell /usr/sbin/nologin btfs',
        `curl -fsS -o /opt/btfs ${raw.url} && chmod 0755 /opt/btfs`,
        `runuser -u btfs -- env BTFS_PATH=${REPO} /opt/btfs init >/dev/null`,
      ].join(' && '),
      { user: 'root' },
    );
    const config = await mustOnHost(pi, `cat ${REPO}/config`, { user: 'root' });
    const address = /"BttcAddr":\s*"(0x[0-9a-fA-F]+)"/.exec(config)?.[1];
    expect(address, config.slice(0, 400)).toBeDefined();
    const peer = /"PeerID":\s*"([^"]+)"/.exec(config)?.[1];
    const env = btfsReleaseEnv(lab, 'tar');

    for (const check of [true, false]) {
      const started = Date.now();
      const result = await run(pi, check ? ['--check'] : [], env);
      const seconds = (Date.now() - started) / 1000;
      const said = result.stdout + result.stderr;
      expect(result.code, said).toBe(1);
      // Found from the facts, before any apply: seconds, not the 150 s a start job used to wait.
      expect(seconds, said).toBeLessThan(30);
      expect(said).toContain(`its BTTC address ${address} holds enough BTT`);
      expect(said).toContain('BTFS_MODE=forcer-simple');
      expect(said).toContain(`send BTT to ${address} and set BTFS_MODE=complet`);
    }
    // Nothing changed: no binary, no unit, the repo still a full node.
    expect((await onHost(pi, 'test -e /usr/local/bin/btfs || test -e /etc/systemd/system/btfs.service', { user: 'root' })).code).toBe(1);
    expect(await mustOnHost(pi, `grep -c '"SimpleMode": false' ${REPO}/config`, { user: 'root' })).toBe('1\n');

    // The way out: gateway-only, go-btfs's own switch; the node keeps its identity.
    const result = await run(pi, ['--var', 'BTFS_MODE=forcer-simple', '--json'], env);
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json?.hosts[0]?.verify.filter((v) => v.status !== 'pass'))}`).toBe(0);
    expect(result.json?.hosts[0]?.changes.map((c) => c.name)).toContain('btfs simple mode');
    expect(result.json?.hosts[0]?.verify.filter((v) => v.status === 'fail')).toEqual([]);
    expect(await mustOnHost(pi, `runuser -u btfs -- env BTFS_PATH=${REPO} /usr/local/bin/btfs config SimpleMode`, { user: 'root' })).toBe('true\n');
    expect(await mustOnHost(pi, `cat ${REPO}/config`, { user: 'root' })).toContain(`"PeerID": "${peer}"`);
    expect(await gatewayStatus(pi)).toBe('206');
    // The daemon told systemd it was ready: a notify unit that is active has said READY=1.
    expect(await mustOnHost(pi, 'systemctl show -p Type -p ActiveState btfs.service', { user: 'root' })).toBe('Type=notify\nActiveState=active\n');
    // libp2p's resource manager sized under the unit's memory limit (half of BTFS_MEMOIRE_MAX_MIO,
    // 768 by default), read back by go-btfs's own `config`, and the daemon started with it.
    expect(await mustOnHost(pi, `runuser -u btfs -- env BTFS_PATH=${REPO} /usr/local/bin/btfs config Swarm.ResourceMgr.MaxMemory`, { user: 'root' })).toBe('393216KiB\n');
  });

  it('with the way out taken, the whole stack streams to both platforms from the converted node', async () => {
    // The same Pi, now gateway-only: the default BTFS_MODE (simple) accepts it as it is.
    const keys = newKeys('converted');
    const stack = new StackPi(['--var', 'LARGEUR_MAX=320', '--var', 'HAUTEUR_MAX=180']);
    stack.host = pi;
    stack.env = stackEnv(lab, keys);
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    const result = await stack.provision(['--json']);
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json?.hosts[0]?.verify.filter((v) => v.status !== 'pass'))}`).toBe(0);
    // The node was not initialised again: the identity is the one `btfs init` made by hand.
    expect(result.json?.hosts[0]?.changes.map((c) => c.name)).not.toContain('btfs init');
    try {
      await Promise.all([
        newRecording(lab, 'dlive', keys.dlive, before.dlive, 60_000),
        newRecording(lab, 'kick', keys.kick, before.kick, 60_000),
      ]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- the Pi\n${await stackDiagnostics(pi)}`);
    }
  }, 300_000);
});

describe('arm64: the Pi\'s own architecture', () => {
  let arm: LabHost | undefined;
  afterAll(async () => releaseHost(arm));

  it('the arm64 release is downloaded, checked, initialised in simple mode, and its gateway serves', async () => {
    lab ??= await getLab();
    arm = await freshHost({ arch: 'arm64' });
    const started = Date.now();
    const result = await run(arm, ['--json'], btfsReleaseEnv(lab, 'tar'));
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json?.hosts[0]?.error)}\n${JSON.stringify(result.json?.hosts[0]?.verify.filter((v) => v.status !== 'pass'))}`).toBe(0);
    expect(result.json?.hosts[0]?.verify.filter((v) => v.status === 'fail')).toEqual([]);
    process.stderr.write(`[btfs] arm64 provision of the btfs role: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // binfmt runs a wrong-architecture binary silently: the ELF header says aarch64 (e_machine 183).
    expect(await mustOnHost(arm, 'od -An -tu2 -j18 -N2 /usr/local/bin/btfs', { user: 'root' })).toMatch(/^\s*183\s*$/);
    // The tar's member, as its config_linux_arm64.yaml states it (package.sh's md5).
    expect(await mustOnHost(arm, `md5sum < /usr/local/bin/btfs | cut -d' ' -f1`, { user: 'root' })).toBe(`${lab.btfs.md5.arm64}\n`);
    expect(await mustOnHost(arm, `grep -c '"SimpleMode": true' ${REPO}/config`, { user: 'root' })).toBe('1\n');
    expect(await gatewayStatus(arm)).toBe('206');
  }, 900_000);
});
