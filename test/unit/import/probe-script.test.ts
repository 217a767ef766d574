// src/pi/import-probe.sh as it runs: composed by buildImportScript, run by bash in a sandbox
// (orbis's state directory in a temporary tree, fakes of getent, systemctl and pgrep), its output
// read by parseImportOutput.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImportScript, parseImportOutput, UPSTREAM_PATHS } from '../../../src/import/probe.js';
import { ScriptSandbox } from '../facts/script-sandbox.js';
import { shellcheckPiFile, shellcheckSent } from '../pi/shellcheck.js';

let box: ScriptSandbox;
beforeEach(() => {
  box = new ScriptSandbox();
});
afterEach(() => box.remove());

/** getent passwd as a host with these entries answers it (and getent group, empty). */
function passwd(entries: string[]): void {
  box.fake('getent', `[ "$1" = passwd ] && [ $# = 1 ] && printf '%s\\n' ${entries.map((e) => `'${e}'`).join(' ')}`);
}

describe('import-probe.sh under shellcheck', () => {
  it('the file, and the script as sent with and without --project, are clean', () => {
    expect(shellcheckPiFile('import-probe.sh')).toBe('');
    expect(shellcheckSent(buildImportScript())).toBe('');
    expect(shellcheckSent(buildImportScript({ project: "/srv/my 'orbis'/" }))).toBe('');
  });
});

describe('import-probe.sh', () => {
  it("finds ~user/OrbisAlternis of every user, reads its configuration and playlists, lists the rest", () => {
    const home = join(box.dir, 'home', 'pi');
    const project = join(home, 'OrbisAlternis');
    box.write(join(project, 'conf', 'orbis.conf'), 'A=1\n');
    box.write(join(project, 'conf', 'stunnel-kick.conf'), '[kick]\n');
    box.write(join(project, 'ldl', 'a b.txt'), 'http://x/y\n');
    box.write(join(project, 'ldl', 'big.txt'), 'x'.repeat(1024 * 1024 + 1));
    box.write(join(project, 'scripts', 'diffuser.sh'), '#!/bin/bash\n');
    box.write(join(box.dir, 'home', 'other', 'notes.txt'), '');
    passwd(['root:x:0:0:root:/root:/bin/bash', `pi:x:1000:1000::${home}:/bin/bash`, `other:x:1001:1001::${join(box.dir, 'home', 'other')}:/bin/sh`, 'nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin', 'nohome:x:1002:1002:::/bin/false']);
    const s = parseImportOutput(box.run(buildImportScript()).stdout);
    expect(s.projects).toEqual([{ dir: project, owner: execFileSync('id', ['-un']).toString().trim() }]);
    expect(s.files.get(`${project}/conf/orbis.conf`)).toMatchObject({ text: 'A=1\n', size: 4, mode: '0644' });
    expect(s.files.get(`${project}/conf/stunnel-kick.conf`)?.text).toBe('[kick]\n');
    expect(s.files.get(`${project}/ldl/a b.txt`)?.text).toBe('http://x/y\n');
    // Too large to read: listed only (once as a playlist, not again among the other files).
    expect(s.files.has(`${project}/ldl/big.txt`)).toBe(false);
    expect(s.listed.map((f) => f.path).sort()).toEqual([`${project}/conf/stunnel-kick.conf`, `${project}/ldl/big.txt`, `${project}/scripts/diffuser.sh`]);
    expect(s.listed.find((f) => f.path.endsWith('big.txt'))?.size).toBe(1024 * 1024 + 1);
    // Homes of the people, not of system users or nobody.
    expect(s.homes).toEqual({ pi: home, other: join(box.dir, 'home', 'other'), nohome: '' });
  });

  it("reads upstream's files outside the project, the stack's units and orbis's manifest", () => {
    passwd([]);
    box.fake('systemctl', `case "$1" in
  show) [ "$5" = stunnel4.service ] && echo active || echo inactive ;;
  is-enabled) case "$2" in stunnel4.service) echo 'enabled-runtime'; echo enabled ;; nginx.service) echo disabled ;; *) exit 1 ;; esac ;;
esac`);
    box.write(join(box.state, 'manifest.json'), JSON.stringify({ version: 2, files: { '/etc/b': { sha256: 'b', role: 'r' }, '/etc/a': { sha256: 'a', role: 'r' } } }));
    const s = parseImportOutput(box.run(buildImportScript()).stdout);
    expect(s.units).toEqual({
      'btfs.service': { active: 'inactive', enabled: 'not-found' },
      'nginx.service': { active: 'inactive', enabled: 'disabled' },
      'stunnel4.service': { active: 'active', enabled: 'enabled' },
      'orbis.service': { active: 'inactive', enabled: 'not-found' },
    });
    expect(s.orbisManaged).toEqual(['/etc/a', '/etc/b']);
    expect(s.hostname).toBe(execFileSync('hostname').toString().trim());
    expect(s.root).toBe(process.getuid?.() === 0);
    // This machine's own /etc/nginx/nginx.conf, if it has one, read as a file of upstream's.
    const nginx = s.files.get(UPSTREAM_PATHS.nginxConf);
    if (nginx) expect(nginx.text).toBe(execFileSync('cat', [UPSTREAM_PATHS.nginxConf]).toString());
  });

  it("reports upstream's streamer started by hand: its arguments, folder and user", async () => {
    passwd([]);
    const project = join(box.dir, 'OrbisAlternis');
    box.write(join(project, 'conf', 'orbis.conf'), '');
    const child = spawn('bash', ['-c', 'sleep 60; true', 'scripts/diffuser.sh', '-l', 'ldl/a b.txt'], { cwd: project, stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      box.fake('pgrep', `echo "$*" > ${box.dir}/pgrep.log; echo ${child.pid}`);
      const s = parseImportOutput(box.run(buildImportScript()).stdout);
      expect(s.processes).toEqual([{ pid: child.pid, args: ['bash', '-c', 'sleep 60; true', 'scripts/diffuser.sh', '-l', 'ldl/a b.txt'], cwd: project, unit: expect.any(String), user: execFileSync('id', ['-un']).toString().trim() }]);
      expect(execFileSync('cat', [`${box.dir}/pgrep.log`]).toString()).toBe('-f (^|/|[[:space:]])diffuser\\.sh([[:space:]]|$)|btfs daemon\n');
    } finally {
      child.kill();
    }
  });
});
