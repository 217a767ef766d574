// Input that would cost the controller without bound is refused at its position, at once
// (issue #19, item 4): an expansion that doubles itself line after line, a file that never ends
// or never comes (/dev/zero, a FIFO), a YAML alias bomb, nesting thousands deep. Without the
// bounds these tests do not fail politely: they hang or run out of memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { readPlaylist } from '../../../src/config/playlist.js';
import { readInventoryText } from '../../../src/inventory/read-file.js';
import { MAX_CONFIG_FILE_BYTES, readBoundedText } from '../../../src/util/bounded-read.js';
import { configErrorOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-bounded-'));

describe('a conf file that expands without bound', () => {
  it('is refused at the $ that crosses the bound, naming the variable and the setting', () => {
    // 552 bytes: each line doubles the one before; 40 lines would be a terabyte.
    const lines = ['A0=xxxxxxxxxxxxxxxx', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}="$A${i}$A${i}"`), 'NOM_HOTE="$A40"'];
    const [issue] = configErrorOf(() => loadSettings({ confPath: 'conf/orbis.conf', confText: `${lines.join('\n')}\n`, env: {} })).issues;
    expect(formatIssue(issue!)).toMatch(/^conf\/orbis\.conf:11:\d+: A10: expanding \$\{A9\} makes this value longer than 8192 characters \(hint: write the value out/);
  });
});

describe('files that never end or never come', () => {
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);

  it('reads a file, and /dev/null as an empty one', () => {
    writeFileSync(join(dir, 'small.txt'), 'one\n');
    expect(readBoundedText(join(dir, 'small.txt'))).toBe('one\n');
    expect(readBoundedText('/dev/null')).toBe('');
  });

  it('refuses /dev/zero (too long), a FIFO (without waiting for a writer) and a directory', () => {
    expect(() => readBoundedText('/dev/zero')).toThrow(`is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    expect(() => readBoundedText(fifo)).toThrow('is a named pipe (FIFO), not a file');
    expect(() => readBoundedText(dir)).toThrow('is a directory, not a file');
  });

  it('as the conf (--conf) and as the playlist (LISTE_LECTURE): a configuration error naming the file', () => {
    expect(configErrorOf(() => loadSettings({ confPath: fifo, env: {} })).issues.map(formatIssue)).toEqual([`${fifo}: is a named pipe (FIFO), not a file (hint: name a regular file)`]);
    for (const path of ['/dev/zero', fifo]) {
      const loaded = loadSettings({ env: { ORBIS_LISTE_LECTURE: path } });
      let error: unknown;
      try {
        readPlaylist(loaded);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`LISTE_LECTURE: cannot read the playlist ${path}: is `);
    }
  });
});

describe('an inventory that grows once read', () => {
  it('an alias bomb is refused at its first alias', () => {
    const letters = 'abcdefghij';
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]', ...[...letters.slice(1)].map((l, i) => `${l}: &${l} [${Array(9).fill(`*${letters[i]}`).join(', ')}]`)];
    const reading = readInventoryText('inventory/bomb.yaml', `${lines.join('\n')}\n`);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.errors.map(formatIssue)).toEqual([
      'inventory/bomb.yaml:2:8: its aliases (*name) expand to more than 100 copies: a document that grows without bound once read (hint: write the shared values out, or share them with a group (groups: ... vars:) instead of aliases)',
    ]);
  });

  it('nesting deeper than any inventory is refused with a position, deep or very deep', () => {
    for (const depth of [100, 20_000]) {
      const reading = readInventoryText('inventory/deep.yaml', `hosts:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
      expect(reading.ok).toBe(false);
      const [issue] = reading.ok ? [] : reading.errors;
      expect(issue).toMatchObject({ file: 'inventory/deep.yaml', line: 2, message: 'nested more than 64 levels deep: no inventory is' });
    }
  });
});
