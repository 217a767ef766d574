// src/pi/facts.sh as it runs: composed by buildProbeScript, run by bash in a sandbox (orbis's state
// directory in a temporary tree, fakes of ffmpeg, dpkg, dpkg-query, systemctl, getent, id and
// sha256sum where the real ones would answer for this machine), its output read by parseFacts.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProbeScript, parseFacts, type ProbeSpec } from '../../../src/facts/probe.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { ScriptSandbox } from '../facts/script-sandbox.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';
import { UNIT_PROPERTIES } from '../../../src/pi/units.js';

const empty: ProbeSpec = { packages: [], units: [], paths: [], users: [], groups: [], guards: [] };

let box: ScriptSandbox;
beforeEach(() => {
  box = new ScriptSandbox();
  // No H.264 encoder, at once (the real FFmpeg takes half a second; the encoder cache has its own
  // test in test/unit/facts/probe.test.ts).
  box.fake('ffmpeg', 'exit 0');
});
afterEach(() => box.remove());

function probe(spec: Partial<ProbeSpec>): { facts: HostFacts; stdout: string; code: number } {
  const full = { ...empty, ...spec };
  const run = box.run(buildProbeScript(full));
  return { facts: parseFacts(run.stdout, full), stdout: run.stdout, code: run.code };
}

describe('facts.sh under shellcheck', () => {
  it('the file, and the script as sent for a realistic plan, are clean', () => {
    expect(shellcheckPiFile('facts.sh')).toBe('');
    const spec: ProbeSpec = {
      packages: ['ffmpeg', 'nginx', 'libnginx-mod-rtmp', 'stunnel4'],
      units: ['nginx.service', 'stunnel.service', 'btfs.service', 'orbis.service'],
      paths: ['/etc/nginx/nginx.conf', '/etc/nginx/orbis', "/etc/it's odd", '/usr/local/bin/btfs'],
      contents: ['/etc/nginx/nginx.conf'],
      users: ['orbis', 'btfs'],
      groups: ['video', 'orbis'],
      guards: ["grep -Eq '\"SimpleMode\":[[:space:]]*true' /home/btfs/.btfs/config", '! test -e /etc/nginx/sites-enabled/orbis-stats.conf'],
    };
    expect(shellcheckSent(buildProbeScript(spec))).toBe('');
    expect(shellcheckSent(buildProbeScript(empty))).toBe('');
  });
});

describe('facts.sh', () => {
  it("reports orbis's own state: the manifest, the pending handlers, the unvalidated files by role", () => {
    const manifest = JSON.stringify({ version: 2, files: { '/etc/a': { sha256: 'ab', role: 'r' } } });
    box.write(join(box.state, 'manifest.json'), manifest);
    box.write(join(box.state, 'pending-handlers'), 'restart nginx\n');
    box.write(join(box.state, 'unvalidated', 'nginx-rtmp'), 'run-1\t/etc/nginx/nginx.conf\n');
    box.write(join(box.state, 'unvalidated', 'btfs'), '');
    const { facts, code } = probe({});
    expect(code).toBe(0);
    expect(facts.manifest).toEqual({ '/etc/a': 'ab' });
    expect(facts.manifestRoles).toEqual({ '/etc/a': 'r' });
    expect(facts.pendingHandlers).toEqual(['restart nginx']);
    expect(facts.unvalidated).toEqual({ 'nginx-rtmp': [{ runId: 'run-1', path: '/etc/nginx/nginx.conf' }] });
  });

  it('says nothing of a state directory that is not there (a host never provisioned)', () => {
    const { facts, stdout } = probe({});
    expect(stdout).not.toMatch(/^(MANIFEST|PENDING|UNVALIDATED)\t/m);
    expect(facts.manifest).toEqual({});
    expect(facts.pendingHandlers).toEqual([]);
    expect(facts.unvalidated).toEqual({});
  });

  it('tells the host: architecture from dpkg (uname without it), kernel, hostname, root', () => {
    box.fake('dpkg', '[ "$1" = --print-architecture ] && echo armhf');
    const { facts } = probe({});
    expect(facts.arch).toBe('armhf');
    expect(facts.kernel).toBe(execFileSync('uname', ['-r']).toString().trim());
    expect(facts.hostname).toBe(execFileSync('bash', ['-c', 'echo "$HOSTNAME"']).toString().trim());
    expect(facts.root).toBe(process.getuid?.() === 0);
    box.fake('dpkg', 'exit 1');
    expect(probe({}).facts.arch).toBe(execFileSync('uname', ['-m']).toString().trim());
  });

  it('reports paths of each kind: file, directory, link, other, absent', () => {
    const file = box.write("files/it's a file", 'hello\n');
    chmodSync(file, 0o640);
    const dir = join(box.dir, 'files', 'sub');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    const link = join(box.dir, 'files', 'link');
    symlinkSync('../elsewhere\nodd', link);
    const fifo = join(box.dir, 'files', 'fifo');
    execFileSync('mkfifo', [fifo]);
    const missing = join(box.dir, 'files', 'missing');
    const { facts } = probe({ paths: [file, dir, link, fifo, missing, file] });
    const owner = execFileSync('id', ['-un']).toString().trim();
    const group = execFileSync('id', ['-gn']).toString().trim();
    expect(facts.paths[file]).toEqual({ exists: true, type: 'file', mode: '0640', owner, group, size: 6, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    expect(facts.paths[dir]).toMatchObject({ exists: true, type: 'directory', mode: '0750', owner, group });
    // The link's target as readlink gives it, its newline dropped (a target is one line).
    expect(facts.paths[link]).toEqual({ exists: true, type: 'link', linkTarget: '../elsewhereodd' });
    expect(facts.paths[fifo]).toEqual({ exists: true, type: 'other' });
    expect(facts.paths[missing]).toEqual({ exists: false });
  });

  it('joins hashes to files by name: a file sha256sum did not answer for has no hash, the others keep theirs', () => {
    const files = ['a', 'b b', 'c'].map((name) => box.write(`files/${name}`, `${name}\n`));
    const real = execFileSync('bash', ['-c', 'command -v sha256sum']).toString().trim();
    // As if the first file vanished between the stat and the hash.
    box.fake('sha256sum', `${real} "$@" | tail -n +2`);
    const { facts } = probe({ paths: files });
    expect(facts.paths[files[0]!]).toMatchObject({ type: 'file', size: 2 });
    expect(facts.paths[files[0]!]?.sha256).toBeUndefined();
    for (const f of files.slice(1)) expect(facts.paths[f]?.sha256).toBe(execFileSync(real, [f]).toString().slice(0, 64));
  });

  it('a file whose name sha256sum escapes (a backslash) is reported without a hash', () => {
    const odd = box.write('files/back\\slash', 'x\n');
    expect(probe({ paths: [odd] }).facts.paths[odd]).toEqual(expect.objectContaining({ type: 'file', size: 2 }));
    expect(probe({ paths: [odd] }).facts.paths[odd]?.sha256).toBeUndefined();
  });

  it('reads the content of small files only, asked about as paths or not', () => {
    const small = box.write('files/small', 'small\n');
    const alone = box.write('files/alone', 'alone\n');
    const big = box.write('files/big', 'x'.repeat(256 * 1024 + 1));
    const limit = box.write('files/limit', 'y'.repeat(256 * 1024));
    const dir = join(box.dir, 'files');
    const { facts, stdout } = probe({ paths: [small, big, limit], contents: [small, alone, big, limit, dir, join(dir, 'missing')] });
    expect(facts.paths[small]?.content).toBe('small\n');
    expect(facts.paths[limit]?.content).toBe('y'.repeat(256 * 1024));
    expect(facts.paths[big]?.content).toBeUndefined();
    // Content of a path not asked about goes out, but parseFacts keeps contents of paths only.
    expect(stdout).toContain(`CONTENT\t${alone}\t${Buffer.from('alone\n').toString('base64')}\n`);
    expect(stdout.match(/^CONTENT\t/gm)).toHaveLength(3);
  });

  it('asks dpkg-query about each package once, and goes on when one is unknown', () => {
    box.fake('dpkg-query', `echo "$*" >> ${box.dir}/dpkg-query.log
for a; do case $a in -*) ;; ffmpeg) printf 'PKG\\t%s\\tii \\t7:5.1\\n' "$a" ;; nginx) printf 'PKG\\t%s\\trc \\t1.22\\n' "$a" ;; esac; done
echo "dpkg-query: no packages found matching nope" >&2; exit 1`);
    const { facts, code } = probe({ packages: ['ffmpeg', 'nginx', 'nope', 'ffmpeg'] });
    expect(code).toBe(0);
    expect(facts.packages).toEqual({ ffmpeg: '7:5.1' });
    expect(execFileSync('cat', [`${box.dir}/dpkg-query.log`]).toString()).toBe('-W -f=PKG\\t${Package}\\t${db:Status-Abbrev}\\t${Version}\\n ffmpeg nginx nope\n');
    // No package to ask about: no dpkg-query at all.
    box.fake('dpkg-query', 'exit 99');
    expect(probe({}).facts.packages).toEqual({});
  });

  it("reads each unit's properties from one systemctl show, a unit a paragraph", () => {
    box.fake('systemctl', `echo "$*" > ${box.dir}/systemctl.log
printf '%s\\n' Id=nginx.service LoadState=loaded ActiveState=active UnitFileState=enabled NRestarts=1 ActiveEnterTimestampMonotonic=42 '' Id=btfs.service LoadState=not-found ActiveState=inactive UnitFileState= NRestarts=0 ActiveEnterTimestampMonotonic=0`);
    const { facts } = probe({ units: ['nginx.service', 'btfs.service'] });
    expect(facts.units).toEqual({
      'nginx.service': { load: 'loaded', active: 'active', enabled: 'enabled', restarts: 1, activeSince: '42' },
      'btfs.service': { load: 'not-found', active: 'inactive', enabled: '', restarts: 0, activeSince: '0' },
    });
    expect(execFileSync('cat', [`${box.dir}/systemctl.log`]).toString()).toBe(`show --no-pager -p ${UNIT_PROPERTIES} -- nginx.service btfs.service\n`);
  });

  it('reads users with their groups, and groups, of those that exist', () => {
    box.fake('getent', `case $1 in
  passwd) shift; for u; do case $u in orbis) echo 'orbis:x:998:997::/var/lib/orbis:/usr/sbin/nologin' ;; lost) echo 'lost:x:999:999::/:/bin/false' ;; esac; done ;;
  group) shift; for g; do case $g in video) echo 'video:x:44:orbis' ;; esac; done ;;
esac`);
    box.fake('id', '[ "$1 $2 $3" = "-Gn -- orbis" ] && echo "orbis video"');
    const { facts } = probe({ users: ['orbis', 'lost', 'nobody-here'], groups: ['video', 'none-here'] });
    expect(facts.users).toEqual({
      orbis: { uid: 998, gid: 997, home: '/var/lib/orbis', shell: '/usr/sbin/nologin', groups: ['orbis', 'video'] },
      lost: { uid: 999, gid: 999, home: '/', shell: '/bin/false', groups: [] },
    });
    expect(facts.groups).toEqual({ video: { gid: 44 } });
  });

  it("runs each guard as given, and reports what a guard that does not hold said", () => {
    const guards = [
      'true',
      "test \"$(printf '%s' 'a b')\" = 'a b'",
      // What it printed, one line (control characters dropped), at most 400 characters; not its errors.
      "printf 'funded?\\n0xabc\\n'; echo oops >&2; false",
      `printf '%s' ${'z'.repeat(500)}; exit 3`,
      // Holds: what it printed is not reported.
      'echo fine',
      // stdin is /dev/null (a guard that reads it does not wait for the probe's script).
      'read -r line; [ -n "$line" ]',
      // As under the probe's `set -u`: an unset variable fails the guard.
      'echo "$ORBIS_NOT_SET"',
      // A guard cannot end the probe or change what comes after it.
      'exit 0',
      'cd / && PATHS=x && exit 1',
    ];
    const { facts, code } = probe({ guards: [...guards, 'true'] });
    expect(code).toBe(0);
    expect(facts.guards).toEqual(Object.fromEntries(guards.map((g, i) => [g, [true, true, false, false, true, false, false, true, false][i]])));
    expect(facts.guardsSaid).toEqual({ [guards[2]!]: 'funded?0xabc', [guards[3]!]: 'z'.repeat(400) });
  });

  // Each guard runs in a bash of its own: one that is not valid shell no longer stops the whole
  // probe (with "gathering facts failed"), as it did when guards were pasted into the script.
  it('a guard that is not valid shell does not hold, and the other guards are still answered', () => {
    const { facts, code } = probe({ guards: ['test -e / )', 'true'] });
    expect(code).toBe(0);
    expect(facts.guards).toEqual({ 'test -e / )': false, true: true });
  });
});
