// Roles that run while apt installs (`runsDuringApt`, plan.duringApt): the real apply script in the
// sandbox, with an apt-get that takes its time, so that only a script that really runs the two
// side by side finishes the role's steps before apt's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import type { Change } from '../../../src/resources/types.js';
import { ApplySandbox, sandboxChange, startUnit } from './apply-sandbox.js';

/** An apt-get whose install takes 1.5 s, then leaves apt-done in the run's sandbox (or fails). */
const slowApt = (fails = false): string => `#!/bin/bash
[ "$1" = install ] || exit 0
sleep 1.5
${fails ? 'echo "E: Unable to locate package nginx-nope" >&2; exit 100' : 'touch "$SANDBOX/apt-done"'}
`;

let sandbox: ApplySandbox;

let files = 0;
/** A change writing a file no earlier run wrote (a file that exists would count as changed behind the plan's back). */
const newFile = (role: string, name: string): Change => sandboxChange(role, name, [sandbox.write(`${name}.${++files}`)]);

function plan(btfsChanges: Change[], duringApt: string[] | undefined): Plan {
  const changes: Change[] = [
    { id: { role: 'nginx-rtmp', type: 'package', name: 'nginx' }, summary: 'install nginx', actions: [{ op: 'apt-install', packages: ['nginx'] }] },
    newFile('nginx-rtmp', 'nginx.conf'),
    ...btfsChanges,
  ];
  return { changes, handlers: [], pendingFromEarlier: [], manifest: {}, empty: false, ...(duringApt ? { duringApt } : {}) };
}

const btfs = (): Change[] => [newFile('btfs', 'btfs.service'), sandboxChange('btfs', 'unit', [startUnit('btfs.service')])];

describe('a role that needs nothing apt installs runs while apt works', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  beforeEach(() => sandbox.fake('apt-get', slowApt()));
  afterAll(() => sandbox.remove());

  it("its steps finish before apt's; the other roles' wait for apt", () => {
    const run = sandbox.apply(plan(btfs(), ['btfs']));
    expect(run.code).toBe(0);
    expect(run.done).toBe(true);
    const at = (step: string): number => run.finished.indexOf(step);
    expect(at('2')).toBeGreaterThanOrEqual(0);
    expect(at('3')).toBeLessThan(at('apt'));
    expect(at('apt')).toBeLessThan(at('1'));
    expect(run.begun.indexOf('1')).toBeGreaterThan(at('apt-wait'));
    expect(run.calls).toEqual(['start btfs.service']);
  });

  it('without duringApt everything follows apt, in plan order', () => {
    const run = sandbox.apply(plan(btfs(), undefined));
    expect(run.finished.slice(0, 4)).toEqual(['apt', '1', '2', '3']);
    expect(run.finished).not.toContain('apt-wait');
  });

  it("apt's failure is the apt step's, with apt's message; the role that ran alongside is applied, the rest not run", () => {
    sandbox.fake('apt-get', slowApt(true));
    const run = sandbox.apply(plan(btfs(), ['btfs']));
    expect(run.code).toBe(1);
    expect(run.failed?.step).toBe('apt');
    expect(run.failed?.message).toContain('Unable to locate package nginx-nope');
    expect(run.finished).toEqual(expect.arrayContaining(['2', '3']));
    expect(run.begun).not.toContain('1');
    expect(run.done).toBe(false);
  });

  it('a failure alongside waits for apt to finish (the run ending would kill dpkg halfway)', () => {
    const boom: Change = { id: { role: 'btfs', type: 'command', name: 'btfs init' }, summary: 'btfs init', actions: [{ op: 'command', command: 'echo "no repo" >&2; exit 3' }] };
    const run = sandbox.apply(plan([boom], ['btfs']));
    expect(run.code).toBe(1);
    expect(run.failed).toEqual({ step: '2', message: 'no repo' });
    expect(existsSync(join(run.dir, 'apt-done'))).toBe(true);
    expect(run.finished).toContain('apt');
    expect(run.begun).not.toContain('1');
  });

  it('a run without packages to install has no apt step and nothing in the background', () => {
    const run = sandbox.apply({ changes: btfs(), handlers: [], pendingFromEarlier: [], manifest: {}, empty: false });
    expect(run.code).toBe(0);
    expect(run.finished.slice(0, 2)).toEqual(['0', '1']);
    expect(run.begun).not.toContain('apt');
    expect(run.begun).not.toContain('apt-wait');
  });
});
