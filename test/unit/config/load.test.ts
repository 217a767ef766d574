import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { describeOrigin } from '../../../src/config/origins.js';
import { settingRows } from '../../../src/config/display.js';
import { configErrorOf } from './helpers.js';

const FILE = 'conf/orbis.conf';
const CONF = 'GOP=60\nDEBIT_IMAGES=30\nTENTATIVES_RECONNEXION=1\nDELAI_RECONNEXION=11\nCONSERVATION_JOURNAUX=21\nNGINX_PORT_RTMP=9935\n';

describe('precedence: defaults < conf file < layers (in order) < environment < --var', () => {
  const loaded = () =>
    loadSettings({
      confPath: FILE,
      confText: CONF,
      layers: [
        { name: 'inventory fleet vars', values: { TENTATIVES_RECONNEXION: 2, DELAI_RECONNEXION: '12', CONSERVATION_JOURNAUX: 22 }, positions: { TENTATIVES_RECONNEXION: { file: 'inventory/fleet.yaml', line: 3, col: 29 } } },
        { name: 'group salon', values: { DELAI_RECONNEXION: 13, CONSERVATION_JOURNAUX: 23 } },
        { name: 'host pi-salon', values: { CONSERVATION_JOURNAUX: 24, MELANGE: true } },
      ],
      env: { ORBIS_CONSERVATION_JOURNAUX: '25', ORBIS_NGINX_PORT_RTMP: '1936', CONSERVATION_JOURNAUX: '99', ORBIS_NOT_A_SETTING: 'x' },
      vars: ['NGINX_PORT_RTMP=1937', 'NGINX_PORT_RTMP=1938'],
    });

  it('takes each value from the highest level that sets it', () => {
    expect(loaded().settings).toMatchObject({
      DEBIT_IMAGES: 30, // file
      TENTATIVES_RECONNEXION: 2, // fleet
      DELAI_RECONNEXION: 13, // group
      CONSERVATION_JOURNAUX: 25, // environment
      MELANGE: true, // host, from a YAML boolean
      NGINX_PORT_RTMP: 1938, // the last --var
      BOUCLE: true, // default
    });
  });

  it('records where each value came from', () => {
    const { origins } = loaded();
    const shown = (name: keyof typeof origins) => describeOrigin(origins[name], name);
    expect(shown('DEBIT_IMAGES')).toBe('conf/orbis.conf:2:14');
    expect(shown('TENTATIVES_RECONNEXION')).toBe('inventory/fleet.yaml:3:29 (inventory fleet vars)');
    expect(shown('DELAI_RECONNEXION')).toBe('group salon');
    expect(shown('MELANGE')).toBe('host pi-salon');
    expect(shown('CONSERVATION_JOURNAUX')).toBe('environment ORBIS_CONSERVATION_JOURNAUX');
    expect(shown('NGINX_PORT_RTMP')).toBe('--var NGINX_PORT_RTMP');
    expect(shown('BOUCLE')).toBe('default');
  });

  it('gives rows for `orbis inventory` with secrets masked', () => {
    const rows = settingRows(loadSettings({ env: { ORBIS_DLIVE_CLE_FLUX: 'hiddenkey1' } }));
    const key = rows.find((r) => r.name === 'DLIVE_CLE_FLUX')!;
    expect(key).toMatchObject({ value: '********', origin: 'environment ORBIS_DLIVE_CLE_FLUX', secret: true });
    expect(rows.find((r) => r.name === 'KICK_CLE_FLUX')!.value).toBe('(empty)');
    expect(JSON.stringify(rows)).not.toContain('hiddenkey1');
  });

  it('places an error in the layer that set the bad value', () => {
    const error = configErrorOf(() =>
      loadSettings({ confPath: FILE, confText: CONF, env: {}, layers: [{ name: 'host a', values: { GOP: 'x' }, positions: { GOP: { file: 'inventory/hosts.yaml', line: 7, col: 12 } } }] }),
    );
    expect(formatIssue(error.issues[0]!)).toMatch(/^inventory\/hosts\.yaml:7:12: GOP: must be a whole number/);
  });

  it('an env value that is set but empty counts as set', () => {
    expect(loadSettings({ confPath: FILE, confText: CONF, env: { ORBIS_GOP: '' } }).settings.GOP).toBeUndefined();
  });

  it('an expansion in the file uses the file\'s own earlier values, not overrides', () => {
    const { settings } = loadSettings({ confPath: FILE, confText: 'REPERTOIRE_PROJET=/a\nREPERTOIRE_LDL=$REPERTOIRE_PROJET/l\n', env: { ORBIS_REPERTOIRE_PROJET: '/b' } });
    expect(settings.REPERTOIRE_PROJET).toBe('/b');
    expect(settings.REPERTOIRE_LDL).toBe('/a/l');
  });
});

describe('errors of the sources themselves', () => {
  it('an unknown name in a layer, at its position, with a suggestion', () => {
    const error = configErrorOf(() => loadSettings({ env: {}, layers: [{ name: 'group g', values: { DLIVE_ACTF: true }, positions: { DLIVE_ACTF: { file: 'inventory/x.yaml', line: 4, col: 5 } } }] }));
    expect(error.message).toBe('inventory/x.yaml:4:5: DLIVE_ACTF: is not an orbis setting (hint: did you mean DLIVE_ACTIF?)');
  });

  it('a list or map where a value belongs', () => {
    const error = configErrorOf(() => loadSettings({ env: {}, layers: [{ name: 'host h', values: { GOP: [60] } }] }));
    expect(error.message).toBe('host h: GOP: must be a single value (text, a number or true/false), not a list or a map (hint: write one value)');
  });

  it('--var without "=", never echoing the argument', () => {
    const error = configErrorOf(() => loadSettings({ env: {}, vars: ['DLIVE_CLE_FLUX:mykey42'] }));
    expect(error.message).toBe('--var: expects KEY=VALUE (no "=" found, or nothing before it) (hint: write --var NAME=value, e.g. --var NGINX_PORT_RTMP=1935)');
  });

  it('--var with an unknown name suggests the right one', () => {
    const error = configErrorOf(() => loadSettings({ env: {}, vars: ['NGINX_PORT_RMTP=1935'] }));
    expect(error.message).toBe('--var: NGINX_PORT_RMTP: names no orbis setting (hint: did you mean NGINX_PORT_RTMP?)');
  });

  it('a missing conf file says how to make one', () => {
    const error = configErrorOf(() => loadSettings({ confPath: '/nonexistent/orbis.conf', env: {} }));
    expect(error.message).toBe('/nonexistent/orbis.conf: no such file (hint: copy conf/orbis.conf.example to conf/orbis.conf and fill it in, or name another file with --conf)');
  });

  it('a syntax error stops before values are checked', () => {
    const error = configErrorOf(() => loadSettings({ confPath: FILE, confText: 'GOP=x\nA = 1\n', env: {} }));
    expect(error.issues.map(formatIssue)).toEqual([
      "conf/orbis.conf:2:2: A: spaces around '=' in the assignment of A: bash would run `A` as a command (hint: write `A=value` with no space before or after '=')",
    ]);
  });
});

describe('what loadSettings returns', () => {
  it('carries no stream key in clear anywhere JSON or inspect can reach', async () => {
    const { inspect } = await import('node:util');
    const loaded = loadSettings({ confPath: FILE, confText: 'DLIVE_CLE_FLUX="inthefile1"\n', env: { ORBIS_KICK_CLE_FLUX: 'fromtheenv2' } });
    for (const text of [JSON.stringify(loaded), inspect(loaded, { depth: 10 })]) {
      expect(text).not.toContain('inthefile1');
      expect(text).not.toContain('fromtheenv2');
    }
    expect(loaded.conf?.entries).toEqual([{ key: 'DLIVE_CLE_FLUX', line: 1, col: 1 }]);
  });
});
