// A dpkg killed halfway (a run cut mid-install, a power cut) leaves its journal and apt refuses
// everything until `dpkg --configure -a` has run: the apply script finishes dpkg's work and tries
// apt once more. The real script in the sandbox, with fakes of apt-get and dpkg that act as the
// real ones do about the journal ($SANDBOX/updates here, /var/lib/dpkg/updates on a Pi).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import type { Change } from '../../../src/resources/types.js';
import { ApplySandbox } from './apply-sandbox.js';

const FAKE_APT = `#!/bin/bash
echo "apt-get $*" >> "$SANDBOX/calls"
[ "$1" = update ] && exit 0
if [ -n "$(ls -A "$SANDBOX/updates" 2>/dev/null)" ]; then
  echo "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem." >&2; exit 100
fi
[ -e "$SANDBOX/broken" ] && { echo "E: Unable to locate package nope" >&2; exit 100; }
exit 0
`;

const FAKE_DPKG = `#!/bin/bash
echo "dpkg $*" >> "$SANDBOX/calls"
rm -f "$SANDBOX"/updates/*
`;

let sandbox: ApplySandbox;
const pkg = (op: 'apt-install' | 'apt-remove'): Change => ({ id: { role: 'ffmpeg', type: 'package', name: 'ffmpeg' }, summary: op, actions: [{ op, packages: ['ffmpeg'] }] });
const plan = (change: Change): Plan => ({ changes: [change], handlers: [], pendingFromEarlier: [], manifest: {}, empty: false });

/** Run with the run's sandbox prepared by `prepare` before the script starts. */
function applyWith(change: Change, prepare: (dir: string) => void): { run: ReturnType<ApplySandbox['apply']>; calls: string[] } {
  const run = sandbox.apply(plan(change), { prepare });
  const log = join(run.dir, 'calls');
  return { run, calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')) : [] };
}

describe('apt after a dpkg killed halfway', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
    sandbox.fake('apt-get', FAKE_APT);
    sandbox.fake('dpkg', FAKE_DPKG);
  });
  afterAll(() => sandbox.remove());

  const interrupted = (dir: string): void => {
    mkdirSync(join(dir, 'updates'));
    writeFileSync(join(dir, 'updates', '0001'), 'Package: ffmpeg\nStatus: install ok half-configured\n');
  };

  it('install: dpkg --configure -a, then apt again, and the run goes on', () => {
    const { run, calls } = applyWith(pkg('apt-install'), interrupted);
    expect(run.failed).toBeUndefined();
    expect(run.done).toBe(true);
    expect(calls.filter((c) => !c.startsWith('apt-get update'))).toEqual(['apt-get install', 'dpkg --force-confdef', 'apt-get install']);
  });

  it('remove: the same', () => {
    const { run, calls } = applyWith(pkg('apt-remove'), interrupted);
    expect(run.done).toBe(true);
    expect(calls).toEqual(['apt-get remove', 'dpkg --force-confdef', 'apt-get remove']);
  });

  it('another apt error is not taken for it: dpkg is left alone, and the error is the apt step\'s', () => {
    const { run, calls } = applyWith(pkg('apt-install'), (dir) => writeFileSync(join(dir, 'broken'), ''));
    expect(run.failed?.step).toBe('apt');
    expect(run.failed?.message).toContain('Unable to locate package nope');
    expect(calls).not.toContain('dpkg --force-confdef');
    const removal = applyWith(pkg('apt-remove'), (dir) => writeFileSync(join(dir, 'broken'), ''));
    expect(removal.run.failed?.message).toContain('Unable to locate package nope');
    expect(removal.calls).toEqual(['apt-get remove']);
  });
});
