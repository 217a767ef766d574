// Drift checks (issue "Drift checks"): `orbis check` on a provisioned lab Pi reports each kind of
// drift caused for real, precisely, with exit 2; provision repairs it; check is back to 0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { freshHost, getLab, mustOnHost, releaseHost } from './helpers/lab.js';
import { labConnection, orbis, provision, type OrbisResult } from './helpers/orbis.js';

const work = mkdtempSync(join(tmpdir(), 'orbis-check-e2e-'));
const knownHosts = join(work, 'known_hosts');
const env = { ORBIS_ROLES_PATH: join(packageRoot(), 'test', 'fixtures') };

let lab: LabState;
let pi: LabHost;
let roleArgs: string[];

function check(args: string[] = []): Promise<OrbisResult> {
  return orbis(['check', `pi@${pi.address}`, ...labConnection(pi, knownHosts), ...roleArgs, '--json', ...args], { env });
}

function drift(result: OrbisResult): string[] {
  return (result.json?.hosts[0]?.changes ?? []).map((c) => `${c.role} / ${c.type} ${c.name}: ${c.summary}`);
}

async function expectRepaired(): Promise<void> {
  const repaired = await provision(pi, knownHosts, [...roleArgs, '--json'], env);
  expect(repaired.code, repaired.stderr).toBe(0);
  const again = await check();
  expect(again.code, again.stdout).toBe(0);
  expect(again.json?.hosts[0]?.status).toBe('ok');
}

describe('orbis check', () => {
  beforeAll(async () => {
    lab = await getLab();
    const release = lab.btfs.releases.amd64;
    // The test role with its download on: the BTFS stand-in release from the lab's ingest.
    roleArgs = ['--roles', 'ffmpeg,orbis-test', '--var', `TEST_DOWNLOAD_URL=${release.url}`, '--var', `TEST_DOWNLOAD_SHA256=${release.sha256}`];
    pi = await freshHost();
    const first = await provision(pi, knownHosts, [...roleArgs, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('a freshly provisioned Pi is in sync: exit 0, one round trip', async () => {
    const result = await check();
    expect(result.code, result.stdout).toBe(0);
    expect(result.json?.hosts[0]).toMatchObject({ status: 'ok', changes: [], roundTrips: 1, connections: 1 });
  });

  it('a config edited by hand is drift, told apart from a configuration change, with a diff', async () => {
    await mustOnHost(pi, "sudo sed -i 's/greeting=hello/greeting=edited/' /etc/orbis-test/greeting.conf");
    const result = await check(['--diff']);
    expect(result.code).toBe(2);
    expect(result.json?.hosts[0]?.status).toBe('drift');
    expect(drift(result)).toEqual(['orbis-test / file /etc/orbis-test/greeting.conf: update (content +1 -1); edited on the host since orbis wrote it']);
    expect(result.json?.hosts[0]?.changes[0]?.diff).toMatch(/-greeting=edited\n\+greeting=hello/);
    const changed = await check(['--var', 'TEST_GREETING=salut']);
    expect(drift(changed)[0]).toMatch(/edited on the host since orbis wrote it/);
    await expectRepaired();
    const reconfigured = await check(['--var', 'TEST_GREETING=salut']);
    expect(drift(reconfigured)).toEqual(['orbis-test / file /etc/orbis-test/greeting.conf: update (content +1 -1); the configuration changed']);
  });

  it('a mode changed, a unit stopped and disabled, a package removed, a directory removed', async () => {
    await mustOnHost(pi, 'sudo chmod 0644 /etc/orbis-test/greeting.conf && sudo systemctl disable --now orbis-test.service && sudo apt-get remove -y -q tree >/dev/null && sudo rm -rf /var/lib/orbis-test/data');
    const result = await check();
    expect(result.code).toBe(2);
    const lines = drift(result);
    expect(lines).toContainEqual(expect.stringMatching(/^orbis-test \/ package tree: install/));
    expect(lines).toContainEqual(expect.stringMatching(/^orbis-test \/ file \/etc\/orbis-test\/greeting\.conf: .*0644.*0640|^orbis-test \/ file \/etc\/orbis-test\/greeting\.conf: .*mode/));
    expect(lines).toContainEqual(expect.stringMatching(/^orbis-test \/ service orbis-test\.service: .*enable.*start|^orbis-test \/ service orbis-test\.service: .*start.*enable/));
    expect(lines).toContainEqual(expect.stringMatching(/^orbis-test \/ directory \/var\/lib\/orbis-test\/data: create/));
    await expectRepaired();
  });

  it('a downloaded binary replaced by hand is drift, and provision puts the pinned one back', async () => {
    const original = await mustOnHost(pi, 'sha256sum < /usr/local/bin/orbis-test-btfs');
    await mustOnHost(pi, "printf '#!/bin/sh\\necho not btfs\\n' | sudo tee /usr/local/bin/orbis-test-btfs >/dev/null");
    const result = await check();
    expect(result.code, result.stdout).toBe(2);
    expect(drift(result)).toEqual([
      expect.stringMatching(/^orbis-test \/ download \/usr\/local\/bin\/orbis-test-btfs: replace \(sha256 \w{8}, not the \w{8} orbis installed; replaced on the host\) from http/),
    ]);
    await expectRepaired();
    expect(await mustOnHost(pi, 'sha256sum < /usr/local/bin/orbis-test-btfs')).toBe(original);
  });

  it('handlers left pending by a run killed between its change and its handler are drift', async () => {
    await mustOnHost(pi, "printf 'restart orbis-test\\n' | sudo tee /var/lib/orbis/pending-handlers >/dev/null");
    const result = await check();
    expect(result.code).toBe(2);
    expect(result.json?.hosts[0]?.handlers).toEqual(['restart orbis-test']);
    await expectRepaired();
  });

  it('an unreachable host among reachable ones: the others are checked, exit 1, the JSON says why', async () => {
    const result = await orbis(['check', `pi@${pi.address}`, `pi@${pi.address}:2222`, ...labConnection(pi, knownHosts), ...roleArgs, '--json'], { env });
    expect(result.code).toBe(1);
    const [reachable, unreachable] = result.json?.hosts ?? [];
    expect(reachable?.status).toBe('ok');
    expect(unreachable?.status).toBe('unreachable');
    expect(unreachable?.error?.message).toMatch(/refused|2222/);
  });
});
