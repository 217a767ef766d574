// The stack's roles (nginx-rtmp, stunnel, btfs, orbis-service) rendered with a fixed context:
// every template against a golden file (ORBIS_UPDATE_GOLDEN=1 rewrites them), and properties of
// the whole desired state for each platform choice: where the keys go, what exists without Kick.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { renderContext } from '../../../src/roles/context.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import type { DesiredFile } from '../../../src/resources/types.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { splitRoleVariables } from '../../../src/roles/variables.js';
import { packageRoot } from '../../../src/util/paths.js';
import { hostFacts } from '../resources/fixtures.js';

const ROOT = packageRoot();
const GOLDEN = join(ROOT, 'test', 'fixtures', 'golden');
const DLIVE_KEY = 'dlive_GOLDEN_key1';
const KICK_KEY = 'sk_us-west-2_GOLDEN_key2';
const STACK = ['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'];

const roles = loadRoles(STACK, [roleSourceAt(ROOT)], '0.1.0');

type Platforms = 'toutes' | 'dlive' | 'kick';

function contextFor(platforms: Platforms, vars: string[] = []): Record<string, unknown> {
  const loaded = loadSettings({
    env: { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY },
    vars: [
      `PLATEFORMES=${platforms}`,
      'ENCODEUR_VIDEO=libx264',
      `LISTE_LECTURE=${join(ROOT, 'test', 'fixtures', 'stack', 'liste.txt')}`,
      'BTFS_SHA256_ARM64=862bd48e31d4ce4f6f1def3ee96ac805e4b35608e02c44c3621489ea89c985c4',
      ...vars,
    ],
  });
  const { roleValues } = splitRoleVariables(roles, [], {});
  return renderContext(loaded, { values: roleValues }, hostFacts({ arch: 'arm64' }), '0.1.0');
}

function desiredFor(platforms: Platforms, vars: string[] = []) {
  return buildDesired(roles, contextFor(platforms, vars), new TemplateRenderer());
}

function files(platforms: Platforms): Map<string, DesiredFile> {
  const out = new Map<string, DesiredFile>();
  for (const r of desiredFor(platforms).resources) if (r.kind === 'file') out.set(r.path, r);
  return out;
}

/** Compare with the golden file; ORBIS_UPDATE_GOLDEN=1 writes it instead. */
function expectGolden(content: string, name: string): void {
  const path = join(GOLDEN, name);
  if (process.env.ORBIS_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  expect(content).toBe(readFileSync(path, 'utf8'));
}

describe('stack templates (golden files)', () => {
  const both = files('toutes');
  const dliveOnly = files('dlive');
  const kickOnly = files('kick');

  it.each([
    ['/etc/nginx/nginx.conf', 'nginx-rtmp/nginx.conf'],
    ['/etc/nginx/orbis/rtmp.conf', 'nginx-rtmp/rtmp.conf'],
    ['/etc/systemd/system/nginx.service.d/orbis.conf', 'nginx-rtmp/nginx.service.d-orbis.conf'],
    ['/etc/stunnel/kick.conf', 'stunnel/kick.conf'],
    ['/etc/systemd/system/stunnel@kick.service.d/orbis.conf', 'stunnel/stunnel@kick.service.d-orbis.conf'],
    ['/etc/systemd/system/btfs.service', 'btfs/btfs.service'],
    ['/etc/orbis/orbis.conf', 'orbis-service/orbis.conf'],
    ['/etc/orbis/lecture.conf', 'orbis-service/lecture.conf'],
    ['/etc/orbis/liste-lecture.txt', 'orbis-service/liste-lecture.txt'],
    ['/usr/local/bin/orbis-diffuser', 'orbis-service/orbis-diffuser'],
    ['/etc/systemd/system/orbis.service', 'orbis-service/orbis.service'],
    ['/etc/orbis/cache.conf', 'orbis-service/cache.conf'],
    ['/usr/local/bin/orbis-cache', 'orbis-service/orbis-cache'],
    ['/etc/systemd/system/orbis-cache.service', 'orbis-service/orbis-cache.service'],
    ['/etc/systemd/journald.conf.d/orbis.conf', 'orbis-service/journald.conf'],
  ])('both platforms: %s', (path, golden) => {
    expectGolden(both.get(path)?.content ?? `(${path} not rendered)`, golden);
  });

  it.each([
    ['/etc/nginx/orbis/rtmp.conf', 'nginx-rtmp/rtmp.conf.dlive'],
    ['/etc/systemd/system/orbis.service', 'orbis-service/orbis.service.dlive'],
  ])('DLive only: %s', (path, golden) => {
    expectGolden(dliveOnly.get(path)?.content ?? `(${path} not rendered)`, golden);
  });

  it('Kick only: /etc/nginx/orbis/rtmp.conf', () => {
    expectGolden(kickOnly.get('/etc/nginx/orbis/rtmp.conf')?.content ?? '(not rendered)', 'nginx-rtmp/rtmp.conf.kick');
  });

  it('renders shell files that bash accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-stack-'));
    for (const path of ['/usr/local/bin/orbis-diffuser', '/usr/local/bin/orbis-cache', '/etc/orbis/orbis.conf', '/etc/orbis/cache.conf']) {
      const file = join(dir, path.split('/').pop() ?? 'x');
      writeFileSync(file, both.get(path)?.content ?? '');
      expect(() => execFileSync('bash', ['-n', file])).not.toThrow();
    }
  });

  it.each(['/usr/local/bin/orbis-diffuser', '/usr/local/bin/orbis-cache'])('renders %s shellcheck-clean (it runs on the Pi, as any script of src/pi)', (path) => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: both.get(path)?.content ?? '(not rendered)', encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck cannot run (${r.error.message}): apt-get install shellcheck`);
    expect(`${r.stdout}${r.stderr}`).toBe('');
  });

  it('encodes with the one-encode settings and the configured size', () => {
    const conf = files('toutes').get('/etc/orbis/orbis.conf')?.content ?? '';
    expect(conf).toContain('LARGEUR=1280\nHAUTEUR=720\nIMAGES_PAR_SECONDE=30\n');
    // Main with CABAC, GOP 2 s: the shape, in orbis.conf (a change restarts the streamer).
    expect(conf).toContain("ENCODEUR_ARGS='-c:v libx264 -preset ultrafast -profile:v main -level:v 4.0 -x264-params cabac=1 -g 60 ");
    expect(conf).not.toContain('-b:v');
    // Both platforms on: the lower of the two bitrates, in lecture.conf (taken at the next video).
    const lecture = files('toutes').get('/etc/orbis/lecture.conf')?.content ?? '';
    expect(lecture).toContain("DEBIT_ARGS='-b:v 3500k -maxrate 3500k -bufsize 7000k'");
  });

  it('splits the streamer settings so that none is lost or set twice: orbis.conf (read once) and lecture.conf (each video)', () => {
    const shape = files('toutes').get('/etc/orbis/orbis.conf')?.content ?? '';
    const lecture = files('toutes').get('/etc/orbis/lecture.conf')?.content ?? '';
    const assigned = (text: string): string[] => [...text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1] as string);
    const diffuser = files('toutes').get('/usr/local/bin/orbis-diffuser')?.content ?? '';
    // Every upper-case setting the streamer reads comes from exactly one of the two files.
    const read = new Set([...diffuser.matchAll(/\$\{?([A-Z][A-Z_]+)\b/g)].map((m) => m[1] as string));
    const fromFiles = [...assigned(shape), ...assigned(lecture)];
    expect(new Set(fromFiles).size).toBe(fromFiles.length);
    const environment = ['RUNTIME_DIRECTORY', 'CACHE_DIRECTORY', 'ORBIS_CONF', 'ORBIS_LECTURE', 'EPOCHREALTIME', 'SECONDS'];
    expect([...read].filter((v) => !fromFiles.includes(v) && !environment.includes(v)).sort()).toEqual([]);
  });
});

describe('stack desired state', () => {
  it('reveals the stream keys in exactly one file, readable by root only', () => {
    for (const platforms of ['toutes', 'dlive', 'kick'] as const) {
      const desired = desiredFor(platforms);
      const withKeys = desired.resources.filter((r) => JSON.stringify(r).includes(DLIVE_KEY) || JSON.stringify(r).includes(KICK_KEY));
      expect(withKeys.map((r) => r.id.name)).toEqual(['/etc/nginx/orbis/rtmp.conf']);
      const rtmp = withKeys[0] as DesiredFile;
      expect([rtmp.mode, rtmp.owner, rtmp.group]).toEqual(['0600', 'root', 'root']);
      // The engine masks what it reveals, wherever text of this run is shown.
      expect(desired.secretValues.sort()).toEqual(
        [...(platforms !== 'kick' ? [DLIVE_KEY] : []), ...(platforms !== 'dlive' ? [KICK_KEY] : [])].sort(),
      );
    }
  });

  it('pushes to each enabled platform and only to those', () => {
    const pushes = (p: Platforms): string[] =>
      (files(p).get('/etc/nginx/orbis/rtmp.conf')?.content ?? '').split('\n').filter((l) => /^\s*push /.test(l)).map((l) => l.trim());
    expect(pushes('toutes')).toEqual([
      `push rtmp://stream.dlive.tv/live playPath=${DLIVE_KEY};`,
      `push rtmp://127.0.0.1:11935/app playPath=${KICK_KEY} tcUrl=rtmps://fa723fc1b171.global-contribute.live-video.net:443/app;`,
    ]);
    expect(pushes('dlive')).toEqual([`push rtmp://stream.dlive.tv/live playPath=${DLIVE_KEY};`]);
    expect(pushes('kick')).toHaveLength(1);
  });

  it('without Kick: no stunnel package or config, and the tunnel is stopped and disabled', () => {
    const stunnel = desiredFor('dlive').resources.filter((r) => r.id.role === 'stunnel');
    expect(stunnel).toEqual([
      expect.objectContaining({ kind: 'service', unit: 'stunnel@kick.service', enabled: false, state: 'stopped' }),
    ]);
    const withKick = desiredFor('toutes').resources.filter((r) => r.id.role === 'stunnel').map((r) => `${r.kind} ${r.id.name}`);
    expect(withKick).toEqual([
      'package stunnel4',
      'package ca-certificates',
      'file /etc/stunnel/kick.conf',
      'file /etc/systemd/system/stunnel@kick.service.d/orbis.conf',
      "command keep Debian's all-configs stunnel4 service off",
      'service stunnel@kick.service',
    ]);
    expect(files('dlive').get('/etc/systemd/system/orbis.service')?.content).not.toContain('stunnel');
  });

  it('a gateway-only BTFS node by default: a full-node repo refused first, init in simple mode, no chain id; the release of the host architecture', () => {
    const resources = desiredFor('toutes').resources.filter((r) => r.id.role === 'btfs');
    expect(resources.filter((r) => r.kind === 'precondition').map((r) => r.id.name)).toEqual(['a system user for the daemon', 'a full-node repo where a gateway is wanted']);
    expect(resources.find((r) => r.id.name === 'a full-node repo where a gateway is wanted')).toEqual(expect.objectContaining({ kind: 'precondition', check: expect.stringContaining('"SimpleMode":[[:space:]]*true'), message: expect.stringContaining('BTFS_MODE=forcer-simple') }));
    const command = (name: string, vars: string[] = []): string | undefined =>
      (desiredFor('toutes', vars).resources.find((r) => r.id.role === 'btfs' && r.id.name === name) as { command: string } | undefined)?.command;
    expect(command('btfs init')).toBe('BTFS_PATH=/var/lib/btfs/.btfs /usr/local/bin/btfs init --simple-mode --empty-repo');
    expect(command('btfs simple mode')).toBeUndefined();
    const unit = (vars: string[] = []): string =>
      (desiredFor('toutes', vars).resources.find((r) => r.id.name === '/etc/systemd/system/btfs.service') as DesiredFile).content;
    expect(unit()).toMatch(/\nType=notify\nNotifyAccess=main\n[\s\S]*\nExecStart=\/usr\/local\/bin\/btfs daemon\n/);
    expect(resources.find((r) => r.kind === 'download')).toEqual(
      expect.objectContaining({
        url: 'https://github.com/bittorrent/go-btfs/releases/download/btfs-v4.1.0/btfs-linux-arm64.tar',
        sha256: '862bd48e31d4ce4f6f1def3ee96ac805e4b35608e02c44c3621489ea89c985c4',
        path: '/usr/local/bin/btfs',
        // go-btfs's own tar holds btfs-linux-<arch>; older tarballs a plain `btfs`.
        extract: 'btfs-linux-arm64 btfs',
      }),
    );

    // A full node: its chain id checked first and recorded at init, passed to the daemon, which is
    // started without waiting on its funding.
    const full = desiredFor('toutes', ['BTFS_MODE=complet']).resources.filter((r) => r.id.role === 'btfs');
    expect(full.find((r) => r.id.name === 'chain id of the existing repo')).toEqual(expect.objectContaining({ kind: 'precondition', check: expect.stringContaining('grep -qx 199 /var/lib/btfs/.btfs/orbis-chain-id') }));
    expect(command('btfs init', ['BTFS_MODE=complet'])).toBe("BTFS_PATH=/var/lib/btfs/.btfs /usr/local/bin/btfs init && printf '%s\\n' 199 > /var/lib/btfs/.btfs/orbis-chain-id");
    expect(unit(['BTFS_MODE=complet'])).toMatch(/\nType=simple\n[\s\S]*\nExecStart=\/usr\/local\/bin\/btfs daemon --chain-id 199\n/);

    // The way out for a full-node repo: switched to simple mode by go-btfs's own command, once.
    const forced = desiredFor('toutes', ['BTFS_MODE=forcer-simple']).resources.filter((r) => r.id.role === 'btfs');
    expect(forced.filter((r) => r.kind === 'precondition').map((r) => r.id.name)).toEqual(['a system user for the daemon']); // no mode precondition
    expect(forced.find((r) => r.id.name === 'btfs simple mode')).toEqual(
      expect.objectContaining({ command: 'BTFS_PATH=/var/lib/btfs/.btfs /usr/local/bin/btfs config sync-simple-mode true', unless: expect.stringContaining('SimpleMode'), notify: ['restart btfs'] }),
    );
  });

  it('exposes the BTFS swarm only when asked', () => {
    const swarm = (vars: string[]): string =>
      (desiredFor('toutes', vars).resources.find((r) => r.id.name === 'btfs addresses') as { command: string }).command.match(/Addresses\.Swarm '(.*)'/)?.[1] ?? '';
    expect(swarm([])).toBe('["/ip4/127.0.0.1/tcp/4001"]');
    expect(swarm(['BTFS_ESSAIM_EXPOSE=true', 'BTFS_PORT_ESSAIM=4101'])).toBe('["/ip4/0.0.0.0/tcp/4101"]');
  });

  it('gives up on the streamer after TENTATIVES_RECONNEXION restarts DELAI_RECONNEXION apart', () => {
    const unit = (vars: string[]): string =>
      (desiredFor('toutes', vars).resources.find((r) => r.id.name === '/etc/systemd/system/orbis.service') as DesiredFile).content;
    // 4 starts (3 restarts), each attempt at most 10 s delay + a 30 s stall (BLOCAGE_MAX) + 60 s.
    expect(unit([])).toMatch(/StartLimitBurst=4\nStartLimitIntervalSec=400\n[\s\S]*RestartSec=10s/);
    expect(unit(['TENTATIVES_RECONNEXION=0', 'DELAI_RECONNEXION=5'])).toMatch(/StartLimitBurst=1\nStartLimitIntervalSec=95\n[\s\S]*RestartSec=5s/);
  });
});
