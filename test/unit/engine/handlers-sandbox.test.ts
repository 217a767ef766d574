// Restart handlers a run makes needless: the real apply script, run by bash in a temporary tree
// (the state directory moved into it) with a fake systemctl that logs its calls and keeps which
// units are active.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('units that are PartOf= another (the streamer, PartOf nginx): started or restarted once', () => {
  const restartRelay = { name: 'restart relay', role: 'relay', unit: 'relay.service', action: 'restart' as const };
  const partOfRelay = (sandboxDir: string): void => {
    mkdirSync(join(sandboxDir, 'partof'));
    writeFileSync(join(sandboxDir, 'partof', 'svc.service'), 'relay.service\n');
  };
  /** Handlers in role order: the relay's restart, then the streamer's. */
  function applyBoth(changes: Change[], active: string[], handlers = [restartRelay, restartSvc]): SandboxRun {
    const plan: Plan = { changes, handlers, pendingFromEarlier: [], manifest: {}, empty: false };
    return sandbox.apply(plan, { active, prepare: partOfRelay });
  }

  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  afterAll(() => sandbox.remove());

  it('a first start waits until the unit it is part of has restarted: one start, after that restart', () => {
    const run = applyBoth(
      [change('relay.conf', [write('relay.conf')], ['restart relay']), change('svc.conf', [write('svc.conf')], ['restart svc']), change('unit', [start('svc.service')])],
      ['relay.service'],
    );
    expect(run.done, run.eventsText).toBe(true);
    expect(run.calls).toEqual(['restart relay.service', 'start svc.service']);
    expect(run.handlersRun).toEqual(['restart relay', 'restart svc']);
  });

  it('an active unit restarted by propagation is not restarted again by its own handler', () => {
    const run = applyBoth([change('relay.conf', [write('relay2.conf')], ['restart relay']), change('svc.conf', [write('svc2.conf')], ['restart svc'])], ['relay.service', 'svc.service']);
    expect(run.calls).toEqual(['restart relay.service', 'restart svc.service']);
    expect(run.handlersRun).toEqual(['restart relay', 'restart svc']);
  });

  it('without a restart of the unit it is part of, the start happens in its step', () => {
    const run = applyBoth([change('svc.conf', [write('svc3.conf')], ['restart svc']), change('unit', [start('svc.service')])], ['relay.service'], [restartSvc]);
    expect(run.calls).toEqual(['start svc.service']);
  });

  it("a restart clears the start limit of the units part of it: they start again with it, and nginx's restarts must not use up the streamer's", () => {
    const run = applyBoth([change('relay.conf', [write('relay5.conf')], ['restart relay'])], ['relay.service', 'svc.service'], [restartRelay]);
    const log = readFileSync(join(run.dir, 'systemctl.log'), 'utf8').split('\n');
    const restart = log.indexOf('restart relay.service');
    expect(restart).toBeGreaterThan(0);
    expect(log.slice(0, restart)).toContain('reset-failed relay.service');
    expect(log.slice(0, restart)).toContain('reset-failed svc.service');
  });

  it('a deferred start that fails fails the run at the handlers step', () => {
    sandbox.fake('systemctl', '#!/bin/bash\necho "$*" >> "$SANDBOX/systemctl.log"\nfor a; do unit=$a; done\ncase "$1" in\n  show) [ "$3" = PartOf ] && [ "$unit" = svc.service ] && echo relay.service || echo ;;\n  start) if [ "$unit" = svc.service ]; then echo "Job for $unit failed because the control process exited with error code." >&2; exit 1; fi ;;\n  is-active) exit 1 ;;\n  *) exit 0 ;;\nesac\n');
    const run = applyBoth([change('relay.conf', [write('relay4.conf')], ['restart relay']), change('unit', [start('svc.service')])], [], [restartRelay]);
    expect(run.done).toBe(false);
    expect(run.calls).toEqual(['restart relay.service', 'start svc.service']);
    expect(run.failed).toMatchObject({ step: 'handlers', message: expect.stringContaining('svc.service') });
  });
});
