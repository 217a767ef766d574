// `orbis demo` installs the lab's Debian packages itself; .ci/run installs its own list (the
// lab's and the tests' tools). Both must cover what the lab runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_PACKAGES, missingPackages } from '../../../src/lab/requirements.js';
import { repoRoot } from '../config/helpers.js';

describe('the lab\'s Debian packages', () => {
  it('are all installed by .ci/run too', () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const list = /PACKAGES=\(([^)]*)\)/.exec(ci)?.[1];
    expect(list, '.ci/run has a PACKAGES=(...) list').toBeDefined();
    const ciPackages = new Set((list ?? '').split(/\s+/).filter((p) => p.length > 0));
    expect(LAB_PACKAGES.map((p) => p.name).filter((p) => !ciPackages.has(p))).toEqual([]);
  });

  it('include the compilers and tools the lab calls by name', () => {
    const names = LAB_PACKAGES.map((p) => p.name);
    for (const needed of ['debootstrap', 'systemd-container', 'iptables', 'gcc', 'gcc-aarch64-linux-gnu', 'ffmpeg', 'openssl']) expect(names).toContain(needed);
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
