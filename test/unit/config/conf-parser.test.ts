import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectiveEntries, parseConf, scanConf } from '../../../src/config/conf-parser.js';
import { formatIssue } from '../../../src/config/errors.js';
import { configErrorOf, haveUpstreamConf, readFixture, upstreamConfPath } from './helpers.js';

const scan = (text: string) => scanConf(text, { file: 'conf/orbis.conf' });
const values = (text: string) => Object.fromEntries([...effectiveEntries(parseConf(text, { file: 't.conf' }))].map(([k, e]) => [k, e.value]));
/** The only error of `text`, formatted. */
function onlyError(text: string): string {
  const result = scan(text);
  expect(result.errors).toHaveLength(1);
  return formatIssue(result.errors[0]!);
}

const UPSTREAM_VALUES: Record<string, string> = {
  BTFS_PASSERELLE: 'http://127.0.0.1:8080/btfs',
  BTFS_API: 'http://127.0.0.1:5001/api/v1',
  BTFS_PORT_PASSERELLE: '8080',
  BTFS_REPO: '/home/thalyn/.btfs',
  BTFS_CHAINE_ID: '1029',
  BTFS_DAEMON_CMD: 'btfs daemon --chain-id 1029',
  BTFS_DELAI_DEMARRAGE: '10',
  BTFS_HASH_TEST: 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2',
  REPERTOIRE_PROJET: '/home/thalyn/OrbisAlternis',
  REPERTOIRE_LDL: '/home/thalyn/OrbisAlternis/ldl',
  REPERTOIRE_IMG: '/home/thalyn/OrbisAlternis/img',
  REPERTOIRE_JOURNAUX: '/home/thalyn/OrbisAlternis/journaux',
  REPERTOIRE_CONF: '/home/thalyn/OrbisAlternis/conf',
  REPERTOIRE_SCRIPTS: '/home/thalyn/OrbisAlternis/scripts',
  FFMPEG: '/usr/bin/ffmpeg',
  FFPROBE: '/usr/bin/ffprobe',
  CURL: '/usr/bin/curl',
  STUNNEL: '/usr/bin/stunnel4',
  ENCODEUR_VIDEO: 'h264_v4l2m2m',
  PRESET_ENCODAGE: 'ultrafast',
  PROFIL_H264: 'main',
  NIVEAU_H264: '4.0',
  DEBIT_IMAGES: '30',
  GOP: '60',
  LARGEUR_MAX: '1280',
  HAUTEUR_MAX: '720',
  DLIVE_ACTIF: 'true',
  DLIVE_SERVEUR: 'rtmp://stream.dlive.tv/live',
  DLIVE_CLE_FLUX: '',
  DLIVE_BITRATE_VIDEO: '3500',
  DLIVE_BITRATE_AUDIO: '160',
  KICK_ACTIF: 'true',
  KICK_SERVEUR_REEL: 'fa723fc1b171.global-contribute.live-video.net',
  KICK_PORT_REEL: '443',
  KICK_CHEMIN: '/app',
  KICK_CLE_FLUX: '',
  KICK_BITRATE_VIDEO: '4000',
  KICK_BITRATE_AUDIO: '160',
  STUNNEL_PORT_LOCAL: '11935',
  NGINX_PORT_RTMP: '9935',
  NGINX_CHEMIN_APPLICATION: 'diffusion',
  BOUCLE: 'true',
  MELANGE: 'false',
  DELAI_ENTRE_VIDEOS: '5',
  TENTATIVES_RECONNEXION: '3',
  DELAI_RECONNEXION: '10',
  FILIGRANE_ACTIF: 'false',
  FILIGRANE_IMAGE: '/home/thalyn/OrbisAlternis/img/logo.png',
  FILIGRANE_POSITION: '10:10',
  FILIGRANE_OPACITE: '0.85',
  WEBCAM_ACTIF: 'false',
  WEBCAM_PERIPHERIQUE: '/dev/video0',
  WEBCAM_LARGEUR: '320',
  WEBCAM_HAUTEUR: '180',
  WEBCAM_DEBIT_IMAGES: '30',
  WEBCAM_POSITION: 'main_w-overlay_w-10:main_h-overlay_h-10',
  NIVEAU_JOURNAL: 'INFO',
  CONSERVATION_JOURNAUX: '14',
};

describe.skipIf(!haveUpstreamConf)(`upstream's orbis.conf (${upstreamConfPath})`, () => {
  const parsed = () => scanConf(readFileSync(upstreamConfPath, 'utf8'), { file: 'orbis.conf' });

  it('parses to its 58 variables, in order, with exact values, no errors and no warnings', () => {
    const result = parsed();
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.entries).toHaveLength(58);
    expect(Object.fromEntries(result.entries.map((e) => [e.key, e.value]))).toEqual(UPSTREAM_VALUES);
    expect(result.entries.map((e) => e.key)).toEqual(Object.keys(UPSTREAM_VALUES));
  });

  it('reads the line whose inline comment holds a second # and an apostrophe', () => {
    const entry = parsed().entries.find((e) => e.key === 'BTFS_HASH_TEST')!;
    expect(entry).toMatchObject({ line: 18, col: 1, valueLine: 18, valueCol: 16 });
    expect(entry.value).toBe('QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2');
  });

  it('expands ${VAR} from earlier lines', () => {
    const entry = parsed().entries.find((e) => e.key === 'BTFS_DAEMON_CMD')!;
    expect(entry.value).toBe('btfs daemon --chain-id 1029');
  });
});

describe('the full-features fixture', () => {
  const result = () => scan(readFixture('full-features.conf'));

  it('parses without errors or warnings into 58 variables', () => {
    expect(result().errors).toEqual([]);
    expect(result().warnings).toEqual([]);
    expect(result().entries).toHaveLength(58);
  });

  it('gives each value as bash would', () => {
    const v = Object.fromEntries(result().entries.map((e) => [e.key, e.value]));
    expect(v).toMatchObject({
      BTFS_PASSERELLE: 'http://127.0.0.1:8181/btfs',
      BTFS_API: 'http://127.0.0.1:5005/api/v1',
      BTFS_CHAINE_ID: '199',
      BTFS_DAEMON_CMD: 'btfs daemon --chain-id 199 --note "x"',
      BTFS_HASH_TEST: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
      REPERTOIRE_PROJET: '/home/pi/orbis-maison',
      REPERTOIRE_LDL: '/home/pi/orbis-maison/listes',
      REPERTOIRE_IMG: '/home/pi/orbis-maison/images',
      REPERTOIRE_JOURNAUX: '/home/pi/orbis-maison/logs',
      REPERTOIRE_SCRIPTS: '/home/pi/orbis-maison/bin',
      FFPROBE: '/usr/bin/ffprobe',
      PRESET_ENCODAGE: 'veryfast',
      DLIVE_SERVEUR: 'rtmp://stream.dlive.tv/live',
      DLIVE_CLE_FLUX: '',
      KICK_CLE_FLUX: '',
      KICK_ACTIF: 'true',
      STUNNEL_PORT_LOCAL: '12935',
      FILIGRANE_IMAGE: '/home/pi/orbis-maison/images/marque.png',
      FILIGRANE_OPACITE: '.5',
      WEBCAM_POSITION: 'main_w-overlay_w-10:10',
      CONSERVATION_JOURNAUX: '30',
    });
  });

  it('records the export prefix and positions', () => {
    const entries = result().entries;
    const projet = entries.find((e) => e.key === 'REPERTOIRE_PROJET')!;
    expect(projet).toMatchObject({ exported: true, line: 20, col: 8, valueCol: 26 });
    const hash = entries.find((e) => e.key === 'BTFS_HASH_TEST')!;
    expect(hash).toMatchObject({ line: 17, col: 1, valueCol: 16, exported: false });
  });
});

describe('values', () => {
  it('applies bash rules inside double quotes: \\ escapes only $ ` " \\', () => {
    expect(values('A="a\\"b\\\\c\\$d\\e\\`f"\n')).toEqual({ A: 'a"b\\c$d\\e`f' });
  });

  it('keeps single-quoted text literal', () => {
    expect(values(`A=x\nB='\${A} $A \\n "q"'\n`)).toEqual({ A: 'x', B: '${A} $A \\n "q"' });
  });

  it('expands $VAR and ${VAR} in bare and double-quoted text, from earlier lines only', () => {
    expect(values('A=one\nB=$A/two\nC="${A}x$A"\nD=${B}\n')).toEqual({ A: 'one', B: 'one/two', C: 'onexone', D: 'one/two' });
  });

  it('concatenates quoted and bare parts of one word', () => {
    expect(values(`A="a b"'c d'e\n`)).toEqual({ A: 'a bc de' });
  });

  it('treats # inside a word as text, and after a blank as a comment', () => {
    expect(values('A=b#c\nB=b #c\nC="x # y"  # z\n')).toEqual({ A: 'b#c', B: 'b', C: 'x # y' });
  });

  it('keeps a lone $ literal, as bash does', () => {
    expect(values('A="5 $"\nB=$/x\nC="$ y"\n')).toEqual({ A: '5 $', B: '$/x', C: '$ y' });
  });

  it('unescapes a bare backslash', () => {
    expect(values('A=a\\ b\\;c\n')).toEqual({ A: 'a b;c' });
  });

  it('reads empty values in every form', () => {
    expect(values(`A=\nB=""\nC=''\nD=   # nothing\n`)).toEqual({ A: '', B: '', C: '', D: '' });
  });

  it('accepts leading blanks and `export`', () => {
    const parsed = parseConf('  export   A=1\n\tB=2\n', { file: 't' });
    expect(parsed.entries.map((e) => [e.key, e.value, e.exported, e.col])).toEqual([['A', '1', true, 12], ['B', '2', false, 2]]);
  });

  it('maps each character of a value to its source column', () => {
    const [entry] = parseConf(`K="ab"'c'\\d\n`, { file: 't' }).entries;
    expect(entry!.value).toBe('abcd');
    expect(entry!.valueCol).toBe(3);
    expect(entry!.valueColumns).toEqual([4, 5, 8, 11]);
  });

  it('counts columns in characters, not bytes', () => {
    const [entry] = parseConf('K="é b;"\n', { file: 't' }).entries;
    expect(entry!.valueColumns[3]).toBe(7);
  });
});

describe('errors: each says file:line:col, what was found, and a hint', () => {
  it.each([
    ['a command', 'A=1\nsudo systemctl restart nginx\n', 'conf/orbis.conf:2:1: not a variable assignment: bash would run this line as a command'],
    ['a bare word', 'justaword\n', 'conf/orbis.conf:1:1: not a variable assignment'],
    ['a line that is not a name', '-x=1\n', 'conf/orbis.conf:1:1: not a variable assignment: found text that is not `KEY=value`'],
    ['spaces around =', 'A=1\nDLIVE_BITRATE_VIDEO = 3500\n', "conf/orbis.conf:2:20: DLIVE_BITRATE_VIDEO: spaces around '='"],
    ['a space after =', 'GOP= 60\n', "conf/orbis.conf:1:6: GOP: found a space after '='"],
    ['an unterminated double quote', 'A=1\nB="abc\n', 'conf/orbis.conf:2:3: B: the double quote opened here is not closed on this line'],
    ['an unterminated single quote', "B='abc\n", 'conf/orbis.conf:1:3: B: the single quote opened here is not closed on this line'],
    ['a quote closed by an escaped quote only', 'B="abc\\"\n', 'conf/orbis.conf:1:3: B: the double quote opened here is not closed'],
    ['$( )', 'B="x$(whoami)"\n', 'conf/orbis.conf:1:5: B: found a command substitution'],
    ['backticks', 'B=`id`\n', 'conf/orbis.conf:1:3: B: found a command substitution'],
    ['backticks in double quotes', 'B="a`id`"\n', 'conf/orbis.conf:1:5: B: found a command substitution'],
    ['$(( ))', 'B=$((1+2))\n', 'conf/orbis.conf:1:3: B: found a command substitution'],
    ['an unknown variable', 'A=1\nB="${HOME}/x"\n', 'conf/orbis.conf:2:4: B: reference to the unknown variable HOME in B'],
    ['an unknown bare $VAR', 'B=$USER\n', 'conf/orbis.conf:1:3: B: reference to the unknown variable USER'],
    ['a parameter operation', 'A=1\nB=${A:-2}\n', 'conf/orbis.conf:2:3: B: found the parameter expression'],
    ['an unclosed ${', 'A=1\nB="${A"\n', "conf/orbis.conf:2:4: B: found '${' without its closing '}'"],
    ['a special parameter', 'B="$1"\n', 'conf/orbis.conf:1:4: B: found the special parameter $1'],
    ["$'...' quoting", "B=$'x'\n", "conf/orbis.conf:1:3: B: found $'...' quoting"],
    ['text after the value', 'B=abc def\n', 'conf/orbis.conf:1:7: B: found more text after the value of B'],
    ['text after a quoted value', 'B="abc" def\n', 'conf/orbis.conf:1:9: B: found more text after the value of B'],
    ['a shell operator', 'B=abc;reboot\n', "conf/orbis.conf:1:6: B: found the shell operator ';'"],
    ['a pipe', 'B=a|b\n', "conf/orbis.conf:1:4: B: found the shell operator '|'"],
    ['a background &', 'B=a&b\n', "conf/orbis.conf:1:4: B: found the shell operator '&'"],
    ['a leading ~', 'B=~/x\n', "conf/orbis.conf:1:3: B: found '~' at the start of a path"],
    ['a ~ after :', 'B=/a:~/x\n', "conf/orbis.conf:1:6: B: found '~' at the start of a path"],
    ['a line continuation', 'B=abc\\\n', "conf/orbis.conf:1:6: B: found a '\\' at the end of the line"],
    ['an append', 'B+=x\n', 'conf/orbis.conf:1:2: B: `B+=` (append) is not supported'],
    ['an array', 'B[0]=x\n', 'conf/orbis.conf:1:2: B: `B[...]` (array) is not supported'],
    ['export without a value', 'export B\n', 'conf/orbis.conf:1:8: B: `export B` without a value'],
  ])('%s', (_kind, text, expected) => {
    const message = onlyError(text);
    expect(message.startsWith(expected), message).toBe(true);
    expect(message).toContain('(hint: ');
  });

  it('says when a variable is defined later in the file', () => {
    expect(onlyError('B="${A}"\nA=1\n')).toContain('A is set later, at line 2: move that line above this one');
  });

  it('suggests a close name for an unknown variable', () => {
    expect(onlyError('REPERTOIRE_PROJET=/x\nB="${REPERTOIRE_PROJT}/y"\n')).toContain('did you mean REPERTOIRE_PROJET?');
  });

  it('collects one error per faulty line, and every faulty line', () => {
    const result = scan('A=1\nB = 2\nC="x\nD=ok\nsource other.conf\n');
    expect(result.errors.map((e) => [e.line, e.col])).toEqual([[2, 2], [3, 3], [5, 1]]);
    expect(result.entries.map((e) => e.key)).toEqual(['A', 'D']);
  });

  it('does not cascade from a broken line to the lines that use it', () => {
    const result = scan('A="x\nB=${A}/y\nC="$B"\n');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(1);
  });

  it('never quotes the text of a value or of an unparsable line', () => {
    const secretish = 'sk_live_SECRETVALUE';
    for (const text of [
      `DLIVE_CLE_FLUX=${secretish} more\n`,
      `${secretish}\n`,
      `DLIVE_CLE_FLUX="${secretish}\n`,
      `DLIVE_CLE_FLUX= ${secretish}\n`,
      `DLIVE_CLE_FLUX=${secretish};x\n`,
    ]) {
      const result = scan(text);
      expect(result.errors.length).toBe(1);
      expect(formatIssue(result.errors[0]!)).not.toContain('SECRETVALUE');
    }
  });

  it('parseConf throws a ConfigError holding every issue', () => {
    const error = configErrorOf(() => parseConf('A = 1\nB="\n', { file: 'x.conf' }));
    expect(error.issues).toHaveLength(2);
    expect(error.format().split('\n')[0]).toMatch(/^x\.conf:1:2: A: /);
  });
});

describe('warnings', () => {
  it('a duplicate key: the later value wins, as in bash', () => {
    const result = scan('A=1\nB=2\nA=3\n');
    expect(result.errors).toEqual([]);
    expect(formatIssue(result.warnings[0]!)).toBe(
      'conf/orbis.conf:3:1: A: set again (first set at line 1); this later value wins, as in bash (hint: keep one assignment per variable)',
    );
    expect(effectiveEntries(result).get('A')!.value).toBe('3');
    expect(result.entries).toHaveLength(3);
  });

  it('a later line sees the value in force at that point', () => {
    expect(values('A=1\nB=$A\nA=2\nC=$A\n')).toMatchObject({ B: '1', C: '2' });
  });

  it('CRLF line endings are read as LF, with one warning', () => {
    const result = scan('A="1"\r\nB=2\r\n');
    expect(result.entries.map((e) => e.value)).toEqual(['1', '2']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toContain('CRLF');
  });

  it('a UTF-8 BOM is skipped, with a warning, and columns stay right', () => {
    const result = scan('\uFEFFA=1\n');
    expect(result.entries[0]).toMatchObject({ key: 'A', value: '1', col: 1, valueCol: 3 });
    expect(result.warnings[0]!.message).toContain('byte order mark');
  });

  it('a file without a final newline parses', () => {
    expect(values('A=1\nB=2')).toEqual({ A: '1', B: '2' });
  });
});
