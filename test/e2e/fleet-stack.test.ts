// Fleet rollouts on the real stack (issue "Fleet rollouts", done-when): an inventory with two
// groups and per-host keys (by environment reference) provisions four fresh lab Pis concurrently,
// verified; each streams to the stand-in ingest under its own keys. Also measures the wall time of
// four fresh Pis at once against one alone (printed; the budget lives in `npm run bench`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, onHost, recordingsFor, releaseHost, waitFor } from './helpers/lab.js';
import { orbis, transcript, type OrbisResult } from './helpers/orbis.js';
import { keysOnHost, newKeys, type StreamKeys } from './helpers/stack.js';

const work = mkdtempSync(join(tmpdir(), 'orbis-fleet-stack-e2e-'));
const knownHosts = join(work, 'known_hosts');
const GROUPS = { salon: [0, 1], atelier: [2, 3] } as const;
const BITRATE = { salon: 4200, atelier: 3800 } as const;

let lab: LabState;
let fleet: LabHost[] = [];
let alone: LabHost | undefined;
const keys = new Map<string, StreamKeys>();

const envName = (host: LabHost, platform: 'DLIVE' | 'KICK'): string => `FLEET_${host.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${platform}`;

function inventory(hosts: LabHost[]): string {
  const release = lab.btfs.releases.amd64;
  const lines = [
    'connection:',
    '  user: pi',
    `  key: ${hosts[0]?.keyPath}`,
    'vars:',
    '  LARGEUR_MAX: 640',
    '  HAUTEUR_MAX: 360',
    '  PRESET_ENCODAGE: ultrafast',
    `  BTFS_URL_TELECHARGEMENT: "${release.url.replace(/amd64/g, '{arch}')}"`,
    `  BTFS_SHA256_AMD64: "${release.sha256}"`,
    `  BTFS_SHA256_ARM64: "${lab.btfs.releases.arm64.sha256}"`,
    'hosts:',
  ];
  for (const h of hosts) {
    lines.push(
      `  ${h.name}:`,
      `    address: ${h.address}`,
      '    vars:',
      `      DLIVE_CLE_FLUX: { env: ${envName(h, 'DLIVE')} }`,
      `      KICK_CLE_FLUX: { env: ${envName(h, 'KICK')} }`,
    );
  }
  if (hosts.length === 4) lines.push('groups:');
  for (const [group, members] of Object.entries(GROUPS)) {
    const names = members.map((i) => hosts[i]?.name).filter((n): n is string => n !== undefined && hosts.length === 4);
    const kbps = BITRATE[group as keyof typeof GROUPS];
    if (names.length > 0) lines.push(`  ${group}:`, `    hosts: [${names.join(', ')}]`, '    vars:', `      DLIVE_BITRATE_VIDEO: ${kbps}`, `      KICK_BITRATE_VIDEO: ${kbps}`);
  }
  const file = join(work, `fleet-${hosts.length}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function keyEnv(hosts: LabHost[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const h of hosts) {
    const k = keys.get(h.name);
    if (!k) continue;
    env[envName(h, 'DLIVE')] = k.dlive;
    env[envName(h, 'KICK')] = k.kick;
  }
  return env;
}

async function applyTimed(hosts: LabHost[], args: string[] = []): Promise<{ result: OrbisResult; seconds: number }> {
  const started = Date.now();
  const result = await orbis(['apply', '-i', inventory(hosts), '--known-hosts', knownHosts, '--ssh-config', '/dev/null', '--json', '--forks', '4', ...args], {
    env: keyEnv(hosts),
  });
  return { result, seconds: (Date.now() - started) / 1000 };
}

describe('a fleet of four fresh Pis on the real stack', () => {
  beforeAll(async () => {
    lab = await getLab();
    [alone, ...fleet] = await Promise.all([freshHost(), freshHost(), freshHost(), freshHost(), freshHost()]);
    for (const h of [alone, ...fleet]) if (h) keys.set(h.name, newKeys(`fleet_${h.name.replace(/[^a-z0-9]/g, '')}`));
  });
  afterAll(async () => {
    await Promise.all([alone, ...fleet].map((h) => releaseHost(h)));
  });

  it('provisions four Pis concurrently, each verified and streaming under its own keys; one alone for comparison', async () => {
    if (!alone) throw new Error('no host');
    const single = await applyTimed([alone]);
    expect(single.result.code, transcript(single.result)).toBe(0);
    // Free the cores for the four: the lone Pi's encoder is not under test any more.
    await onHost(alone, 'systemctl stop orbis.service', { user: 'root' });

    process.stderr.write(`[fleet-stack] 1 Pi alone: ${single.seconds.toFixed(1)} s\n`);
    const four = await applyTimed(fleet);
    expect(four.result.code, transcript(four.result)).toBe(0);
    const hosts = four.result.json?.hosts ?? [];
    expect(hosts.map((h) => `${h.name}:${h.status}`).sort()).toEqual(fleet.map((h) => `${h.name}:changed`).sort());
    for (const h of hosts) {
      expect(h.verify.length).toBeGreaterThan(10);
      expect(h.verify.filter((c) => c.status === 'fail')).toEqual([]);
    }
    process.stderr.write(
      `[fleet-stack] first provision, verified: 1 Pi alone ${single.seconds.toFixed(1)} s; 4 Pis concurrently ${four.seconds.toFixed(1)} s (${(four.seconds / single.seconds).toFixed(2)}x)\n`,
    );

    // Each Pi's own keys reach the ingest, on both platforms.
    for (const h of fleet) {
      const k = keys.get(h.name);
      if (!k) throw new Error(`no keys for ${h.name}`);
      for (const platform of ['dlive', 'kick'] as const) {
        await waitFor(`${h.name}'s ${platform} recording`, async () => ((await recordingsFor(lab, platform, k[platform])).some((r) => r.bytes > 32 * 1024) ? true : undefined), 60_000, 500);
      }
    }

    // Group vars reached their members, and no Pi holds another Pi's keys anywhere readable.
    const printed = `${four.result.stdout}\n${four.result.stderr}`;
    for (const [i, h] of fleet.entries()) {
      const k = keys.get(h.name);
      if (!k) continue;
      expect(printed).not.toContain(k.dlive);
      expect(printed).not.toContain(k.kick);
      expect(await keysOnHost(h, [k.dlive, k.kick])).toEqual([]);
      const rtmp = await onHost(h, 'cat /etc/nginx/orbis/rtmp.conf', { user: 'root' });
      const others = fleet.filter((o) => o !== h).flatMap((o) => Object.values(keys.get(o.name) ?? {}));
      for (const other of others) expect(rtmp.stdout).not.toContain(other);
      // The group's bitrate, in what the streamer reads at each video.
      const lecture = await onHost(h, 'cat /etc/orbis/lecture.conf', { user: 'root' });
      const kbps = i < 2 ? BITRATE.salon : BITRATE.atelier;
      expect(lecture.stdout).toContain(`DEBIT_ARGS='-b:v ${kbps}k -maxrate ${kbps}k -bufsize ${2 * kbps}k'`);
    }
    await Promise.all(fleet.map((h) => onHost(h, 'systemctl stop orbis.service', { user: 'root' })));
  }, 900_000);
});
