import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { clearKeyWarnings } from '../../../src/secrets/index.js';
import { DLIVE_KEY, expectNoneOf, KICK_KEY, scratch } from './helpers.js';

const CONF = `# site\nDLIVE_ACTIF=true\nDLIVE_CLE_FLUX="${DLIVE_KEY}"\nKICK_CLE_FLUX=''\nexport  KICK_CLE_FLUX=${KICK_KEY.replace(/[?&]/g, '\\$&')}\n`;

function repo(): string {
  const dir = scratch();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 't@example.invalid');
  git('config', 'user.name', 't');
  mkdirSync(join(dir, 'conf'));
  return dir;
}

describe('stream keys in clear in files git tracks', () => {
  it('warns at each non-empty key of a tracked conf file, with what to do', () => {
    const dir = repo();
    const file = join(dir, 'conf', 'orbis.conf');
    writeFileSync(file, CONF);
    execFileSync('git', ['add', 'conf/orbis.conf'], { cwd: dir });
    const warnings = clearKeyWarnings(file);
    expect(warnings.map((w) => `${w.line}:${w.col} ${w.variable}`)).toEqual(['3:16 DLIVE_CLE_FLUX', '5:23 KICK_CLE_FLUX']);
    const text = warnings.map(formatIssue).join('\n');
    expect(text).toContain(`${file}:3:16: DLIVE_CLE_FLUX: a stream key in clear in a file git tracks`);
    expect(text).toContain(`git rm --cached ${file}`);
    expect(text).toContain('ORBIS_DLIVE_CLE_FLUX');
    expect(text).toContain('orbis secrets edit');
    expectNoneOf(text, [DLIVE_KEY, KICK_KEY]);
  });

  it('says nothing for an untracked or ignored file, empty keys, a missing file, a file outside any repository', () => {
    const dir = repo();
    const file = join(dir, 'conf', 'orbis.conf');
    writeFileSync(file, CONF);
    expect(clearKeyWarnings(file)).toEqual([]); // untracked
    writeFileSync(join(dir, '.gitignore'), 'conf/orbis.conf\n');
    expect(clearKeyWarnings(file)).toEqual([]);

    const empty = join(dir, 'conf', 'empty.conf');
    writeFileSync(empty, 'DLIVE_CLE_FLUX=""\nKICK_CLE_FLUX=\n');
    execFileSync('git', ['add', 'conf/empty.conf'], { cwd: dir });
    expect(clearKeyWarnings(empty)).toEqual([]);
    expect(clearKeyWarnings(join(dir, 'conf', 'none.conf'))).toEqual([]);

    const outside = join(scratch(), 'orbis.conf');
    writeFileSync(outside, CONF);
    expect(clearKeyWarnings(outside)).toEqual([]);
  });

  it('still finds keys on good lines of a file with broken ones, and takes text already read', () => {
    const warnings = clearKeyWarnings('conf/site.conf', { text: `BROKEN LINE\nKICK_CLE_FLUX=${'k'.repeat(12)}\n`, isTracked: () => true });
    expect(warnings.map((w) => `${w.file}:${w.line}:${w.col}`)).toEqual(['conf/site.conf:2:15']);
    expect(clearKeyWarnings('x.conf', { text: CONF, isTracked: () => false })).toEqual([]);
  });
});
