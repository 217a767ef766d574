// src/pi/remove-old.sh as it runs: composed by buildRemovalScript, run by bash in a sandbox
// (orbis's state directory, where the archive goes, in a temporary tree; the paths to remove in
// it too; fakes of systemctl and nginx), its output read by parseRemovalOutput.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRemovalScript, parseRemovalOutput, type RemovalPlan } from '../../../src/import/remove-old.js';
import { ScriptSandbox } from '../facts/script-sandbox.js';
import { shellcheckPiFile, shellcheckSent } from '../pi/shellcheck.js';

const DATE = new Date('2025-06-01T10:20:30.456Z');

let box: ScriptSandbox;
let project: string;
let block: string;
let link: string;
beforeEach(() => {
  box = new ScriptSandbox();
  box.fake('systemctl', `echo "$*" >> ${box.dir}/systemctl.log; [ "$*" != 'stop stuck.service' ]`);
  box.fake('nginx', `[ ! -e ${box.dir}/nginx-broken ]`);
  project = join(box.dir, 'home', 'pi', 'OrbisAlternis');
  for (const f of ['img/logo.png', 'img/other.png', 'conf/orbis.conf', '.hidden', '..odd', 'ldl/a b.txt']) box.write(join(project, f), `${f}\n`);
  block = box.write('etc/nginx/orbis-rtmp-block.conf', 'rtmp {}\n');
  link = join(box.dir, 'etc', 'nginx', 'sites-enabled', 'orbis-stats.conf');
  mkdirSync(join(box.dir, 'etc', 'nginx', 'sites-enabled'));
  symlinkSync('../sites-available/orbis-stats.conf', link);
});
afterEach(() => box.remove());

function plan(partial: Partial<RemovalPlan> = {}): RemovalPlan {
  return { remove: [project, block, link, join(box.dir, 'gone already')], keep: [{ path: join(project, 'img', 'logo.png'), why: 'FILIGRANE_IMAGE' }], disable: ['stunnel4.service'], blockers: [], ...partial };
}

const archiveOf = (): string => join(box.state, 'upstream-backup', 'upstream-20250601T102030Z.tar.gz');
const listing = (archive: string): string[] => execFileSync('tar', ['--list', '--gzip', '--file', archive]).toString().split('\n').filter(Boolean).sort();

describe('remove-old.sh under shellcheck', () => {
  it('the file, and the script as sent for a removal, are clean', () => {
    expect(shellcheckPiFile('remove-old.sh')).toBe('');
    expect(shellcheckSent(buildRemovalScript(plan(), DATE))).toBe('');
    expect(shellcheckSent(buildRemovalScript(plan({ remove: [], keep: [], disable: [] }), DATE))).toBe('');
  });
});

describe('remove-old.sh', () => {
  it('archives everything first (root only, named by time), then removes it but the paths to keep', () => {
    const run = box.run(buildRemovalScript(plan(), DATE));
    expect(run.code).toBe(0);
    const outcome = parseRemovalOutput(run.stdout);
    const archive = archiveOf();
    expect(outcome.archive).toEqual({ path: archive, bytes: statSync(archive).size });
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(statSync(join(box.state, 'upstream-backup')).mode & 0o777).toBe(0o700);
    // The archive holds all of it, what was then removed and what was kept.
    const rel = (p: string): string => p.slice(1);
    expect(listing(archive)).toEqual(
      [`${rel(project)}/`, ...['.hidden', '..odd', 'conf/', 'conf/orbis.conf', 'img/', 'img/logo.png', 'img/other.png', 'ldl/', 'ldl/a b.txt'].map((f) => `${rel(project)}/${f}`), rel(block), rel(link)].sort(),
    );
    const other = execFileSync('tar', ['--extract', '--gzip', '--to-stdout', '--file', archive, `${rel(project)}/img/other.png`]).toString();
    expect(other).toBe('img/other.png\n');
    // Removed in the plan's order; what did not exist is not said to be removed.
    expect(outcome.removed).toEqual([project, block, link]);
    expect(execFileSync('find', [project]).toString().split('\n').filter(Boolean).sort()).toEqual([project, join(project, 'img'), join(project, 'img', 'logo.png')]);
    expect(existsSync(block)).toBe(false);
    expect(() => lstatSync(link)).toThrow();
    expect(outcome.restored).toBe(false);
  });

  it('disables and stops the units asked, and says so only of those that stopped', () => {
    const run = box.run(buildRemovalScript(plan({ disable: ['stunnel4.service', 'stuck.service', 'other.service'] }), DATE));
    expect(run.code).toBe(0);
    expect(parseRemovalOutput(run.stdout).disabled).toEqual(['stunnel4.service', 'other.service']);
    expect(readFileSync(join(box.dir, 'systemctl.log'), 'utf8')).toBe(
      ['disable stunnel4.service', 'stop stunnel4.service', 'disable stuck.service', 'stop stuck.service', 'disable other.service', 'stop other.service', ''].join('\n'),
    );
  });

  it("removes the folder of upstream's retired stats site once it is empty", () => {
    mkdirSync(join(box.state, 'upstream'), { recursive: true });
    box.run(buildRemovalScript(plan(), DATE));
    expect(existsSync(join(box.state, 'upstream'))).toBe(false);
    box.write(join(box.state, 'upstream', 'orbis-stats.conf'), 'x');
    box.run(buildRemovalScript(plan(), DATE));
    expect(existsSync(join(box.state, 'upstream', 'orbis-stats.conf'))).toBe(true);
  });

  it('puts everything back, and exits 3, when nginx no longer accepts its configuration', () => {
    box.write('nginx-broken', '');
    const run = box.run(buildRemovalScript(plan(), DATE));
    expect(run.code).toBe(3);
    const outcome = parseRemovalOutput(run.stdout);
    expect(outcome.restored).toBe(true);
    expect(outcome.removed).toEqual([project, block, link]);
    expect(readFileSync(join(project, 'img', 'other.png'), 'utf8')).toBe('img/other.png\n');
    expect(readFileSync(block, 'utf8')).toBe('rtmp {}\n');
    expect(execFileSync('readlink', [link]).toString()).toBe('../sites-available/orbis-stats.conf\n');
  });

  it('with nothing left to remove: no archive, and the units are still disabled', () => {
    const run = box.run(buildRemovalScript(plan({ remove: [join(box.dir, 'gone already')], keep: [] }), DATE));
    expect(run.code).toBe(0);
    expect(parseRemovalOutput(run.stdout)).toEqual({ removed: [], disabled: ['stunnel4.service'], restored: false });
    expect(existsSync(archiveOf())).toBe(false);
  });
});
