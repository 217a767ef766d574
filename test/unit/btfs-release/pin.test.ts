// Pinning against releases served on loopback: every layout go-btfs publishes (plain tar, raw
// binary) and a gzipped tar, the checks they carry, redirects and failures, and what is written.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPins, writePins, type PinRequest } from '../../../src/btfs-release/pin.js';
import { fakeBinary, configYaml, makeTar, md5, release, serveReleases, sha256, type ReleaseServer } from './releases.js';

let server: ReleaseServer;
const arm64 = release('arm64');
const amd64 = release('amd64');

beforeAll(async () => {
  server = await serveReleases();
  const r = server.routes;
  r.set('/gh/v4.1.0/btfs-linux-arm64.tar', { body: arm64.tar });
  r.set('/gh/v4.1.0/btfs-linux-amd64.tar', { body: amd64.tar });
  r.set('/gh/v4.1.0/btfs-linux-arm64', { body: arm64.binary });
  r.set('/gz/v4.1.0/btfs-linux-arm64.tar.gz', { body: arm64.tarGz });
  // GitHub answers a release link with a redirect to its storage.
  r.set('/redirect/v4.1.0/btfs-linux-arm64.tar', { redirect: '/storage/abc?signed=1' });
  r.set('/storage/abc?signed=1', { body: arm64.tar });
  const other = fakeBinary('arm64', 'another build');
  r.set('/badmd5/v4.1.0/btfs-linux-arm64.tar', { body: makeTar({ 'config_linux_arm64.yaml': configYaml('4.1.0', md5(arm64.binary)), 'btfs-linux-arm64': other }) });
  r.set('/oldversion/v4.1.0/btfs-linux-arm64.tar', { body: release('arm64', '4.0.2').tar });
  r.set('/wrongarch/v4.1.0/btfs-linux-arm64.tar', { body: makeTar({ 'config_linux_amd64.yaml': configYaml('4.1.0', md5(amd64.binary)), 'btfs-linux-amd64': amd64.binary }) });
  r.set('/wrongelf/v4.1.0/btfs-linux-arm64', { body: amd64.binary });
  r.set('/nobinary/v4.1.0/btfs-linux-arm64.tar', { body: makeTar({ 'README.md': 'hello' }) });
  r.set('/stall/v4.1.0/btfs-linux-arm64', { stall: true });
  r.set('/short/v4.1.0/btfs-linux-arm64', { body: arm64.binary, contentLength: arm64.binary.length + 10 });
  r.set('/forbidden/v4.1.0/btfs-linux-arm64.tar', { status: 403 });
});
afterAll(() => server.close());

const CONF = (url: string, arm = '') =>
  [
    '# my Pi',
    'PLATEFORMES="dlive"   # DLive only',
    'DLIVE_CLE_FLUX="abcKey123"',
    '',
    'BTFS_VERSION="4.1.0"',
    `BTFS_URL_TELECHARGEMENT="${url}"`,
    `BTFS_SHA256_ARM64="${arm}"      # pinned by orbis btfs pin`,
    'BTFS_SHA256_AMD64=""',
    'BOUCLE=true',
    '',
  ].join('\n');

function confDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-pin-'));
  writeFileSync(join(dir, 'orbis.conf'), text, { mode: 0o640 });
  return dir;
}

const request = (cwd: string, extra: Partial<PinRequest> = {}): PinRequest => ({ conf: 'orbis.conf', cwd, arches: ['arm64'], replace: false, ...extra });
const template = (base: string, file = 'btfs-linux-{arch}.tar') => `${server.url}/${base}/v{version}/${file}`;

describe('planPins and writePins', () => {
  it("plain tar (go-btfs's asset): sha256 of the file, md5 and version checked, only that line written, 0600", async () => {
    const text = CONF(template('gh'));
    const dir = confDir(text);
    const plan = await planPins(request(dir, { arches: ['arm64', 'amd64'] }));
    expect(plan.ok).toBe(true);
    const [a, b] = plan.arches;
    expect(a).toMatchObject({ arch: 'arm64', status: 'new', url: `${server.url}/gh/v4.1.0/btfs-linux-arm64.tar`, download: { size: arm64.tar.length, sha256: sha256(arm64.tar) } });
    expect(a?.check).toMatchObject({ format: 'tar', md5: 'match', version: 'match', binary: { member: 'btfs-linux-arm64', md5: md5(arm64.binary), elfArch: 'arm64' }, yaml: { member: 'config_linux_arm64.yaml' } });
    expect(b?.download?.sha256).toBe(sha256(amd64.tar));

    const changes = writePins(plan, dir);
    expect(changes).toEqual([{ key: 'BTFS_SHA256_ARM64', line: 7, added: false }, { key: 'BTFS_SHA256_AMD64', line: 8, added: false }]);
    const after = readFileSync(join(dir, 'orbis.conf'), 'utf8');
    expect(after).toBe(
      text
        .replace('BTFS_SHA256_ARM64=""      #', `BTFS_SHA256_ARM64="${sha256(arm64.tar)}"      #`)
        .replace('BTFS_SHA256_AMD64=""', `BTFS_SHA256_AMD64="${sha256(amd64.tar)}"`),
    );
    expect(statSync(join(dir, 'orbis.conf')).mode & 0o777).toBe(0o600);

    // Again: the same file, nothing to write.
    const again = await planPins(request(dir));
    expect(again.arches[0]).toMatchObject({ status: 'unchanged', pinned: { sha256: sha256(arm64.tar), at: 'orbis.conf:7:19' } });
    expect(again.writes).toEqual([]);
  });

  it('a gzipped tar and the raw binary: told by content, whatever the URL says', async () => {
    const gz = await planPins(request(confDir(CONF(template('gz', 'btfs-linux-{arch}.tar.gz')))));
    expect(gz.arches[0]).toMatchObject({ status: 'new', download: { sha256: sha256(arm64.tarGz) }, check: { format: 'tar.gz', md5: 'match', version: 'match' } });
    const raw = await planPins(request(confDir(CONF(template('gh', 'btfs-linux-{arch}')))));
    expect(raw.arches[0]).toMatchObject({ status: 'new', download: { sha256: sha256(arm64.binary) }, check: { format: 'raw', md5: 'absent', binary: { elfArch: 'arm64' } } });
  });

  it('follows redirects (GitHub sends release links to its storage)', async () => {
    const plan = await planPins(request(confDir(CONF(template('redirect')))));
    expect(plan.arches[0]).toMatchObject({ status: 'new', download: { sha256: sha256(arm64.tar), finalUrl: `${server.url}/storage/abc?signed=1` } });
  });

  it('a changed upstream file is refused with both hashes, and nothing is written; --replace pins it', async () => {
    const old = 'cd'.repeat(32);
    const text = CONF(template('gh'), old);
    const dir = confDir(text);
    const plan = await planPins(request(dir));
    expect(plan.ok).toBe(false);
    expect(plan.writes).toEqual([]);
    const problem = plan.arches[0]?.problem;
    expect(problem?.message).toContain(`orbis.conf:7:19: BTFS_SHA256_ARM64 pins sha256 ${old}, but ${server.url}/gh/v4.1.0/btfs-linux-arm64.tar now serves sha256 ${sha256(arm64.tar)}`);
    expect(problem?.message).toMatch(/the file changed since it was pinned \(re-published upstream/);
    expect(problem?.hint).toContain('orbis btfs pin --conf orbis.conf --replace');
    expect(writePins(plan, dir)).toEqual([]);
    expect(readFileSync(join(dir, 'orbis.conf'), 'utf8')).toBe(text);

    const replaced = await planPins(request(dir, { replace: true }));
    expect(replaced.arches[0]?.status).toBe('replace');
    writePins(replaced, dir);
    expect(readFileSync(join(dir, 'orbis.conf'), 'utf8')).toBe(text.replace(old, sha256(arm64.tar)));
  });

  it.each([
    ['badmd5', 'btfs-linux-{arch}.tar', new RegExp(`btfs-linux-arm64 in the tar has md5 ${md5(fakeBinary('arm64', 'another build'))}, but config_linux_arm64.yaml says ${md5(arm64.binary)}`)],
    ['oldversion', 'btfs-linux-{arch}.tar', /config_linux_arm64\.yaml in the tar says version 4\.0\.2, but BTFS_VERSION is 4\.1\.0/],
    ['wrongarch', 'btfs-linux-{arch}.tar', /holds config_linux_amd64\.yaml, not config_linux_arm64\.yaml: it is another architecture's release/],
    ['wrongelf', 'btfs-linux-{arch}', /the download is an amd64 program, not arm64/],
    ['nobinary', 'btfs-linux-{arch}.tar', /holds no executable named btfs-linux-arm64 or btfs \(it holds README\.md\)/],
  ])('refuses a release that does not check out: %s', async (base, file, message) => {
    const text = CONF(template(base, file));
    const dir = confDir(text);
    const plan = await planPins(request(dir));
    expect(plan.ok).toBe(false);
    expect(plan.arches[0]?.status).toBe('failed');
    expect(plan.arches[0]?.problem?.message).toMatch(message);
    expect(plan.writes).toEqual([]);
  });

  it('a failed download names the URL, the status or network error, and the way out (--url)', async () => {
    const missing = await planPins(request(confDir(CONF(template('nowhere')))));
    expect(missing.arches[0]?.problem?.message).toBe(`cannot download ${server.url}/nowhere/v4.1.0/btfs-linux-arm64.tar: HTTP 404 Not Found`);
    expect(missing.arches[0]?.problem?.hint).toMatch(/releases\/tag\/v4\.1\.0.*--url \(or BTFS_URL_TELECHARGEMENT\) 'http:\/\/mirror\.lan\/btfs\/v\{version\}\/btfs-linux-\{arch\}\.tar'/);
    const forbidden = await planPins(request(confDir(CONF(template('forbidden')))));
    expect(forbidden.arches[0]?.problem?.message).toMatch(/: HTTP 403 Forbidden$/);
    const short = await planPins(request(confDir(CONF(template('short', 'btfs-linux-{arch}'))), { idleTimeoutMs: 5000 }));
    expect(short.arches[0]?.problem?.message).toMatch(/the download broke off after \d+ bytes: |the download failed: .*other side closed/);
    const stalled = await planPins(request(confDir(CONF(template('stall', 'btfs-linux-{arch}'))), { idleTimeoutMs: 300 }));
    expect(stalled.arches[0]?.problem?.message).toMatch(/stalled: no data for 0\.3 s after 10 bytes/);
    // Nothing listens on a closed loopback port.
    const closed = await serveReleases();
    await closed.close();
    const refused = await planPins(request(confDir(CONF(`${closed.url}/v{version}/{arch}`))));
    expect(refused.arches[0]?.problem?.message).toMatch(/the download failed: .*ECONNREFUSED/);
  });

  it('--url downloads from the template given and writes it into the conf; conf errors say where', async () => {
    const text = CONF('https://github.com/bittorrent/go-btfs/releases/download/v{version}/btfs-linux-{arch}.tar');
    const dir = confDir(text);
    const plan = await planPins(request(dir, { url: template('gh') }));
    expect(plan.writes.map((w) => w.key)).toEqual(['BTFS_URL_TELECHARGEMENT', 'BTFS_SHA256_ARM64']);
    writePins(plan, dir);
    const after = readFileSync(join(dir, 'orbis.conf'), 'utf8');
    expect(after).toContain(`BTFS_URL_TELECHARGEMENT="${template('gh')}"\n`);
    expect(after.split('\n').filter((l) => !l.startsWith('BTFS_URL') && !l.startsWith('BTFS_SHA256_ARM64')).join('\n')).toBe(
      text.split('\n').filter((l) => !l.startsWith('BTFS_URL') && !l.startsWith('BTFS_SHA256_ARM64')).join('\n'),
    );

    const bad = confDir(`BTFS_VERSION="v4"\n`);
    await expect(planPins(request(bad))).rejects.toThrow(/^orbis\.conf:1:14: BTFS_VERSION: must be a version such as 4\.1\.0/);
    await expect(planPins(request(bad, { conf: 'missing.conf' }))).rejects.toThrow(/^missing\.conf: no such file \(hint: write it with `orbis init`/);
  });

  it('refuses to write over a conf that changed while downloading', async () => {
    const dir = confDir(CONF(template('gh')));
    const plan = await planPins(request(dir));
    writeFileSync(join(dir, 'orbis.conf'), `${CONF(template('gh'))}# edited meanwhile\n`);
    expect(() => writePins(plan, dir)).toThrow(/orbis\.conf: changed while the releases were downloaded; nothing was written/);
  });
});
