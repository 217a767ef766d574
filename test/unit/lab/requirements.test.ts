// `orbis demo` installs the lab's Debian packages itself; .ci/run installs its own list (the
// lab's and the tests' tools). Both must cover what the lab runs, and a lab installs only what
// its architectures need.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allLabPackages, installPackages, labPackages, missingPackages } from '../../../src/lab/requirements.js';
import { repoRoot } from '../config/helpers.js';

const names = (list: readonly { name: string }[]) => list.map((p) => p.name);
const ARM64_ONLY = ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user-static', 'binfmt-support'];

describe('the lab\'s Debian packages', () => {
  it('are all installed by .ci/run too (a lab of either architecture on its amd64 machine)', () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const list = /PACKAGES=\(([^)]*)\)/.exec(ci)?.[1];
    expect(list, '.ci/run has a PACKAGES=(...) list').toBeDefined();
    const ciPackages = new Set((list ?? '').split(/\s+/).filter((p) => p.length > 0));
    expect(names(allLabPackages('amd64')).filter((p) => !ciPackages.has(p))).toEqual([]);
  });

  it('for an amd64 lab on an amd64 machine (the demo): the native compiler, no cross-compiler, no qemu', () => {
    const list = names(labPackages(['amd64'], 'amd64'));
    for (const needed of ['debootstrap', 'systemd-container', 'iptables', 'gcc', 'libc6-dev', 'ffmpeg', 'openssl']) expect(list).toContain(needed);
    for (const notNeeded of ARM64_ONLY) expect(list).not.toContain(notNeeded);
  });

  it('for a lab with arm64 hosts or releases on an amd64 machine: the arm64 cross-compiler and qemu too', () => {
    const list = names(labPackages(['amd64', 'arm64'], 'amd64'));
    for (const needed of ['gcc', ...ARM64_ONLY]) expect(list).toContain(needed);
  });

  it('on an arm64 machine: arm64 is native, amd64 takes its own cross-compiler and qemu', () => {
    const arm = names(labPackages(['arm64'], 'arm64'));
    expect(arm).toContain('gcc');
    for (const notNeeded of [...ARM64_ONLY, 'gcc-x86-64-linux-gnu']) expect(arm).not.toContain(notNeeded);
    expect(names(labPackages(['arm64', 'amd64'], 'arm64'))).toEqual(expect.arrayContaining(['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross', 'qemu-user-static']));
  });

  it('say why each is needed, once each', () => {
    const list = labPackages(['amd64', 'arm64'], 'amd64');
    expect(new Set(names(list)).size).toBe(list.length);
    for (const p of list) expect(p.why, p.name).toMatch(/\w{3}/);
    expect(list.find((p) => p.name === 'gcc-aarch64-linux-gnu')?.why).toMatch(/arm64/);
  });
});

describe.skipIf(!existsSync('/usr/bin/dpkg-query'))('missing packages, as dpkg sees them', () => {
  it('names what is not installed, and only that', async () => {
    const list = [
      { name: 'dpkg', why: 'always there on Debian' },
      { name: 'orbis-no-such-package', why: 'never there' },
    ];
    expect((await missingPackages(list)).map((p) => p.name)).toEqual(['orbis-no-such-package']);
  });
});

describe('installing, with apt-get\'s output in a log file', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in apt-get: status records on fd 3 (as -o APT::Status-Fd=3 asks), output on 1 and 2. */
  async function fakeAptGet(installScript: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'orbis-apt-'));
    const path = join(dir, 'apt-get');
    await writeFile(
      path,
      [
        '#!/bin/bash',
        '[ "$1 $2" = "-o APT::Status-Fd=3" ] || { echo "bad options: $*" >&2; exit 2; }',
        'if [ "$3" = update ]; then echo "Get:1 http://deb.debian.org/debian bookworm InRelease"; echo "dlstatus:1:100.0000:Retrieving file 1 of 1" >&3; exit 0; fi',
        installScript,
      ].join('\n'),
    );
    await chmod(path, 0o755);
    return path;
  }

  it('condenses the progress, and keeps the whole output in the log', async () => {
    const aptGet = await fakeAptGet(
      ['echo "Unpacking ffmpeg (7:5.1.9-0+deb12u1) ..."', 'echo "pmstatus:ffmpeg:25.0000:Unpacking ffmpeg (amd64)" >&3', 'echo "Setting up ffmpeg ..."', 'echo "pmstatus:ffmpeg:75.0000:Configuring ffmpeg (amd64)" >&3'].join('\n'),
    );
    const logFile = join(dir, 'logs', 'demo.log');
    const progress: string[] = [];
    await installPackages(['ffmpeg'], { logFile, aptGet, onProgress: (line) => progress.push(line) });
    expect(progress).toEqual([
      'updating the package lists',
      'updating the package lists: downloading 1/1 (100%)',
      'installing 1 package',
      'installing 1 package: unpacking ffmpeg (25%)',
      'installing 1 package: configuring ffmpeg (75%)',
    ]);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('Get:1 http://deb.debian.org/debian bookworm InRelease');
    expect(log).toContain('Setting up ffmpeg ...');
    expect(log).not.toContain('pmstatus');
  });

  it('fails naming the log file and its last lines', async () => {
    const aptGet = await fakeAptGet(
      [
        'for i in $(seq 1 30); do echo "line $i"; done',
        'echo "pmerror:ffmpeg:40.0000:trying to overwrite /usr/bin/ffmpeg" >&3',
        'echo "E: Sub-process /usr/bin/dpkg returned an error code (1)" >&2',
        'exit 100',
      ].join('\n'),
    );
    const logFile = join(dir, 'demo.log');
    const failure = await installPackages(['ffmpeg'], { logFile, aptGet }).then(
      () => undefined,
      (error: unknown) => error as Error & { hint?: string },
    );
    expect(failure?.message).toContain(`apt-get install exited with code 100; its output is in ${logFile}`);
    expect(failure?.message).toContain('dpkg: ffmpeg: trying to overwrite /usr/bin/ffmpeg');
    expect(failure?.message).toContain('E: Sub-process /usr/bin/dpkg returned an error code (1)');
    expect(failure?.message).toContain('line 30');
    expect(failure?.message, 'the last lines, not all of them').not.toContain('line 3\n');
    expect(failure?.hint).toContain(logFile);
    expect(await readFile(logFile, 'utf8')).toContain('line 1\n');
  });
});
