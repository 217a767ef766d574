// Fleet rollouts (issue "Fleet rollouts"): `orbis apply -i INVENTORY` over lab Pis, in batches,
// with a canary, --max-fail, skipped hosts and a retry file; inventory values reach each Pi.
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { freshHost, mustOnHost, onHost, releaseHost } from './helpers/lab.js';
import { orbis, type OrbisResult } from './helpers/orbis.js';

const work = mkdtempSync(join(tmpdir(), 'orbis-fleet-e2e-'));
const knownHosts = join(work, 'known_hosts');
const env = { ORBIS_ROLES_PATH: join(packageRoot(), 'test', 'fixtures') };

function inventory(hosts: LabHost[], options: { brokenPort?: string } = {}): string {
  const file = join(work, 'fleet.yaml');
  const lines = ['connection:', '  user: pi', `  key: ${hosts[0]?.keyPath}`, 'vars:', '  DLIVE_BITRATE_VIDEO: 3600', 'hosts:'];
  for (const h of hosts) {
    lines.push(`  ${h.name}:`, `    address: ${h.address}`);
    if (options.brokenPort === h.name) lines.push('    port: 2222');
  }
  lines.push('groups:', '  salon:', `    hosts: [${hosts[1]?.name}]`, '    vars:', '      DLIVE_BITRATE_VIDEO: 4000', '');
  writeFileSync(file, lines.join('\n'));
  return file;
}

function apply(file: string, args: string[]): Promise<OrbisResult> {
  return orbis(['apply', '-i', file, '--roles', 'fleet-mini', '--known-hosts', knownHosts, '--ssh-config', '/dev/null', '--conf', '/dev/null', '--json', ...args], { env });
}

const statuses = (result: OrbisResult): string[] => (result.json?.hosts ?? []).map((h) => `${h.name}:${h.status}`);

describe('orbis apply -i', () => {
  let hosts: LabHost[];
  beforeAll(async () => {
    hosts = await Promise.all([freshHost(), freshHost(), freshHost()]);
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => releaseHost(h)));
  });

  it('a failing canary stops the rollout: the other hosts are skipped, untouched, and listed in the retry file', async () => {
    const [a, b, c] = hosts as [LabHost, LabHost, LabHost];
    const file = inventory(hosts, { brokenPort: a.name });
    const retry = join(work, 'canary.retry');
    // A symlink planted at the retry file's name is replaced, not followed.
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'untouched\n');
    symlinkSync(victim, retry);
    const result = await apply(file, ['--canary', '1', '--serial', '1', '--retry-file', retry]);
    expect(result.code, result.stderr).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(lstatSync(retry).isFile()).toBe(true);
    expect(statuses(result)).toEqual([`${a.name}:unreachable`, `${b.name}:skipped`, `${c.name}:skipped`]);
    expect(JSON.parse(result.stdout).stoppedBecause).toMatch(/canary/);
    for (const h of [b, c]) expect((await onHost(h, 'test -e /etc/orbis-fleet/bitrate')).code).toBe(1);
    expect(readFileSync(retry, 'utf8').split('\n').filter(Boolean)).toEqual([a.name, b.name, c.name]);
  });

  it('rolls out batch by batch; inventory precedence reaches each Pi; --limit @retry picks up the rest', async () => {
    const [a, b, c] = hosts as [LabHost, LabHost, LabHost];
    const file = inventory(hosts);
    const retry = join(work, 'canary.retry');
    // The same retry file: a run that finishes every host removes it.
    const result = await apply(file, ['--limit', `@${retry}`, '--serial', '2', '--retry-file', retry]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(retry)).toBe(false);
    expect(statuses(result)).toEqual([`${a.name}:changed`, `${b.name}:changed`, `${c.name}:changed`]);
    // fleet vars 3600, group salon 4000 for b only
    expect((await mustOnHost(a, 'cat /etc/orbis-fleet/bitrate')).trim()).toBe('3600');
    expect((await mustOnHost(b, 'cat /etc/orbis-fleet/bitrate')).trim()).toBe('4000');
    // --var wins over every inventory level
    const override = await apply(file, ['--limit', b.name, '--var', 'DLIVE_BITRATE_VIDEO=4500', '--retry-file', join(work, 'second.retry')]);
    expect(override.code, override.stderr).toBe(0);
    expect((await mustOnHost(b, 'cat /etc/orbis-fleet/bitrate')).trim()).toBe('4500');
    expect(existsSync(join(work, 'second.retry'))).toBe(false);
  });

  it('--max-fail lets a rollout go on past a tolerated failure, and exits 1', async () => {
    const [a, b, c] = hosts as [LabHost, LabHost, LabHost];
    const file = inventory(hosts, { brokenPort: b.name });
    const result = await apply(file, ['--serial', '1', '--max-fail', '50%', '--var', 'DLIVE_BITRATE_VIDEO=3700']);
    expect(result.code).toBe(1);
    expect(statuses(result)).toEqual([`${a.name}:changed`, `${b.name}:unreachable`, `${c.name}:changed`]);
    expect((await mustOnHost(c, 'cat /etc/orbis-fleet/bitrate')).trim()).toBe('3700');
  });

  it('check -i reports drift per host with exit 2, in one round trip each', async () => {
    const file = inventory(hosts);
    const result = await orbis(['check', '-i', file, '--roles', 'fleet-mini', '--known-hosts', knownHosts, '--ssh-config', '/dev/null', '--conf', '/dev/null', '--json'], { env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.json?.hosts.map((h) => h.status)).toEqual(['drift', 'drift', 'drift']);
    expect(result.json?.hosts.every((h) => h.roundTrips === 1)).toBe(true);
  });
});
