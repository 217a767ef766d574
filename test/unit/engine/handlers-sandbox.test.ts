// Restart handlers a run makes needless: the real apply script, run by bash in a temporary tree
// (the state directory moved into it) with a fake systemctl that logs its calls and keeps which
// units are active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action, Change } from '../../../src/resources/types.js';
import { ApplySandbox, sandboxChange, startUnit, type SandboxRun } from './apply-sandbox.js';

let sandbox: ApplySandbox;

const write = (name: string): Action => sandbox.write(name);
const start = startUnit;
const change = (name: string, actions: Action[], notify: string[] = []): Change => sandboxChange('svc', name, actions, notify);
const restartSvc = { name: 'restart svc', role: 'svc', unit: 'svc.service', action: 'restart' as const };

/** Run the apply script of `changes` (handlers: restart svc) with `active` units active before. */
function apply(changes: Change[], active: string[], aptNotifies = false): SandboxRun {
  const all = aptNotifies ? [{ ...change('pkg', [{ op: 'apt-install', packages: ['svc'] }], ['restart svc']), id: { role: 'svc', type: 'package' as const, name: 'svc' } }, ...changes] : changes;
  const plan: Plan = { changes: all, handlers: [restartSvc], pendingFromEarlier: [], manifest: {}, empty: false };
  return sandbox.apply(plan, { active });
}

describe('restart handlers a fresh start makes needless', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  afterAll(() => sandbox.remove());

  it('a unit started from inactive after the change is not restarted again; the handler counts as done', () => {
    const run = apply([change('conf', [write('a.conf')], ['restart svc']), change('unit', [start('svc.service')])], []);
    expect(run.done).toBe(true);
    expect(run.calls).toEqual(['start svc.service']);
    expect(run.handlersRun).toEqual(['restart svc']);
  });

  it('a unit already active is restarted: its start did nothing', () => {
    const run = apply([change('conf', [write('b.conf')], ['restart svc']), change('unit', [start('svc.service')])], ['svc.service']);
    expect(run.calls).toEqual(['start svc.service', 'restart svc.service']);
  });

  it('a change notified after the start still restarts the unit', () => {
    const run = apply([change('unit', [start('svc.service')]), change('conf', [write('c.conf')], ['restart svc'])], []);
    expect(run.calls).toEqual(['start svc.service', 'restart svc.service']);
  });

  it('a package change (the apt step, first) is covered by a later fresh start too', () => {
    const run = apply([change('unit', [start('svc.service')])], [], true);
    expect(run.calls).toEqual(['start svc.service']);
    expect(run.handlersRun).toEqual(['restart svc']);
  });

  it('without any start in the run the handler restarts the unit', () => {
    const run = apply([change('conf', [write('d.conf')], ['restart svc'])], ['svc.service']);
    expect(run.calls).toEqual(['restart svc.service']);
  });
});
