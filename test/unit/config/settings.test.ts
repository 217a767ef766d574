import { describe, expect, it } from 'vitest';
import { formatIssue, formatIssues } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { Secret } from '../../../src/redact/secret.js';
import { defaultTexts, SETTING_NAMES, SETTINGS, settingsSchema } from '../../../src/config/settings.js';
import { UPSTREAM_RULES } from '../../../src/config/upstream-compat.js';
import { configErrorOf, fixture, haveUpstreamConf, upstreamConfPath } from './helpers.js';

const FILE = 'conf/orbis.conf';
const load = (confText: string) => loadSettings({ confPath: FILE, confText, env: {} });
const errorsOf = (confText: string) => configErrorOf(() => load(confText)).issues.map(formatIssue);

describe('the settings model', () => {
  it('covers every one of upstream\'s 58 variables, plus orbis\'s own', () => {
    const upstream = Object.keys(UPSTREAM_RULES);
    expect(upstream).toHaveLength(58);
    for (const name of upstream) expect(SETTING_NAMES).toContain(name);
    expect(SETTING_NAMES).toEqual(expect.arrayContaining([
      'PLATEFORMES', 'ENCODAGE_BITRATE_VIDEO', 'NGINX_PORT_STATS', 'NGINX_ADRESSE_RTMP', 'BTFS_VERSION',
      'BTFS_URL_TELECHARGEMENT', 'BTFS_SHA256_ARM64', 'BTFS_ESSAIM_EXPOSE', 'LISTE_LECTURE',
    ]));
  });

  it('documents every setting, in the table and in the zod schema', () => {
    for (const name of SETTING_NAMES) {
      expect(SETTINGS[name].description.length, name).toBeGreaterThan(20);
      expect(settingsSchema.shape[name].description, name).toBe(SETTINGS[name].description);
    }
  });

  it('every default is valid: no conf file at all loads', () => {
    const { settings, origins } = loadSettings({ env: {} });
    expect(settings).toMatchObject({
      NGINX_PORT_RTMP: 1935, NGINX_PORT_STATS: 8088, NGINX_ADRESSE_RTMP: '127.0.0.1', NGINX_ADRESSE_STATS: '127.0.0.1',
      ENCODEUR_VIDEO: 'auto', STUNNEL_PORT_LOCAL: 11935, BTFS_CHAINE_ID: 199, BTFS_MODE: 'simple', BTFS_ESSAIM_EXPOSE: false,
      DEBIT_IMAGES: 30, GOP: undefined, PLATEFORMES: undefined, LARGEUR_MAX: 1280, HAUTEUR_MAX: 720,
    });
    expect(origins.NGINX_PORT_RTMP).toEqual({ kind: 'default' });
    expect(Object.keys(defaultTexts())).toEqual(SETTING_NAMES);
  });

  it('makes stream keys Secrets, labelled with where they came from', () => {
    const { settings } = load('DLIVE_CLE_FLUX="abc-123"\n');
    expect(settings.DLIVE_CLE_FLUX).toBeInstanceOf(Secret);
    expect(settings.DLIVE_CLE_FLUX.reveal()).toBe('abc-123');
    expect(settings.DLIVE_CLE_FLUX.origin).toBe('conf/orbis.conf:1:16');
    expect(String(settings.DLIVE_CLE_FLUX)).toBe('********');
    expect(JSON.stringify(settings)).not.toContain('abc-123');
    expect(settings.KICK_CLE_FLUX.isEmpty).toBe(true);
  });

  it.skipIf(!haveUpstreamConf)('loads upstream\'s file unchanged, honouring its values', () => {
    const { settings, warnings } = loadSettings({ confPath: upstreamConfPath, env: {} });
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({
      NGINX_PORT_RTMP: 9935, ENCODEUR_VIDEO: 'h264_v4l2m2m', GOP: 60, BTFS_CHAINE_ID: 1029,
      DLIVE_BITRATE_VIDEO: 3500, KICK_BITRATE_VIDEO: 4000, FILIGRANE_OPACITE: 0.85, BOUCLE: true, MELANGE: false,
      BTFS_DAEMON_CMD: 'btfs daemon --chain-id 1029', KICK_SERVEUR_REEL: 'fa723fc1b171.global-contribute.live-video.net',
    });
  });

  it('loads the full-features fixture with typed values', () => {
    const { settings } = loadSettings({ confPath: fixture('full-features.conf'), env: {} });
    expect(settings).toMatchObject({
      BTFS_PORT_PASSERELLE: 8181, BTFS_CHAINE_ID: 199, LARGEUR_MAX: 1920, HAUTEUR_MAX: 1080,
      FILIGRANE_OPACITE: 0.5, MELANGE: true, PRESET_ENCODAGE: 'veryfast', STUNNEL_PORT_LOCAL: 12935,
      BTFS_PASSERELLE: 'http://127.0.0.1:8181/btfs', CONSERVATION_JOURNAUX: 30, NIVEAU_JOURNAL: 'DEBUG',
    });
  });
});

describe('value errors: file:line:col, variable, what is allowed, hint', () => {
  it('a value a hint offers is one the next check accepts, for every setting whose hint offers one', () => {
    // Was: "write digits only, e.g. 500" for DLIVE_BITRATE_VIDEO, which the platforms' overlap
    // then refused. Both platforms on (the strictest ranges), keys set.
    const keys = 'DLIVE_CLE_FLUX=k1\nKICK_CLE_FLUX=sk_k2\n';
    let offered = 0;
    for (const name of SETTING_NAMES) {
      let hint: string | undefined;
      try {
        load(`${keys}${name}=notanumber\n`);
      } catch (error) {
        hint = configErrorOf(() => { throw error; }).issues.find((i) => i.variable === name)?.hint;
      }
      const example = / e\.g\. (\S+)/.exec(hint ?? '')?.[1];
      if (example === undefined) continue;
      offered += 1;
      expect(() => load(`${keys}${name}=${example}\n`), `${name}=${example}`).not.toThrow();
    }
    expect(offered).toBeGreaterThan(5);
  });

  it.each([
    ['DLIVE_BITRATE_VIDEO=4500k\n',
      'conf/orbis.conf:1:21: DLIVE_BITRATE_VIDEO: must be a whole number from 500 to 20000 (kbps); found "4500k" (hint: write the number alone, without a unit: 4500)'],
    ['# bitrate\n  DLIVE_BITRATE_VIDEO="lots"   # comment\n',
      'conf/orbis.conf:2:23: DLIVE_BITRATE_VIDEO: must be a whole number from 500 to 20000 (kbps); found "lots" (hint: write digits only, e.g. 3500 (the default))'],
    ['BOUCLE=yes\n', 'conf/orbis.conf:1:8: BOUCLE: must be true or false; found "yes" (hint: write true (upstream\'s scripts compared with the word true, so "yes" meant false there))'],
    ['MELANGE=True\n', 'conf/orbis.conf:1:9: MELANGE: must be true or false; found "True" (hint: write it in lower case: true)'],
    ['ENCODEUR_VIDEO=LIBX264\n', 'conf/orbis.conf:1:16: ENCODEUR_VIDEO: must be one of auto, libx264, h264_v4l2m2m; found "LIBX264" (hint: write it exactly as libx264)'],
    ['LARGEUR_MAX=1281\n', 'conf/orbis.conf:1:13: LARGEUR_MAX: must be an even whole number from 320 to 1920 (pixels); found 1281 (hint: H.264 (4:2:0) needs even sizes: use 1280 or 1282)'],
    ['HAUTEUR_MAX=2160\n', 'conf/orbis.conf:1:13: HAUTEUR_MAX: must be a whole number from 180 to 1080 (pixels); found 2160 (hint: choose a value from 180 to 1080)'],
    ['NGINX_PORT_RTMP=70000\n', 'conf/orbis.conf:1:17: NGINX_PORT_RTMP: must be a whole number from 1 to 65535; found 70000 (hint: choose a value from 1 to 65535)'],
    ['FILIGRANE_OPACITE=0,5\n', 'conf/orbis.conf:1:19: FILIGRANE_OPACITE: must be a number from 0 to 1 (decimal point, e.g. 0.85); found "0,5" (hint: use a decimal point, not a comma: 0.5)'],
    ['KICK_SERVEUR_REEL=rtmps://x.example.net:443\n', 'conf/orbis.conf:1:24: KICK_SERVEUR_REEL: must be a host name (letters, digits, - and .), without scheme or port (hint: write the host alone: no rtmps:// in front and no :port after (the port is its own setting))'],
    ['BTFS_CHAINE_ID=1\n', 'conf/orbis.conf:1:16: BTFS_CHAINE_ID: must be one of 1029, 199 (1029 testnet, 199 mainnet) (hint: write 1029 for the testnet or 199 for the mainnet)'],
    ['NGINX_ADRESSE_RTMP=localhost\n', 'conf/orbis.conf:1:20: NGINX_ADRESSE_RTMP: must be an IPv4 address'],
    ['BTFS_URL_TELECHARGEMENT="https://example.net/{os}/btfs"\n', 'conf/orbis.conf:1:46: BTFS_URL_TELECHARGEMENT: must be an http(s) URL, which may contain {version} and {arch} (arm64, amd64); found the unknown placeholder {os}'],
    ['BTFS_SHA256_ARM64=abc\n', 'conf/orbis.conf:1:19: BTFS_SHA256_ARM64: must be a SHA-256 digest (64 hexadecimal characters); found "abc"'],
    ['NGINX_CHEMIN_APPLICATION="live/x"\n', 'conf/orbis.conf:1:31: NGINX_CHEMIN_APPLICATION: must be a name of 1 to 64 letters, digits, _ or -; found "live/x"'],
    ['FILIGRANE_IMAGE=img/logo.png\n', 'conf/orbis.conf:1:17: FILIGRANE_IMAGE: must be an absolute path'],
    ['BTFS_HASH_TEST="http://127.0.0.1:8080/btfs/QmX"\n', 'conf/orbis.conf:1:16: BTFS_HASH_TEST: must be a BTFS content id'],
    ['FILIGRANE_POSITION="10:10,evil"\n', 'conf/orbis.conf:1:20: FILIGRANE_POSITION: must be an FFmpeg overlay position'],
    ['PLATEFORMES=both\n', 'conf/orbis.conf:1:13: PLATEFORMES: must be one of dlive, kick, toutes; found "both"'],
    ['GOP=abc\n', 'conf/orbis.conf:1:5: GOP: must be a whole number from 1 to 600 (frames); found "abc"'],
  ])('%s', (text, expected) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.startsWith(expected), errors[0]).toBe(true);
  });

  it('never echoes an RTMP URL, which may carry a key pasted into it', () => {
    const [error] = errorsOf('DLIVE_SERVEUR="rtmp://stream.dlive.tv/live/PASTEDKEY42"\n');
    expect(error).toBe('conf/orbis.conf:1:15: DLIVE_SERVEUR: must be an rtmp://host[:port]/application URL (one path segment, no stream key) (hint: the stream key does not go in the URL: put it in the platform\'s *_CLE_FLUX setting)');
  });

  it('reports every bad value at once', () => {
    expect(errorsOf('GOP=x\nBOUCLE=1\nNGINX_PORT_RTMP=0\n').map((e) => e.split(': ')[0])).toEqual([
      'conf/orbis.conf:1:5', 'conf/orbis.conf:2:8', 'conf/orbis.conf:3:17',
    ]);
  });

  it('refuses a mistyped name, suggesting the right one', () => {
    expect(errorsOf('DLIVE_BITRATE_VIDOE=3500\n')).toEqual([
      'conf/orbis.conf:1:1: DLIVE_BITRATE_VIDOE: is not an orbis setting (hint: did you mean DLIVE_BITRATE_VIDEO?)',
    ]);
  });

  it('ignores an unrelated unknown name, with a warning', () => {
    const { warnings } = load('MON_REGLAGE_PERSO=1\n');
    expect(formatIssues(warnings)).toBe(
      'conf/orbis.conf:1:1: MON_REGLAGE_PERSO: is not an orbis setting; ignored (hint: remove it, or check its spelling against conf/orbis.conf.example)',
    );
  });
});

describe('checks across settings', () => {
  it('the gateway URL and port must agree, blamed on the one the user set', () => {
    expect(errorsOf('BTFS_PORT_PASSERELLE=8181\n')).toEqual([
      'conf/orbis.conf:1:22: BTFS_PORT_PASSERELLE: is 8181, but BTFS_PASSERELLE (http://127.0.0.1:8080/btfs) points at port 8080 (hint: also set BTFS_PASSERELLE=http://127.0.0.1:8181/btfs)',
    ]);
    expect(errorsOf('BTFS_PASSERELLE=http://127.0.0.1:9090/btfs\n')[0]).toMatch(/^conf\/orbis\.conf:1:17: BTFS_PASSERELLE: points at port 9090, but the gateway listens on BTFS_PORT_PASSERELLE=8080/);
  });

  it('two services on one port: blamed on the one the user set', () => {
    expect(errorsOf('NGINX_PORT_STATS=8080\n')).toEqual([
      'conf/orbis.conf:1:18: NGINX_PORT_STATS: 8080 is also the port of BTFS_PORT_PASSERELLE: two services cannot listen on the same port (hint: give NGINX_PORT_STATS a port of its own)',
    ]);
  });
});
