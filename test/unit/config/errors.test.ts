import { describe, expect, it } from 'vitest';
import { btfsDownload } from '../../../src/config/btfs-download.js';
import { ConfigError, formatIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { Secret } from '../../../src/redact/secret.js';

describe('formatIssue', () => {
  it('file:line:col: VARIABLE: message (hint: ...)', () => {
    expect(formatIssue({ file: 'conf/orbis.conf', line: 12, col: 18, variable: 'DLIVE_BITRATE_VIDEO', message: 'must be ...', hint: 'do this' }))
      .toBe('conf/orbis.conf:12:18: DLIVE_BITRATE_VIDEO: must be ... (hint: do this)');
  });

  it('a source instead of a position; no hint, no variable', () => {
    // A source that names the variable already is not followed by its name again.
    expect(formatIssue({ source: 'environment ORBIS_GOP', variable: 'GOP', message: 'bad' })).toBe('environment ORBIS_GOP: bad');
    expect(formatIssue({ source: '--var DLIVE_BITRATE_VIDEO', variable: 'DLIVE_BITRATE_VIDEO', message: 'must be', hint: 'h' })).toBe('--var DLIVE_BITRATE_VIDEO: must be (hint: h)');
    expect(formatIssue({ source: 'inventory group salon', variable: 'GOP', message: 'bad' })).toBe('inventory group salon: GOP: bad');
    expect(formatIssue({ file: 'f', message: 'no such file' })).toBe('f: no such file');
    expect(formatIssue({ file: 'f', line: 3, message: 'CRLF' })).toBe('f:3: CRLF');
  });
});

describe('ConfigError', () => {
  it('carries every issue and prints them one per line', () => {
    const error = new ConfigError([{ file: 'a', line: 1, col: 2, message: 'x' }, { source: '--var', message: 'y' }]);
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe('a:1:2: x\n--var: y');
    expect(error.format()).toBe(error.message);
    expect(error.name).toBe('ConfigError');
  });

  it('masks the secrets it is given in messages and hints', () => {
    const error = new ConfigError([{ message: 'found k3y-abc', hint: 'not k3y-abc' }], [new Secret('k3y-abc'), 'other']);
    expect(error.message).toBe('found ******** (hint: not ********)');
  });
});

describe('btfsDownload', () => {
  it('fills the URL template and takes the checksum of the host\'s architecture', () => {
    const sha = 'A'.repeat(64);
    const { settings } = loadSettings({ env: { ORBIS_BTFS_SHA256_ARM64: sha, ORBIS_BTFS_URL_TELECHARGEMENT: 'http://10.0.0.1/btfs-{version}-{arch}.tar.gz' } });
    expect(btfsDownload(settings, 'arm64')).toEqual({ ok: true, url: 'http://10.0.0.1/btfs-4.1.0-arm64.tar.gz', sha256: 'a'.repeat(64) });
  });

  it('refuses to install without a checksum, and an unknown architecture', () => {
    const { settings, origins } = loadSettings({ env: {} });
    const noSum = btfsDownload(settings, 'amd64', origins);
    // go-btfs publishes no checksum: the hint is the command that pins it, not "set it"
    expect(!noSum.ok && formatIssue(noSum.issue)).toBe('default value: BTFS_SHA256_AMD64: is empty: BTFS is not pinned for this amd64 host, and orbis installs no download it cannot check (hint: run `orbis btfs pin --arch amd64`: it downloads BTFS 4.1.0 for amd64 on this machine, checks it and writes its sha256 into the conf)');
    const inFile = btfsDownload(settings, 'arm64', { ...origins, BTFS_SHA256_ARM64: { kind: 'file', file: 'conf/lab.conf', line: 3, col: 19 } });
    expect(!inFile.ok && formatIssue(inFile.issue)).toMatch(/^conf\/lab\.conf:3:19: BTFS_SHA256_ARM64: is empty: .*\(hint: run `orbis btfs pin --arch arm64 --conf conf\/lab\.conf`/);
    const fromEnv = btfsDownload(settings, 'arm64', { ...origins, BTFS_SHA256_ARM64: { kind: 'env', variable: 'ORBIS_BTFS_SHA256_ARM64' } });
    expect(!fromEnv.ok && fromEnv.issue.hint).toMatch(/ \(and unset ORBIS_BTFS_SHA256_ARM64, which is empty and wins over the conf\)$/);
    const armhf = btfsDownload(settings, 'armhf');
    expect(!armhf.ok && armhf.issue.message).toBe('no BTFS release is configured for the architecture armhf');
  });
});
