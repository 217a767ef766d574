import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProbeScript, parseFacts, type ProbeSpec } from '../../../src/facts/probe.js';

const empty: ProbeSpec = { packages: [], units: [], paths: [], users: [], groups: [], guards: [] };

describe('facts probe', () => {
  it('parses every kind of line the probe prints', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const out = [
      `OS\tdebian\t12\tbookworm\t${b64('Debian GNU/Linux 12 (bookworm)')}`,
      'ARCH\tarm64',
      'KERNEL\t6.6.31+rpt-rpi-v8',
      'HOSTNAME\tpi-salon',
      'UID\t0',
      `MODEL\t${b64('Raspberry Pi 4 Model B Rev 1.4')}`,
      'V4L2\t1',
      'ENCODER\tlibx264',
      'ENCODER\th264_v4l2m2m',
      `MANIFEST\t${b64(JSON.stringify({ version: 2, files: { '/etc/a': { sha256: 'abc', role: 'nginx-rtmp' } } }))}`,
      `PENDING\t${b64('restart nginx\nrestart nginx\n')}`,
      'PKG\tffmpeg\tii \t7:5.1.6-0+deb12u1',
      'PKG\tnginx\trc \t1.22.1-9',
      'UNIT\tId=nginx.service\tLoadState=loaded\tActiveState=active\tUnitFileState=enabled\tNRestarts=2\tActiveEnterTimestampMonotonic=123',
      'PATH\t/etc/a\tfile\t644\troot\troot\t12\tdeadbeef',
      'PATH\t/etc/d\tdirectory\t755\troot\tadm\t4096\t-',
      `PATH\t/etc/l\tlink\t-\t-\t-\t-\t-\t${b64('/etc/a')}`,
      'PATH\t/etc/none\tabsent',
      'PASSWD\torbis:x:998:998::/var/lib/orbis:/usr/sbin/nologin',
      'MEMBER\torbis\torbis video',
      'MEMBER\tnobody-asked\tx',
      'GROUP\tvideo\t44',
      `GUARD\t${b64('test -e /x')}\t0`,
      'SOMETHING-NEW\tignored',
    ].join('\n');
    const facts = parseFacts(out, { ...empty, paths: ['/etc/a', '/etc/never-printed'] });
    expect(facts.os).toEqual({ id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(facts.arch).toBe('arm64');
    expect(facts.piModel).toBe('Raspberry Pi 4 Model B Rev 1.4');
    expect(facts.hasV4l2Encoder).toBe(true);
    expect(facts.encoders).toEqual(['libx264', 'h264_v4l2m2m']);
    expect(facts.root).toBe(true);
    expect(facts.manifest).toEqual({ '/etc/a': 'abc' });
    expect(facts.manifestRoles).toEqual({ '/etc/a': 'nginx-rtmp' });
    expect(facts.pendingHandlers).toEqual(['restart nginx', 'restart nginx']);
    expect(facts.packages).toEqual({ ffmpeg: '7:5.1.6-0+deb12u1' });
    expect(facts.units['nginx.service']).toEqual({ load: 'loaded', active: 'active', enabled: 'enabled', restarts: 2, activeSince: '123' });
    expect(facts.paths['/etc/a']).toEqual({ exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', size: 12, sha256: 'deadbeef' });
    expect(facts.paths['/etc/d']).toMatchObject({ exists: true, type: 'directory', mode: '0755', group: 'adm' });
    expect(facts.paths['/etc/l']).toEqual({ exists: true, type: 'link', linkTarget: '/etc/a' });
    expect(facts.paths['/etc/none']).toEqual({ exists: false });
    expect(facts.paths['/etc/never-printed']).toEqual({ exists: false });
    expect(facts.users.orbis).toEqual({ uid: 998, gid: 998, home: '/var/lib/orbis', shell: '/usr/sbin/nologin', groups: ['orbis', 'video'] });
    expect(facts.users['nobody-asked']).toBeUndefined();
    expect(facts.groups.video).toEqual({ gid: 44 });
    expect(facts.guards['test -e /x']).toBe(false);
  });

  it("reads an extracted download's installed sha256 from the manifest, and ignores a malformed one", () => {
    const manifest = {
      version: 2,
      files: { '/usr/local/bin/btfs': { sha256: 'aa', role: 'btfs', installed: 'cd'.repeat(32) }, '/usr/local/bin/x': { sha256: 'bb', role: 'x', installed: 'not a hash' } },
    };
    const facts = parseFacts(`MANIFEST\t${Buffer.from(JSON.stringify(manifest)).toString('base64')}`, empty);
    expect(facts.manifestInstalled).toEqual({ '/usr/local/bin/btfs': 'cd'.repeat(32) });
    expect(facts.manifest).toEqual({ '/usr/local/bin/btfs': 'aa', '/usr/local/bin/x': 'bb' });
  });

  it('reads the files a cut run left unvalidated, by role', () => {
    const list = Buffer.from('run-1\t/etc/nginx/nginx.conf\nrun-1\t/etc/nginx/orbis/rtmp.conf\n').toString('base64');
    const facts = parseFacts(`UNVALIDATED\tnginx-rtmp\t${list}\nUNVALIDATED\tempty\t`, empty);
    expect(facts.unvalidated).toEqual({
      'nginx-rtmp': [
        { runId: 'run-1', path: '/etc/nginx/nginx.conf' },
        { runId: 'run-1', path: '/etc/nginx/orbis/rtmp.conf' },
      ],
    });
  });

  it('a corrupt manifest reads as empty instead of failing the run', () => {
    const facts = parseFacts(`MANIFEST\t${Buffer.from('{not json').toString('base64')}`, empty);
    expect(facts.manifest).toEqual({});
  });

  it('the generated script runs under bash and reports real files, links and guards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-probe-'));
    const file = join(dir, "it's a file");
    writeFileSync(file, 'hello\n');
    chmodSync(file, 0o640);
    // Files are stat'ed and hashed in one call each: every hash must land on its own file.
    const other = join(dir, ' spaced  name ');
    writeFileSync(other, 'other\n');
    const big = join(dir, 'big');
    writeFileSync(big, 'x'.repeat(300 * 1024));
    mkdirSync(join(dir, 'sub'));
    symlinkSync(file, join(dir, 'link'));
    const spec: ProbeSpec = {
      ...empty,
      paths: [file, join(dir, 'sub'), join(dir, 'link'), join(dir, 'missing'), other, big],
      contents: [file, other, big, join(dir, 'missing')],
      users: ['root', 'no-such-user-orbis'],
      groups: ['root', 'no-such-group-orbis'],
      guards: [`test -e '${join(dir, 'sub')}'`, 'false'],
    };
    const output = execFileSync('bash', ['-s'], { input: buildProbeScript(spec) }).toString();
    const facts = parseFacts(output, spec);
    expect(facts.paths[other]).toMatchObject({ type: 'file', size: 6 });
    expect(facts.paths[other]?.sha256).toBe(execFileSync('sha256sum', [other]).toString().slice(0, 64));
    expect(facts.paths[big]).toMatchObject({ type: 'file', size: 300 * 1024 });
    // Contents of small files only (diffs in check mode).
    expect(facts.paths[file]?.content).toBe('hello\n');
    expect(facts.paths[other]?.content).toBe('other\n');
    expect(facts.paths[big]?.content).toBeUndefined();
    expect(facts.groups).toEqual({ root: { gid: 0 } });
    expect(facts.users.root?.groups).toContain('root');
    expect(facts.kernel).toBe(execFileSync('uname', ['-r']).toString().trim());
    expect(facts.root).toBe(process.getuid?.() === 0);
    expect(facts.paths[file]).toMatchObject({
      exists: true,
      type: 'file',
      mode: '0640',
      sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
      size: 6,
    });
    expect(facts.paths[join(dir, 'sub')]).toMatchObject({ exists: true, type: 'directory' });
    expect(facts.paths[join(dir, 'link')]).toEqual({ exists: true, type: 'link', linkTarget: file });
    expect(facts.paths[join(dir, 'missing')]).toEqual({ exists: false });
    expect(facts.users.root?.uid).toBe(0);
    expect(facts.users['no-such-user-orbis']).toBeUndefined();
    expect(facts.guards[`test -e '${join(dir, 'sub')}'`]).toBe(true);
    expect(facts.guards.false).toBe(false);
    expect(facts.arch).not.toBe('');
  });

  it("keeps FFmpeg's encoder list between runs, and asks FFmpeg again once the binary changes", () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-probe-encoders-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'calls');
    const fakeFfmpeg = (encoders: string[]): void => {
      const listing = encoders.map((e) => ` V....D ${e}  some encoder`).join('\n');
      writeFileSync(join(bin, 'ffmpeg'), `#!/bin/bash\necho run >> '${calls}'\nprintf '%s\\n' 'Encoders:' '${listing.replace(/\n/g, "' '")}'\n`);
      chmodSync(join(bin, 'ffmpeg'), 0o755);
    };
    const state = join(dir, 'state');
    const cache = join(state, 'ffmpeg-encoders');
    const probe = (): string[] =>
      parseFacts(execFileSync('bash', ['-s'], { input: buildProbeScript(empty, { encodersCache: cache }), env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } }).toString(), empty).encoders;
    const ffmpegRuns = (): number => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);

    fakeFfmpeg(['libx264', 'h264_v4l2m2m', 'mpeg4']);
    // No state directory yet (never provisioned): asked every time, nothing written.
    expect(probe()).toEqual(['libx264', 'h264_v4l2m2m']);
    expect(existsSync(cache)).toBe(false);
    mkdirSync(state);
    expect(probe()).toEqual(['libx264', 'h264_v4l2m2m']);
    expect(ffmpegRuns()).toBe(2);
    // Cached: the same answer without starting FFmpeg.
    expect(probe()).toEqual(['libx264', 'h264_v4l2m2m']);
    expect(ffmpegRuns()).toBe(2);
    // Another FFmpeg (another size): asked again.
    fakeFfmpeg(['libx264', 'libx264rgb']);
    expect(probe()).toEqual(['libx264', 'libx264rgb']);
    expect(ffmpegRuns()).toBe(3);
    // An FFmpeg without H.264 encoders is asked every time (an empty answer is never cached).
    fakeFfmpeg(['mpeg4']);
    expect(probe()).toEqual([]);
    expect(probe()).toEqual([]);
    expect(ffmpegRuns()).toBe(5);
  });
});
