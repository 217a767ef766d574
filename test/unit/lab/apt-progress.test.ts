// apt-get's Status-Fd records, as apt 2.6 wrote them on bookworm (test/fixtures/apt), condensed
// into the one line the demo shows while it installs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AptProgressLine, parseAptStatus } from '../../../src/lab/apt-progress.js';
import { repoRoot } from '../config/helpers.js';

const recorded = (name: string): string[] => readFileSync(join(repoRoot, 'test', 'fixtures', 'apt', name), 'utf8').split('\n').filter((l) => l !== '');

/** Every line the condenser shows, in order, for these records (one per change). */
function shown(what: string, lines: readonly string[]): string[] {
  const line = new AptProgressLine(what);
  const out = [line.text];
  for (const l of lines) if (line.feed(l)) out.push(line.text);
  return out;
}

describe('apt-get status records', () => {
  it('parse into kind, subject, percent and description (a description may hold colons)', () => {
    expect(parseAptStatus('pmstatus:gcc-aarch64-linux-gnu:84.6154:Configuring gcc-aarch64-linux-gnu (amd64)')).toEqual({
      kind: 'pmstatus',
      subject: 'gcc-aarch64-linux-gnu',
      percent: 84.6154,
      description: 'Configuring gcc-aarch64-linux-gnu (amd64)',
    });
    expect(parseAptStatus('pmerror:ffmpeg:40.0000:trying to overwrite /usr/bin/x: also in y')?.description).toBe('trying to overwrite /usr/bin/x: also in y');
    expect(parseAptStatus('Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]')).toBeUndefined();
  });
});

describe('the condensed progress line', () => {
  it('follows an install as recorded: downloads counted, then what dpkg does to which package', () => {
    const lines = shown('installing 2 packages', recorded('status-install.txt'));
    expect(lines[0]).toBe('installing 2 packages');
    expect(lines).toContain('installing 2 packages: downloading 1/2 (0%)');
    expect(lines).toContain('installing 2 packages: downloading 2/2 (100%)');
    expect(lines).toContain('installing 2 packages: unpacking cpp-aarch64-linux-gnu (11%)');
    expect(lines).toContain('installing 2 packages: configuring gcc-aarch64-linux-gnu (77%)');
    expect(lines[lines.length - 1]).toBe('installing 2 packages: installed gcc-aarch64-linux-gnu (88%)');
    // Repeated records (apt repeats dlstatus while a file comes) make no new line.
    expect(lines.length).toBeLessThan(recorded('status-install.txt').length);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('follows apt-get update as recorded', () => {
    const lines = shown('updating the package lists', recorded('status-update.txt'));
    expect(lines).toEqual([
      'updating the package lists',
      'updating the package lists: downloading 1/3 (0%)',
      'updating the package lists: downloading 4/5 (0%)',
      'updating the package lists: downloading 7/7 (0%)',
      'updating the package lists: downloading 9/9 (100%)',
    ]);
  });

  it('ignores apt-get\'s ordinary output, and keeps dpkg\'s error for the failure message', () => {
    const line = new AptProgressLine('installing 1 package');
    expect(line.feed('Reading package lists...')).toBe(false);
    expect(line.text).toBe('installing 1 package');
    line.feed('pmerror:ffmpeg:40.0000:trying to overwrite /usr/bin/ffmpeg');
    expect(line.error).toBe('ffmpeg: trying to overwrite /usr/bin/ffmpeg');
  });
});
