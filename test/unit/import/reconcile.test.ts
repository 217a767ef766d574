// One value per setting out of upstream's conf, its live files and its running streamer: which
// source wins for which setting, what is reported, and that keys never show in a report.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { UPSTREAM_VARIABLES } from '../../../src/config/upstream-compat.js';
import { streamerCandidates } from '../../../src/import/playlists.js';
import { decide, reconcile, type Candidate } from '../../../src/import/reconcile.js';
import { readUpstream } from '../../../src/import/read-upstream.js';
import { handStartedStreamer, installOf, KEYS, snapshotOf } from './fixtures.js';

const text = (v: string | Secret | undefined): string | undefined => (v instanceof Secret ? v.reveal() : v);

describe('reconcile', () => {
  const install = installOf();
  const { settings, conflicts, variables } = reconcile(install);
  const value = (name: Parameters<typeof settings.get>[0]): string | undefined => text(settings.get(name)?.value);

  it('accounts for each of the 58 variables, in order, each with a reason', () => {
    expect(variables.slice(0, 58).map((v) => v.variable)).toEqual([...UPSTREAM_VARIABLES]);
    expect(variables).toHaveLength(58);
    for (const row of variables) {
      expect(['carried', 'mapped', 'dropped', 'unset'], row.variable).toContain(row.status);
      expect(row.reason.length, row.variable).toBeGreaterThan(10);
      expect(row.line, row.variable).toBeGreaterThan(0);
    }
    const count = (s: string): number => variables.filter((v) => v.status === s).length;
    expect([count('carried'), count('mapped'), count('dropped'), count('unset')]).toEqual([37, 14, 7, 0]);
  });

  it("takes the Kick key from nginx's push when orbis.conf's is empty, without a conflict", () => {
    expect(value('KICK_CLE_FLUX')).toBe(KEYS.kick);
    expect(settings.get('KICK_CLE_FLUX')?.from).toEqual({ file: '/etc/nginx/orbis-rtmp-block.conf', line: 15, what: 'Kick push' });
    expect(variables.find((v) => v.variable === 'KICK_CLE_FLUX')?.from?.file).toBe('/etc/nginx/orbis-rtmp-block.conf');
    expect(conflicts.map((c) => c.setting)).not.toContain('KICK_CLE_FLUX');
  });

  it("keeps orbis.conf's DLive key, confirmed by the push", () => {
    expect(value('DLIVE_CLE_FLUX')).toBe(KEYS.dlive);
    expect(settings.get('DLIVE_CLE_FLUX')?.from.file).toBe('/home/pi/OrbisAlternis/conf/orbis.conf');
    expect(settings.get('DLIVE_CLE_FLUX')?.confirmedBy).toEqual([{ file: '/etc/nginx/orbis-rtmp-block.conf', line: 14, what: 'DLive push' }]);
  });

  it("takes the chain id btfs.service runs, over orbis.conf's and BTFS_DAEMON_CMD's, and says so", () => {
    expect(value('BTFS_CHAINE_ID')).toBe('199');
    expect(conflicts.find((c) => c.setting === 'BTFS_CHAINE_ID')).toMatchObject({
      kept: { file: '/etc/systemd/system/btfs.service', line: 9 },
      over: [{ what: 'BTFS_CHAINE_ID', line: 17 }, { what: '--chain-id in BTFS_DAEMON_CMD', line: 18 }],
      values: { kept: '199', over: ['1029', '1029'] },
    });
  });

  it('reads what only the live files say: the stats port, the API port, the Kick tunnel', () => {
    expect(value('NGINX_PORT_STATS')).toBe('8088');
    expect(value('BTFS_PORT_API')).toBe('5001');
    expect(value('KICK_SERVEUR_REEL')).toBe('fa723fc1b171.global-contribute.live-video.net');
    expect(settings.get('KICK_SERVEUR_REEL')?.from.file).toBe('/etc/stunnel/stunnel.conf');
    expect(value('STUNNEL_PORT_LOCAL')).toBe('11935');
    expect(settings.get('STUNNEL_PORT_LOCAL')?.confirmedBy.map((r) => r.what)).toEqual(['Kick push (to stunnel)', 'stunnel accept']);
  });

  it('expands ${VAR} as bash would and drops what orbis replaces', () => {
    expect(value('FILIGRANE_IMAGE')).toBe('/home/pi/OrbisAlternis/img/logo.png');
    expect(settings.has('REPERTOIRE_PROJET')).toBe(false);
    expect(variables.find((v) => v.variable === 'BTFS_REPO')).toMatchObject({ status: 'mapped', replacedBy: ['BTFS_UTILISATEUR', 'BTFS_REPERTOIRE_REPO'] });
    expect(variables.find((v) => v.variable === 'WEBCAM_ACTIF')).toMatchObject({ status: 'dropped' });
  });

  it('says when a setting orbis uses is set nowhere, and lists names of its own', () => {
    const conf = `${[...install.conf.order].filter((e) => e.key !== 'NIVEAU_JOURNAL').map((e) => `${e.key}="${e.value}"`).join('\n')}\nMON_REGLAGE=1\n`;
    const rows = reconcile(installOf({ conf })).variables;
    expect(rows.find((v) => v.variable === 'NIVEAU_JOURNAL')).toMatchObject({ status: 'unset', reason: expect.stringContaining("orbis's default (INFO)") });
    expect(rows.at(-1)).toMatchObject({ variable: 'MON_REGLAGE', status: 'dropped', line: expect.any(Number) });
  });

  it('prefers the running streamer for the playlist switches', () => {
    const running = installOf({ processes: [handStartedStreamer(['-m', '-n', '-f'])] });
    const r = reconcile(running, streamerCandidates(running));
    expect(['MELANGE', 'BOUCLE', 'FILIGRANE_ACTIF'].map((n) => text(r.settings.get(n as 'MELANGE')?.value))).toEqual(['true', 'false', 'true']);
    expect(r.conflicts.map((c) => c.setting).sort()).toEqual(['BOUCLE', 'BTFS_CHAINE_ID', 'FILIGRANE_ACTIF', 'MELANGE']);
  });
});

describe('decide', () => {
  const c = (name: Candidate['name'], value: string | Secret, kind: Candidate['kind'], file: string): Candidate => ({ name, value, kind, from: { file, what: name } });

  it("reports a disagreement on a key without either key's value", () => {
    const { settings, conflicts } = decide([
      c('DLIVE_CLE_FLUX', new Secret('conf-key-111'), 'conf', 'orbis.conf'),
      c('DLIVE_CLE_FLUX', new Secret('live-key-222'), 'live', 'block'),
    ]);
    expect(text(settings.get('DLIVE_CLE_FLUX')?.value)).toBe('conf-key-111');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.values).toBeUndefined();
    expect(JSON.stringify(conflicts)).not.toMatch(/conf-key-111|live-key-222/);
  });

  it('ignores empty values, and keeps the live value where orbis.conf was never read upstream', () => {
    const { settings, conflicts } = decide([
      c('KICK_CHEMIN', '/app2', 'conf', 'orbis.conf'),
      c('KICK_CHEMIN', '/app', 'live', 'block'),
      c('NGINX_PORT_RTMP', '', 'conf', 'orbis.conf'),
      c('NGINX_PORT_RTMP', '9935', 'live', 'block'),
    ]);
    expect(text(settings.get('KICK_CHEMIN')?.value)).toBe('/app');
    expect(text(settings.get('NGINX_PORT_RTMP')?.value)).toBe('9935');
    expect(conflicts.map((x) => x.setting)).toEqual(['KICK_CHEMIN']);
  });
});

describe('reading the install', () => {
  it('refuses a Pi without an upstream folder, and asks which of several', () => {
    expect(() => readUpstream({ ...snapshotOf(), projects: [] }, 'salon')).toThrow(/no upstream Orbis install found/);
    const two = { ...snapshotOf(), projects: [{ dir: '/home/pi/OrbisAlternis', owner: 'pi' }, { dir: '/home/bob/OrbisAlternis', owner: 'bob' }] };
    expect(() => readUpstream(two, 'salon')).toThrow(/2 upstream Orbis folders found/);
  });

  it("places orbis.conf's syntax errors on the Pi's file, without its values", () => {
    const fail = (): unknown => installOf({ conf: `KICK_CLE_FLUX=$(cat /secret-abc)\n` });
    expect(fail).toThrow(/salon:\/home\/pi\/OrbisAlternis\/conf\/orbis\.conf:1:15/);
    expect(fail).not.toThrow(/secret-abc/);
  });

  it("reads upstream's rtmp block even when orbis's nginx.conf no longer includes it, and skips orbis's own btfs.service", () => {
    const taken = installOf({ files: { '/etc/nginx/nginx.conf': 'include /etc/nginx/orbis/rtmp.conf;\n' }, orbisManaged: ['/etc/systemd/system/btfs.service'] });
    expect(taken.rtmp?.included).toBe(false);
    expect(taken.rtmp?.block.pushes).toHaveLength(2);
    expect(taken.btfs).toBeUndefined();
  });
});
