// `orbis import` (issue 10) on a lab Pi set up the way upstream Orbis's guide sets one up by hand
// (test/e2e/helpers/upstream.ts): its project folder with the conf and keys, playlists and
// scripts, the rtmp block with the keys included in nginx.conf, the stats site, stunnel4 on
// stunnel.conf, btfs.service as pi, and the streamer started by hand. Then the imported
// configuration provisions the same Pi with no setting lost, and --remove-old retires upstream's
// files only once the orbis-managed stack verifies. One Pi for the whole file, tests in order.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveEntries, parseConf } from '../../src/config/conf-parser.js';
import { loadSettings } from '../../src/config/load.js';
import { isSecret } from '../../src/redact/secret.js';
import { UPSTREAM_RULES, UPSTREAM_VARIABLES } from '../../src/config/upstream-compat.js';
import { loadInventory } from '../../src/inventory/load.js';
import { loadSecrets } from '../../src/secrets/index.js';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, onHostSurely, releaseHost } from './helpers/lab.js';
import { labConnection, orbis, provision, type OrbisResult } from './helpers/orbis.js';
import { btfsReleaseEnv, expectMedia, hostNow, keysOnHost, newKeys, newRecording, recordingNames, stackDiagnostics, unitJournal, unitStates } from './helpers/stack.js';
import { installUpstream, labCids, startUpstreamStreamer, UPSTREAM_LIVE, UPSTREAM_PROJECT, upstreamConfText, upstreamPlaylists } from './helpers/upstream.js';

const keys = newKeys('import');
const out = mkdtempSync(join(tmpdir(), 'orbis-import-e2e-'));
const knownHosts = join(out, 'known_hosts');
const confPath = join(out, 'conf', 'orbis.conf');
/** Everything orbis printed in this file: no stream key may be in it. */
const printed: string[] = [];

let lab: LabState;
let pi: LabHost;

interface ImportJson {
  roundTrips: number;
  variables: Array<{ variable: string; status: string; reason: string; from?: string }>;
  settings: Array<{ name: string; value?: string; secret?: true; from: string }>;
  conflicts: Array<{ setting: string; kept: string; values?: { kept: string; over: string[] } }>;
  findings: Array<{ level: string; message: string; hint?: string }>;
  problems: string[];
  written: { files: Array<{ path: string; mode: string }> } | null;
}

interface RemoveOldJson {
  status: string;
  blockers: Array<{ message: string }>;
  verify: Array<{ name: string; status: string }>;
  removed: string[];
  kept: Array<{ path: string }>;
  disabled: string[];
  archive?: { path: string };
}

async function importCli(args: string[], outDir = out): Promise<OrbisResult> {
  const result = await orbis(['import', `pi@${pi.address}`, ...labConnection(pi, knownHosts), '--out', outDir, ...args]);
  printed.push(result.stdout, result.stderr);
  return result;
}

function json<T>(result: OrbisResult): T {
  if (!result.stdout.trim().startsWith('{')) throw new Error(`no JSON report (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * The lab's BTFS release (an orbis-only setting upstream never had); the keys come from the import.
 * go-btfs's raw binary, as the guide fetched it: this Pi proves the raw release streams to both
 * platforms (the stack's Pi does the plain tar).
 */
function labEnv(): Record<string, string> {
  return btfsReleaseEnv(lab, 'raw');
}

/** A command as root on the Pi that must succeed (SSH failing on a loaded machine is retried). */
async function onPi(command: string): Promise<string> {
  const result = await onHostSurely(pi, command, { user: 'root' });
  if (result.code !== 0) throw new Error(`on ${pi.name}: \`${command}\` exited ${result.code}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  return result.stdout;
}

const setting = (report: ImportJson, name: string) => report.settings.find((s) => s.name === name);

describe('orbis import of a Pi set up by hand with upstream Orbis', () => {
  let imported: ImportJson;
  let streamerPid: number;

  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost();
    const started = Date.now();
    await installUpstream(lab, pi, keys);
    await startUpstreamStreamer(pi, ['-l', 'ldl/ldl_cyberpunk.txt', '-m']);
    process.stderr.write(`[import] upstream install laid down in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('reads the install in one round trip, carries or explains every upstream variable, writes the conf 0600, prints no key', async () => {
    const started = Date.now();
    const result = await importCli(['--json']);
    expect(result.code, result.stderr).toBe(0);
    imported = json<ImportJson>(result);
    process.stderr.write(`[import] import: ${((Date.now() - started) / 1000).toFixed(1)} s, ${imported.roundTrips} round trip(s)\n`);
    expect(imported.roundTrips).toBe(1);
    expect(imported.problems).toEqual([]);

    // Each of the 58, in order, with a status and a reason; 'used' ones carried.
    expect(imported.variables.map((v) => v.variable)).toEqual([...UPSTREAM_VARIABLES]);
    for (const v of imported.variables) {
      const rule = UPSTREAM_RULES[v.variable as keyof typeof UPSTREAM_RULES];
      expect(v.status, v.variable).toBe(rule.status === 'used' ? 'carried' : rule.status === 'mapped' ? 'mapped' : 'dropped');
      expect(v.reason.length, v.variable).toBeGreaterThan(10);
    }
    // Reconciled from the live files and the running streamer.
    expect(imported.variables.find((v) => v.variable === 'KICK_CLE_FLUX')?.from).toBe('/etc/nginx/orbis-rtmp-block.conf:15 (Kick push)');
    expect(setting(imported, 'KICK_CLE_FLUX')).toEqual({ name: 'KICK_CLE_FLUX', secret: true, from: '/etc/nginx/orbis-rtmp-block.conf:15 (Kick push)' });
    expect(imported.conflicts.find((c) => c.setting === 'BTFS_CHAINE_ID')).toMatchObject({ kept: '/etc/systemd/system/btfs.service:9 (ExecStart --chain-id)', values: { kept: '199', over: ['1029', '1029'] } });
    expect(setting(imported, 'BTFS_CHAINE_ID')?.value).toBe(UPSTREAM_LIVE.chainId);
    expect(setting(imported, 'LISTE_LECTURE')?.value).toBe('ldl/ldl_cyberpunk.txt');
    expect(setting(imported, 'MELANGE')?.value).toBe('true');
    expect(setting(imported, 'NGINX_PORT_STATS')?.value).toBe(String(UPSTREAM_LIVE.statsPort));
    expect(setting(imported, 'ENCODAGE_BITRATE_VIDEO')?.value).toBe('4000');
    const handStarted = imported.findings.find((f) => /diffuser\.sh\) runs by hand/.test(f.message));
    expect(handStarted?.hint).toMatch(/sudo kill \d+/);
    streamerPid = Number(/sudo kill (\d+)/.exec(handStarted?.hint ?? '')?.[1]);

    expect(statSync(confPath).mode & 0o777).toBe(0o600);
    const confText = readFileSync(confPath, 'utf8');
    expect(confText).toContain(`KICK_CLE_FLUX=${keys.kick}`);
    expect(confText).toContain(`DLIVE_CLE_FLUX=${keys.dlive}`);
    const playlist = readFileSync(join(out, 'conf', 'ldl', 'ldl_cyberpunk.txt'), 'utf8');
    expect(playlist).toContain('# (upstream skipped this line) www.exemple.org/pas-une-url.mp4');
    const inventory = loadInventory([join(out, 'inventory', 'pi1.yaml')]);
    expect(inventory.hosts.map((h) => [h.name, h.address?.value, h.connection.user?.value])).toEqual([['pi1', pi.address, 'pi']]);
  });

  it('with --keys secrets, moves the keys into the encrypted secrets file: neither the conf nor the inventory holds them', async () => {
    const elsewhere = join(out, 'with-secrets');
    const identity = join(out, 'identity.txt');
    const secretsFile = join(elsewhere, 'conf', 'secrets.age');
    const init = await orbis(['secrets', 'init', '--file', secretsFile, '--identity', identity]);
    expect(init.code, init.stderr).toBe(0);
    const result = await importCli(['--keys', 'secrets', '--identity', identity], elsewhere);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('the stream keys into the secrets file as pi1_dlive, pi1_kick');
    const conf = readFileSync(join(elsewhere, 'conf', 'orbis.conf'), 'utf8');
    const inventoryText = readFileSync(join(elsewhere, 'inventory', 'pi1.yaml'), 'utf8');
    for (const text of [conf, inventoryText, readFileSync(secretsFile, 'utf8')]) {
      expect(text).not.toContain(keys.dlive);
      expect(text).not.toContain(keys.kick);
    }
    expect(conf).toMatch(/^KICK_CLE_FLUX="" {3}# in .*secrets\.age as pi1_kick/m);
    expect(inventoryText).toContain('KICK_CLE_FLUX: { secret: pi1_kick }');
    const stored = await loadSecrets({ file: secretsFile, identity });
    expect([stored.get('pi1_dlive')?.reveal(), stored.get('pi1_kick')?.reveal()]).toEqual([keys.dlive, keys.kick]);
  });

  it('loses no setting: every carried variable reads back as upstream had it, reconciled ones as the live files say', () => {
    const upstream = effectiveEntries(parseConf(upstreamConfText(keys), { file: 'upstream' }));
    const live: Record<string, string> = { BTFS_CHAINE_ID: UPSTREAM_LIVE.chainId, KICK_CLE_FLUX: keys.kick, MELANGE: 'true' };
    const loaded = loadSettings({ confPath, env: {} });
    const carried = imported.variables.filter((v) => v.status === 'carried').map((v) => v.variable);
    expect(carried).toHaveLength(37);
    for (const name of carried) {
      const value = loaded.settings[name as keyof typeof loaded.settings];
      const text = isSecret(value) ? value.reveal() : String(value);
      expect(text, name).toBe(live[name] ?? upstream.get(name)?.value);
    }
  });

  it('refuses to write over its files without --force, and --remove-old while upstream still runs the Pi', async () => {
    const before = readFileSync(confPath, 'utf8');
    const again = await importCli([]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/orbis\.conf: exists already; nothing was written \(hint: add --force/);
    expect(readFileSync(confPath, 'utf8')).toBe(before);

    const early = await importCli(['--remove-old', '--json']);
    expect(early.code).toBe(1);
    const report = json<RemoveOldJson>(early);
    expect(report.status).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(expect.arrayContaining([
      "/etc/nginx/nginx.conf is not orbis's yet: upstream's stack still depends on what would be removed",
      expect.stringMatching(new RegExp(`an upstream process still runs by hand: pid ${streamerPid}`)),
    ]));
    expect(report.verify).toEqual([]);
    await onPi(`test -f ${UPSTREAM_PROJECT}/conf/orbis.conf && test -f /etc/nginx/orbis-rtmp-block.conf`);
  });

  it('provisions the same Pi from the imported configuration: verify passes, both platforms get the stream with the upstream keys', async () => {
    // As the import said: stop the streamer started by hand; orbis.service takes over.
    await onPi(`kill ${streamerPid}`);
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    const since = await hostNow(pi);
    const started = Date.now();
    const result = await provision(pi, knownHosts, ['--conf', confPath, '--json'], labEnv());
    printed.push(result.stdout, result.stderr);
    const host = result.json?.hosts[0];
    expect(result.code, `${result.stderr}\n${JSON.stringify(host?.verify.filter((v) => v.status !== 'pass'), null, 1)}`).toBe(0);
    expect(host?.verify.filter((v) => v.status === 'fail')).toEqual([]);
    // The streamer, PartOf nginx which this run restarts, starts once (CI once judged the
    // fragment of a start undone 50 ms later).
    const streamer = await unitJournal(pi, 'orbis.service', since);
    expect(streamer.starts, streamer.text).toBe(1);
    expect(streamer.failures, streamer.text).toEqual([]);
    process.stderr.write(`[import] provision of the imported Pi: ${((Date.now() - started) / 1000).toFixed(1)} s, ${host?.changes.length} changes, ${host?.verify.length} checks\n`);
    try {
      const [dlive, kick] = await Promise.all([
        newRecording(lab, 'dlive', keys.dlive, before.dlive, 45_000),
        newRecording(lab, 'kick', keys.kick, before.kick, 45_000),
      ]);
      for (const recording of [dlive, kick]) await expectMedia(recording, { video: { width: 640, height: 360, r_frame_rate: '30/1' } });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- the Pi\n${await stackDiagnostics(pi)}`);
    }
  });

  it('the provisioned files carry the imported settings, and upstream services that would collide are off', async () => {
    const cat = (path: string): Promise<string> => onPi(`cat ${path}`);
    expect(await cat('/etc/nginx/orbis/rtmp.conf')).toMatch(new RegExp(`listen 127\\.0\\.0\\.1:${UPSTREAM_LIVE.rtmpPort};[\\s\\S]*application diffusion \\{`));
    expect(await cat('/etc/stunnel/kick.conf')).toContain(`accept = 127.0.0.1:${UPSTREAM_LIVE.stunnelPort}\nconnect = fa723fc1b171.global-contribute.live-video.net:443`);
    // A gateway-only node has no chain: the chain id carried over is in the conf, for a full node.
    expect(await cat('/etc/systemd/system/btfs.service')).toContain('\nExecStart=/usr/local/bin/btfs daemon\n');
    expect(readFileSync(confPath, 'utf8')).toMatch(new RegExp(`^BTFS_CHAINE_ID="?${UPSTREAM_LIVE.chainId}"?`, 'm'));
    // The streamer's settings: its shape (orbis.conf) and what it reads at each video (lecture.conf).
    const streamer = `${await cat('/etc/orbis/orbis.conf')}${await cat('/etc/orbis/lecture.conf')}`;
    for (const line of ['BOUCLE=true', 'MELANGE=true', 'LARGEUR=640', 'HAUTEUR=360', 'IMAGES_PAR_SECONDE=30', '# libx264, keyframe every 60 frames (2 s)', "DEBIT_ARGS='-b:v 4000k -maxrate 4000k -bufsize 8000k'", 'AUDIO_DEBIT_KBPS=160', 'NIVEAU_JOURNAL=AVERT', `DESTINATION=rtmp://127.0.0.1:${UPSTREAM_LIVE.rtmpPort}/diffusion/orbis`]) {
      expect(streamer).toContain(`${line}\n`);
    }
    const unit = await cat('/etc/systemd/system/orbis.service');
    expect(unit).toContain('StartLimitBurst=5\n');
    expect(unit).toContain('RestartSec=7s\n');
    expect(await cat('/etc/systemd/journald.conf.d/orbis.conf')).toContain('MaxRetentionSec=21day\n');
    const cids = labCids(lab);
    const played = (await cat('/etc/orbis/liste-lecture.txt')).split('\n').filter((l) => /^https?:/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(played).toEqual(upstreamPlaylists(cids.test, cids.bars).played['ldl_cyberpunk.txt']);
    expect(await unitStates(pi, ['stunnel4.service'])).toEqual({ 'stunnel4.service': 'inactive/disabled' });
    expect((await onHostSurely(pi, 'test -e /etc/nginx/sites-enabled/orbis-stats.conf', { user: 'root' })).code).toBe(1);
  });

  it('--remove-old removes nothing while the orbis-managed stack does not verify', async () => {
    await onPi('systemctl stop orbis.service');
    try {
      const result = await importCli(['--remove-old', '--retry-timeout', '0', '--json']);
      expect(result.code).toBe(1);
      const report = json<RemoveOldJson>(result);
      expect(report.status).toBe('refused');
      expect(report.blockers).toEqual([]);
      expect(report.verify.filter((v) => v.status === 'fail').map((v) => v.name)).toContain('unit.orbis');
      expect(report.removed).toEqual([]);
      await onPi(`test -f ${UPSTREAM_PROJECT}/conf/orbis.conf && test -f /etc/nginx/orbis-rtmp-block.conf && test -f /etc/stunnel/stunnel.conf && ! test -e /var/lib/orbis/upstream-backup`);
    } finally {
      await onPi('systemctl start orbis.service');
    }
  });

  it('--remove-old verifies, archives upstream\'s files on the Pi, removes them, and the keys are left in no readable file', async () => {
    const leaked = await keysOnHost(pi, [keys.dlive, keys.kick]);
    expect(leaked, 'upstream leaves its keys in world-readable files').toEqual(expect.arrayContaining([
      'world-readable file /etc/nginx/orbis-rtmp-block.conf',
      `world-readable file ${UPSTREAM_PROJECT}/conf/orbis.conf`,
    ]));

    const result = await importCli(['--remove-old', '--json']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = json<RemoveOldJson>(result);
    expect(report.status).toBe('removed');
    expect(report.verify.length).toBeGreaterThan(10);
    expect(report.verify.filter((v) => v.status === 'fail')).toEqual([]);
    expect(report.removed).toEqual([UPSTREAM_PROJECT, '/etc/nginx/orbis-rtmp-block.conf', '/var/lib/orbis/upstream/orbis-stats.conf', '/etc/stunnel/stunnel.conf']);
    expect(report.kept.map((k) => k.path)).toEqual([`${UPSTREAM_PROJECT}/img/logo.png`]);
    const archive = report.archive?.path ?? '';
    expect(archive).toMatch(/^\/var\/lib\/orbis\/upstream-backup\/upstream-\d{8}T\d{6}Z\.tar\.gz$/);

    expect(await onPi(`stat -c '%a %U' ${archive}`)).toBe('600 root\n');
    const members = await onPi(`tar -tzf ${archive}`);
    for (const member of ['home/pi/OrbisAlternis/conf/orbis.conf', 'home/pi/OrbisAlternis/ldl/ldl_tot.txt', 'home/pi/OrbisAlternis/scripts/diffuser.sh', 'etc/nginx/orbis-rtmp-block.conf', 'etc/stunnel/stunnel.conf']) {
      expect(members).toContain(`${member}\n`);
    }
    const left = await onPi(`find ${UPSTREAM_PROJECT} | sort; ls /etc/stunnel; test -d /home/pi/.btfs && echo repo kept`);
    expect(left).toBe(`${UPSTREAM_PROJECT}\n${UPSTREAM_PROJECT}/img\n${UPSTREAM_PROJECT}/img/logo.png\nREADME\nkick.conf\nrepo kept\n`);
    expect(await keysOnHost(pi, [keys.dlive, keys.kick])).toEqual([]);

    const verify = await orbis(['verify', `pi@${pi.address}`, ...labConnection(pi, knownHosts), '--conf', confPath]);
    printed.push(verify.stdout, verify.stderr);
    expect(verify.code, verify.stdout).toBe(0);
    const again = json<RemoveOldJson>(await importCli(['--remove-old', '--json']));
    expect(again.status).toBe('nothing');
  });

  it('printed no stream key, in any output of this file', () => {
    expect(printed.length).toBeGreaterThan(10);
    for (const text of printed) {
      expect(text).not.toContain(keys.dlive);
      expect(text).not.toContain(keys.kick);
    }
  });
});
