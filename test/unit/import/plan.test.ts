// What `orbis import` writes from an upstream install: the conf (read back by orbis to the same
// settings), the playlists (upstream's skipped lines commented out), the inventory entry (loaded
// by the inventory reader), keys in the conf or handed to the secrets file, never in the report.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveEntries, parseConf } from '../../../src/config/conf-parser.js';
import { loadSettings } from '../../../src/config/load.js';
import { Secret } from '../../../src/redact/secret.js';
import type { SettingName } from '../../../src/config/settings.js';
import type { CarriedSetting } from '../../../src/import/reconcile.js';
import { confValue, renderConf } from '../../../src/import/conf-writer.js';
import { inventoryName, secretName } from '../../../src/import/inventory-writer.js';
import { planImport, type ImportRequest } from '../../../src/import/plan.js';
import { copyPlaylist } from '../../../src/import/playlists.js';
import { formatImportReport, importReport } from '../../../src/import/report.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { BARS_CID, file, handStartedStreamer, installOf, KEYS, TEST_CID } from './fixtures.js';

const request = (over: Partial<ImportRequest> = {}): ImportRequest => ({
  connection: { address: '192.168.1.20', user: 'pi', port: 22 },
  outDir: '.',
  keys: 'conf',
  secretsFile: 'conf/secrets.age',
  date: new Date('2025-06-01T10:00:00Z'),
  ...over,
});

/** Write the plan's files under a temp folder (as the CLI does) and return that folder. */
function writeOut(files: ReturnType<typeof planImport>['files']): string {
  const root = mkdtempSync(join(tmpdir(), 'orbis-import-'));
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text, { mode: f.mode });
  }
  return root;
}

describe('planImport', () => {
  const install = installOf({ processes: [handStartedStreamer(['-l', 'ldl/ldl_cyberpunk.txt', '-m'])] });
  const plan = planImport(install, request());
  const conf = plan.files.find((f) => f.what === 'settings');

  it('writes the conf 0600, the playlists and the inventory under the project layout', () => {
    expect(plan.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['conf/orbis.conf', '600'],
      ['conf/ldl/ldl_cyberpunk.txt', '644'],
      ['conf/ldl/ldl_dystopies.txt', '644'],
      ['conf/ldl/ldl_tot.txt', '644'],
      ['inventory/salon.yaml', '644'],
    ]);
    expect(plan.problems).toEqual([]);
  });

  it('writes a conf that orbis loads back to the reconciled values, keys included, with where each came from', () => {
    const root = writeOut(plan.files);
    const loaded = loadSettings({ confPath: join(root, 'conf/orbis.conf'), env: {} });
    const s = loaded.settings;
    expect(s.KICK_CLE_FLUX.reveal()).toBe(KEYS.kick);
    expect(s.DLIVE_CLE_FLUX.reveal()).toBe(KEYS.dlive);
    expect([s.NGINX_PORT_RTMP, s.BTFS_CHAINE_ID, s.NGINX_PORT_STATS, s.LARGEUR_MAX, s.HAUTEUR_MAX, s.TENTATIVES_RECONNEXION, s.DELAI_RECONNEXION]).toEqual([9935, 199, 8088, 640, 360, 4, 7]);
    expect([s.MELANGE, s.BOUCLE, s.NIVEAU_JOURNAL, s.ENCODEUR_VIDEO, s.LISTE_LECTURE]).toEqual([true, true, 'AVERT', 'libx264', 'ldl/ldl_cyberpunk.txt']);
    // Upstream encoded at Kick's bitrate (diffuser.sh without -p); orbis would take the lower one.
    expect([loaded.encode.videoBitrateKbps, loaded.encode.audioBitrateKbps]).toEqual([4000, 160]);
    expect(conf?.text).toMatch(/^KICK_CLE_FLUX=\S+ {3}# \/etc\/nginx\/orbis-rtmp-block\.conf:15 \(Kick push\)$/m);
    expect(conf?.text).toContain('# WEBCAM_ACTIF: upstream never implemented the webcam overlay');
  });

  it('writes an inventory entry the inventory reader accepts', () => {
    const root = writeOut(plan.files);
    const inventory = loadInventory([join(root, 'inventory/salon.yaml')]);
    expect(inventory.hosts.map((h) => [h.name, h.address?.value, h.connection.user?.value])).toEqual([['salon', '192.168.1.20', 'pi']]);
    expect(plan.next).toEqual({
      provision: 'orbis provision pi@192.168.1.20',
      apply: 'orbis apply -i inventory/salon.yaml',
      removeOld: 'orbis import pi@192.168.1.20 --remove-old',
    });
  });

  it('with --keys secrets: no key in any file, the inventory refers to the secrets', () => {
    const moved = planImport(install, request({ keys: 'secrets', outDir: 'out', name: 'cuisine' }));
    expect(moved.secrets.map((s) => [s.name, s.setting, s.value.reveal()])).toEqual([
      ['cuisine_dlive', 'DLIVE_CLE_FLUX', KEYS.dlive],
      ['cuisine_kick', 'KICK_CLE_FLUX', KEYS.kick],
    ]);
    for (const f of moved.files) expect(f.text, f.path).not.toMatch(new RegExp(`${KEYS.dlive}|${KEYS.kick}`));
    const root = writeOut(moved.files);
    const inventory = loadInventory([join(root, 'out/inventory/cuisine.yaml')]);
    expect(inventory.hosts[0]?.vars.map((v) => [v.name, v.value])).toEqual([
      ['DLIVE_CLE_FLUX', { kind: 'secret', name: 'cuisine_dlive' }],
      ['KICK_CLE_FLUX', { kind: 'secret', name: 'cuisine_kick' }],
    ]);
    expect(moved.next.removeOld).toBe('orbis import pi@192.168.1.20 --out out --name cuisine --remove-old');
    expect(moved.next.provision).toBe('orbis provision pi@192.168.1.20 --conf out/conf/orbis.conf');
    // orbis still checks the imported values with the keys: none missing.
    expect(moved.problems).toEqual([]);
  });

  it('reports what orbis refuses, placed in the written conf', () => {
    const bad = installOf({ conf: `DLIVE_BITRATE_VIDEO=9000\nGOP=45\nKICK_ACTIF=false\nDLIVE_CLE_FLUX="${KEYS.dlive}"\n` });
    const p = planImport(bad, request());
    expect(p.problems.map((i) => `${i.file}:${i.line} ${i.variable}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^conf\/orbis\.conf:\d+ DLIVE_BITRATE_VIDEO$/)]));
  });

  it('prints and serialises no key, in text or JSON', () => {
    const report = importReport(plan, { target: 'pi@192.168.1.20', written: true, keys: 'conf', roundTrips: 1 });
    const outputs = [JSON.stringify(report), formatImportReport(report)];
    for (const out of outputs) expect(out).not.toMatch(new RegExp(`${KEYS.dlive}|${KEYS.kick}`));
    expect(report.settings.find((s) => s.name === 'KICK_CLE_FLUX')).toEqual({ name: 'KICK_CLE_FLUX', secret: true, from: '/etc/nginx/orbis-rtmp-block.conf:15 (Kick push)' });
    expect(report.summary).toMatchObject({ upstreamVariables: 58, carried: 37, mapped: 14, dropped: 7, unset: 0 });
    expect(report.findings.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/upstream's streamer \(diffuser\.sh\) runs by hand: pid 4242/)]));
  });
});

describe('playlists', () => {
  it("comments out the lines upstream skipped and reports the ones it played that orbis refuses", () => {
    const source = file('/home/pi/OrbisAlternis/ldl/a.txt', `# titre\nhttp://127.0.0.1:8080/btfs/${TEST_CID} # ok\nipfs://nope\nhttp://h/x#frag\n${BARS_CID}\n`);
    const copy = copyPlaylist(source, 'conf/ldl/a.txt', 'http://127.0.0.1:8080/btfs');
    expect(copy.skippedLines).toEqual([3, 5]);
    expect(copy.text.split('\n')[2]).toBe('# (upstream skipped this line) ipfs://nope');
    expect(copy.issues.map((i) => [i.file, i.line])).toEqual([['conf/ldl/a.txt', 4]]);
  });

  it("chooses diffuser.sh's default without a running streamer, and says when there is none", () => {
    expect(planImport(installOf(), request()).settings.get('LISTE_LECTURE')?.value).toBe('ldl/ldl_tot.txt');
    const none = planImport(installOf({ files: { '/home/pi/OrbisAlternis/ldl/ldl_tot.txt': null } }), request());
    expect(none.settings.has('LISTE_LECTURE')).toBe(false);
    expect(none.findings.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining('no ldl_tot.txt')]));
  });
});

describe('conf writer', () => {
  it('quotes what the parser would read differently, and reads every value back', () => {
    const values = ['9935', 'true', '/home/pi/x y', 'a"b$c`d\\e', '~/x', "it's", 'main_w-overlay_w-10:10', ''];
    expect(values.map(confValue).slice(0, 3)).toEqual(['9935', 'true', '"/home/pi/x y"']);
    const text = values.map((v, i) => `V${i}=${confValue(v)}   # note`).join('\n');
    const entries = effectiveEntries(parseConf(text, { file: 't' }));
    expect(values.map((_, i) => entries.get(`V${i}`)?.value)).toEqual(values);
  });

  it('never lets a comment start a line of its own', () => {
    const settings = new Map<SettingName, CarriedSetting>([['GOP', { name: 'GOP', value: '60', from: { file: '/x\nGOP=1', what: 'a\nb' }, confirmedBy: [] }]]);
    const text = renderConf(settings, [], { from: 'pi@h\nX=1', project: '/p', date: new Date(0) });
    expect(effectiveEntries(parseConf(text, { file: 't' })).get('GOP')?.value).toBe('60');
    expect(text).not.toMatch(/^(X|GOP)=1/m);
  });

  it('writes a withheld key empty, saying where it went', () => {
    const key: CarriedSetting = { name: 'DLIVE_CLE_FLUX', value: new Secret('kkk'), from: { file: 'f', what: 'w' }, confirmedBy: [] };
    const withheld = new Map<SettingName, string>([['DLIVE_CLE_FLUX', 'in s.age as a']]);
    const text = renderConf(new Map<SettingName, CarriedSetting>([['DLIVE_CLE_FLUX', key]]), [], { from: 'x', project: '/p', date: new Date(0), keysElsewhere: 's.age' }, withheld);
    expect(text).toContain('DLIVE_CLE_FLUX=""   # in s.age as a');
    expect(text).not.toContain('kkk');
  });
});

describe('names', () => {
  it('turns a hostname into an inventory name, and a name into secret names', () => {
    expect(inventoryName('raspberrypi.local')).toBe('raspberrypi');
    expect(inventoryName('pi_4 salon')).toBe('pi_4-salon');
    expect(inventoryName('4pi')).toBe('pi-4pi');
    expect(inventoryName('')).toBe('imported-pi');
    expect(secretName('salon-2.b', 'kick')).toBe('salon_2_b_kick');
  });
});
