// Values set in a conf file in place: only the value of the key's effective line changes.
import { describe, expect, it } from 'vitest';
import { confWord, setConfValues } from '../../../src/btfs-release/conf-lines.js';
import { parseConf } from '../../../src/config/conf-parser.js';

const SHA = 'ab'.repeat(32);

const CONF = [
  '# My Pi',
  'PLATEFORMES="dlive"   # DLive only',
  'BTFS_VERSION="4.1.0"',
  "export BTFS_URL_TELECHARGEMENT='https://mirror.lan/v{version}/btfs-linux-{arch}.tar'   # ours",
  'BTFS_SHA256_ARM64=""          # orbis btfs pin writes it',
  'BTFS_SHA256_ARM64=   # set twice: this one wins',
  'LISTE_LECTURE="a b" # spaces inside quotes',
  '',
].join('\n');

const valueOf = (text: string, key: string) => parseConf(text, { file: 'c' }).entries.filter((e) => e.key === key).at(-1)?.value;

describe('setConfValues', () => {
  it('changes the value of the last assignment only; export, comments and every other line stay', () => {
    const { text, changes } = setConfValues(CONF, 'c', [{ key: 'BTFS_SHA256_ARM64', value: SHA }]);
    const before = CONF.split('\n');
    const after = text.split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual([`BTFS_SHA256_ARM64="${SHA}"   # set twice: this one wins`]);
    expect(changes).toEqual([{ key: 'BTFS_SHA256_ARM64', line: 6, added: false }]);
    expect(valueOf(text, 'BTFS_SHA256_ARM64')).toBe(SHA);

    const url = setConfValues(CONF, 'c', [{ key: 'BTFS_URL_TELECHARGEMENT', value: 'http://x/{arch}' }]).text.split('\n');
    expect(url[3]).toBe('export BTFS_URL_TELECHARGEMENT="http://x/{arch}"   # ours');
  });

  it('adds a missing key after its neighbour, or at the end (a final newline added if missing)', () => {
    const { text, changes } = setConfValues(CONF, 'c', [{ key: 'BTFS_SHA256_AMD64', value: SHA, after: ['BTFS_SHA256_ARM64'] }]);
    const lines = text.split('\n');
    expect(lines[6]).toBe(`BTFS_SHA256_AMD64="${SHA}"`);
    expect(lines.filter((_, i) => i !== 6).join('\n')).toBe(CONF);
    expect(changes).toEqual([{ key: 'BTFS_SHA256_AMD64', line: 7, added: true }]);

    expect(setConfValues('A=1', 'c', [{ key: 'BTFS_SHA256_AMD64', value: SHA, after: ['NOPE'] }]).text).toBe(`A=1\nBTFS_SHA256_AMD64="${SHA}"\n`);
    expect(setConfValues('', 'c', [{ key: 'X', value: 'y' }]).text).toBe('X="y"\n');
  });

  it('keeps CRLF line endings and a BOM', () => {
    const crlf = '\uFEFFBTFS_SHA256_ARM64=""\r\nA=1\r\n';
    expect(setConfValues(crlf, 'c', [{ key: 'BTFS_SHA256_ARM64', value: SHA }, { key: 'B', value: '2', after: ['A'] }]).text).toBe(`\uFEFFBTFS_SHA256_ARM64="${SHA}"\r\nA=1\r\nB="2"\r\n`);
  });

  it('quotes values so that the conf parser (and bash) read them back unchanged', () => {
    for (const value of ['http://m/{version}/x', 'a$b', 'say "hi"', 'back\\slash']) {
      expect(valueOf(`K=${confWord(value)}\n`, 'K')).toBe(value);
    }
    expect(() => confWord(`it's "both"`)).toThrow(/cannot be written/);
  });
});
