// Validations and guards as apply.sh runs them: the real apply script, run by bash in a temporary
// tree (apply-sandbox.ts). A staged file that fails its validation never goes live and the failure
// names the command; a role's shell runs with `set -u` and pipefail, as when it was inlined in the
// run script; a command's guards are checked again on the host.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action } from '../../../src/resources/types.js';
import { ApplySandbox, sandboxChange, type SandboxRun } from './apply-sandbox.js';

let sandbox: ApplySandbox;
const run = (actions: Action[]): SandboxRun => {
  const plan: Plan = { changes: [sandboxChange('r', 'x', actions)], handlers: [], pendingFromEarlier: [], manifest: {}, empty: false };
  return sandbox.apply(plan);
};
const validated = (name: string, validate: string): Action => ({ ...sandbox.write(name), validate });

describe('validations and guards on the host', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  afterAll(() => sandbox.remove());

  it('a staged file that fails its validation never goes live; the failure names the command and what it said', () => {
    const r = run([validated('bad.conf', 'grep -q never-there %s || { echo "no marker in $(basename %s)"; false; }')]);
    expect(r.code).toBe(1);
    expect(r.failed?.message).toMatch(/^validation failed \(grep -q never-there %s .*\), the previous file is untouched: no marker in \.orbis-tmp\.bad\.conf$/);
    expect(existsSync(join(sandbox.tmp, 'bad.conf'))).toBe(false);
    expect(existsSync(join(sandbox.tmp, '.orbis-tmp.bad.conf'))).toBe(false);
  });

  it('a validation runs on the staged file, with set -u and pipefail', () => {
    expect(run([validated('ok.conf', 'grep -qx ok.conf %s')]).done).toBe(true);
    expect(readFileSync(join(sandbox.tmp, 'ok.conf'), 'utf8')).toBe('ok.conf\n');
    const unset = run([validated('u.conf', 'test -z "$ORBIS_NEVER_SET" %s')]);
    expect(unset.failed?.message).toMatch(/ORBIS_NEVER_SET: unbound variable/);
    expect(run([validated('p.conf', 'false | true; true %s')]).done).toBe(true);
    expect(run([validated('q.conf', 'cat %s | false | cat >/dev/null')]).failed?.message).toMatch(/^validation failed/);
  });

  it("a command's creates and unless guards are checked again on the host", () => {
    const mark = join(sandbox.tmp, 'ran');
    const command = (extra: Partial<Extract<Action, { op: 'command' }>>): Action => ({ op: 'command', command: `echo x >> ${mark}`, ...extra });
    writeFileSync(join(sandbox.tmp, 'exists'), '');
    expect(run([command({ creates: join(sandbox.tmp, 'exists') })]).done).toBe(true);
    expect(run([command({ unless: 'true' })]).done).toBe(true);
    expect(existsSync(mark)).toBe(false);
    expect(run([command({ unless: 'false', creates: join(sandbox.tmp, 'absent') })]).done).toBe(true);
    expect(readFileSync(mark, 'utf8')).toBe('x\n');
  });
});
