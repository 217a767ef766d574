// Restart handlers a run makes needless: the real apply script, run by bash in a temporary tree
// (the state directory moved into it) with a fake systemctl that logs its calls and keeps which
// units are active.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplyScript } from '../../../src/engine/apply-script.js';
import { parseEvents, type ApplyEvents } from '../../../src/engine/apply.js';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action, Change } from '../../../src/resources/types.js';

let tmp: string;
let state: string;
let bin: string;
let runs = 0;

const FAKE_SYSTEMCTL = `#!/bin/bash
# Logs each call; is-active answers from $SANDBOX/active (one unit a line); start/restart add to it.
echo "$*" >> "$SANDBOX/systemctl.log"
for a; do unit=$a; done
case "$1" in
  is-active) grep -qxF -- "$unit" "$SANDBOX/active" 2>/dev/null ;;
  start|restart) grep -qxF -- "$unit" "$SANDBOX/active" 2>/dev/null || echo "$unit" >> "$SANDBOX/active" ;;
  show) echo ;;
  *) exit 0 ;;
esac
`;

const write = (name: string): Action => ({ op: 'write-file', path: join(tmp, name), content: `${name}\n`, mode: '0644', owner: String(process.getuid?.() ?? 0), group: String(process.getgid?.() ?? 0), backup: false, previousSha256: null });
const start = (unit: string): Action => ({ op: 'systemctl', verb: 'start', unit });
const change = (name: string, actions: Action[], notify: string[] = []): Change => ({ id: { role: 'svc', type: 'file', name }, summary: name, actions, notify });
const restartSvc = { name: 'restart svc', role: 'svc', unit: 'svc.service', action: 'restart' as const };

/** Run the apply script of `changes` (handlers: restart svc) with `active` units active before. */
function apply(changes: Change[], active: string[], aptNotifies = false): ApplyEvents & { calls: string[] } {
  const id = `20260101T00000${++runs}-abcdef`;
  const sandbox = join(tmp, `run${runs}`);
  mkdirSync(sandbox);
  writeFileSync(join(sandbox, 'active'), active.map((u) => `${u}\n`).join(''));
  const all = aptNotifies ? [{ ...change('pkg', [{ op: 'apt-install', packages: ['svc'] }], ['restart svc']), id: { role: 'svc', type: 'package' as const, name: 'svc' } }, ...changes] : changes;
  const plan: Plan = { changes: all, handlers: [restartSvc], pendingFromEarlier: [], manifest: {}, empty: false };
  // apt itself is not run here: a stand-in that succeeds.
  const script = buildApplyScript(plan, { runId: id, holder: 'sandbox', lockWaitSec: 5, record: '{}' }).split('/var/lib/orbis').join(state).replace(/apt-get /g, 'true ');
  const dir = join(state, 'runs', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.sh'), script);
  execFileSync('bash', [join(dir, 'run.sh'), dir], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, SANDBOX: sandbox }, stdio: 'pipe' });
  const events = parseEvents(readFileSync(join(dir, 'events'), 'utf8'));
  const log = join(sandbox, 'systemctl.log');
  return { ...events, calls: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => /^(start|restart) /.test(l)) : [] };
}

describe('restart handlers a fresh start makes needless', () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'orbis-handlers-sandbox-'));
    state = join(tmp, 'state');
    bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemctl'), FAKE_SYSTEMCTL);
    chmodSync(join(bin, 'systemctl'), 0o755);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
