// A disk that fills during a run: the run's record, written as running when it began, must not
// say running for ever (rollback would call it "never finished"). The new record cannot be written
// beside the old one, so its status is overwritten in place. ENOSPC here is the kernel's own:
// the record's temporary file is a link to /dev/full, which fails every write with it. The lab
// test of the same on a size-limited mount is in test/e2e/engine.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import { ApplySandbox } from './apply-sandbox.js';

let sandbox: ApplySandbox;
const plan: Plan = {
  changes: [{ id: { role: 'ffmpeg', type: 'package', name: 'ffmpeg' }, summary: 'install', actions: [{ op: 'apt-install', packages: ['ffmpeg'] }] }],
  handlers: [],
  pendingFromEarlier: [],
  manifest: {},
  empty: false,
};

/** apt-get that fills the disk under the run's record (every new file there gets ENOSPC), then fails or not. */
function fillingApt(runs: string, exit: number): string {
  return `#!/bin/bash
[ "$1" = update ] && exit 0
for f in ${runs}/*.json; do id=$(basename "$f" .json); ln -sf /dev/full "${runs}/.$id.tmp"; done
echo "E: You don't have enough free space in /var/cache/apt/archives/." >&2
exit ${exit}
`;
}

function records(runs: string): Array<{ status: string; seq: number }> {
  return readdirSync(runs).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(runs, f), 'utf8')) as { status: string; seq: number });
}

describe('the run record when the disk fills during the run', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  afterAll(() => sandbox.remove());
  const runs = () => join(sandbox.tmp, 'state', 'runs');

  it('a run that fails says failed, in valid JSON, though no new file can be written', () => {
    sandbox.fake('apt-get', fillingApt(runs(), 100));
    const run = sandbox.apply(plan);
    expect(run.code).toBe(1);
    expect(run.failed?.step).toBe('apt');
    expect(records(runs())).toEqual([expect.objectContaining({ seq: 1, status: 'failed' })]);
    // The temporary file is not left behind.
    expect(readdirSync(runs()).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a run that finishes says applied', () => {
    sandbox.fake('apt-get', fillingApt(runs(), 0));
    const run = sandbox.apply(plan);
    expect(run.done).toBe(true);
    expect(records(runs()).find((r) => r.seq === 2)?.status).toBe('applied');
  });
});
