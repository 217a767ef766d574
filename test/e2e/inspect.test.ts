// `orbis facts` and `orbis render` against a lab Pi provisioned with one small role (nginx-rtmp,
// whose rtmp.conf holds both stream keys): facts in one round trip saying what provision left
// there; render writing byte for byte what provision wrote, keys masked unless --show-secrets.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost } from '../../src/lab/index.js';
import type { HostFacts } from '../../src/facts/types.js';
import { freshHost, mustOnHost, releaseHost } from './helpers/lab.js';
import { labConnection, orbis, provision, type OrbisResult } from './helpers/orbis.js';

const work = mkdtempSync(join(tmpdir(), 'orbis-inspect-e2e-'));
const knownHosts = join(work, 'known_hosts');
const id = randomBytes(4).toString('hex');
const KEYS = { dlive: `inspect_dlive_${id}`, kick: `sk_us-west-2_inspect_${id}` };
const env = { ORBIS_DLIVE_CLE_FLUX: KEYS.dlive, ORBIS_KICK_CLE_FLUX: KEYS.kick };
const ROLES = ['--roles', 'nginx-rtmp'];
const FILES = ['/etc/nginx/nginx.conf', '/etc/nginx/orbis/rtmp.conf', '/etc/systemd/system/nginx.service.d/orbis.conf'];

let pi: LabHost;

function run(command: 'facts' | 'render', args: string[]): Promise<OrbisResult> {
  return orbis([command, `pi@${pi.address}`, ...labConnection(pi, knownHosts), ...ROLES, ...args], { env });
}

function expectNoKey(result: OrbisResult): void {
  for (const key of Object.values(KEYS)) {
    expect(result.stdout.includes(key), 'a key in stdout').toBe(false);
    expect(result.stderr.includes(key), 'a key in stderr').toBe(false);
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('orbis facts and orbis render on a provisioned Pi', () => {
  const onPi = new Map<string, string>();

  beforeAll(async () => {
    pi = await freshHost();
    const provisioned = await provision(pi, knownHosts, [...ROLES, '--no-verify', '--json'], env);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    for (const path of FILES) onPi.set(path, await mustOnHost(pi, `sudo cat ${path}`));
  });
  afterAll(async () => {
    await releaseHost(pi);
    rmSync(work, { recursive: true, force: true });
  });

  it('facts: one round trip, JSON of what provision left there, no key', async () => {
    const result = await run('facts', []);
    expect(result.code, result.stderr).toBe(0);
    expectNoKey(result);
    const report = JSON.parse(result.stdout) as { host: string; target: string; roundTrips: number; facts: HostFacts };
    expect(report).toMatchObject({ host: `pi@${pi.address}`, roundTrips: 1 });
    const { facts } = report;
    expect(facts).toMatchObject({ arch: 'amd64', root: true, os: { id: 'debian', codename: 'bookworm' }, pendingHandlers: [] });
    expect(facts.packages.nginx).toMatch(/^\d/);
    expect(facts.packages['libnginx-mod-rtmp']).toMatch(/^\d/);
    expect(facts.units['nginx.service']).toMatchObject({ load: 'loaded', active: 'active', enabled: 'enabled' });
    expect(facts.paths['/etc/nginx/orbis/rtmp.conf']).toMatchObject({ exists: true, type: 'file', mode: '0600', owner: 'root', group: 'root', sha256: sha256(onPi.get('/etc/nginx/orbis/rtmp.conf') ?? '') });
    expect(facts.manifest['/etc/nginx/nginx.conf']).toBe(sha256(onPi.get('/etc/nginx/nginx.conf') ?? ''));
  });

  it('render --show-secrets writes byte for byte what provision wrote, the key file 0600', async () => {
    const out = join(work, 'clear');
    const result = await run('render', ['--out', out, '--show-secrets']);
    expect(result.code, result.stderr).toBe(0);
    expectNoKey(result);
    for (const path of FILES) expect(readFileSync(join(out, path), 'utf8'), path).toBe(onPi.get(path));
    expect(onPi.get('/etc/nginx/orbis/rtmp.conf')).toContain(`playPath=${KEYS.dlive};`);
    expect(statSync(join(out, 'etc/nginx/orbis/rtmp.conf')).mode & 0o777).toBe(0o600);
  });

  it('render masks the keys by default: the same files, the keys replaced by the mask', async () => {
    const out = join(work, 'masked');
    const result = await run('render', ['--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expectNoKey(result);
    const rtmp = readFileSync(join(out, 'etc/nginx/orbis/rtmp.conf'), 'utf8');
    expect(rtmp).toBe((onPi.get('/etc/nginx/orbis/rtmp.conf') ?? '').replace(KEYS.dlive, '********').replace(KEYS.kick, '********'));
    expect(readFileSync(join(out, 'etc/nginx/nginx.conf'), 'utf8')).toBe(onPi.get('/etc/nginx/nginx.conf'));
    const report = JSON.parse(result.stdout) as { files: Array<{ path: string; masked: boolean; mode: string }> };
    expect(report.files.map((f) => f.path)).toEqual(FILES);
    expect(report.files.find((f) => f.path === '/etc/nginx/orbis/rtmp.conf')).toMatchObject({ masked: true, mode: '0600' });
  });
});
