// The guarded run's choreography against scripted hosts (the scripts themselves are run for real
// in access-guard.test.ts, the whole thing against a real sshd in test/e2e/bootstrap.test.ts):
// the guarded roles first and alone, armed before, confirmed over a NEW connection, the rest
// after over that connection; nothing more when they have nothing to change; and nothing else
// applied when no new connection gets in.
import { describe, expect, it } from 'vitest';
import { runHostGuarded, type AccessGuardOptions } from '../../../src/engine/guarded-run.js';
import type { RunOptions } from '../../../src/engine/run.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import type { LoadedRole } from '../../../src/roles/load.js';
import { roleSchema } from '../../../src/roles/schema.js';
import type { ExecOptions, ExecResult, Transport } from '../../../src/transport/types.js';
import { ARM_RECORDS, CONFIRM_RECORDS } from '../../../src/wire/access-guard.js';
import { APPLY_EVENT_RECORDS } from '../../../src/wire/apply.js';
import { FACTS_RECORDS } from '../../../src/wire/facts.js';
import { encodeRecord } from '../../../src/wire/records.js';

/**
 * A host that answers orbis's scripts by what they are asked for (their label: facts, arm, apply,
 * confirm), in the records the real scripts print (src/wire), never by reading the script.
 */
class ScriptedHost implements Transport {
  readonly log: string[] = [];
  roundTrips = 0;
  readonly connections = 1;
  closed = false;

  constructor(
    readonly name: string,
    private readonly confirmAnswer: string = encodeRecord(CONFIRM_RECORDS, 'CONFIRMED', {}),
  ) {}

  async exec(_command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.roundTrips++;
    const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0, signal: null, timedOut: false });
    switch (options.label) {
      case 'gather facts':
        this.log.push('facts');
        return ok(`${[encodeRecord(FACTS_RECORDS, 'OS', { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: '' }), encodeRecord(FACTS_RECORDS, 'ARCH', { arch: 'arm64' }), encodeRecord(FACTS_RECORDS, 'UID', { uid: 0 })].join('\n')}\n`);
      case 'arm the access guard':
        this.log.push('arm');
        return ok(`${encodeRecord(ARM_RECORDS, 'ARMED', { at: 1700000000 })}\n`);
      case 'confirm the change':
        this.log.push('confirm');
        return ok(`${this.confirmAnswer}\n`);
      case 'apply script':
        this.log.push('apply');
        return ok(`${encodeRecord(APPLY_EVENT_RECORDS, 'DONE', {})}\n`);
      default:
        throw new Error(`asked for something this host does not answer: ${options.label ?? 'no label'}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The roles whose changes each phase of a run planned (and applied, in apply mode). */
const rolesOf = (run: Awaited<ReturnType<typeof runHostGuarded>>): string[][] => run.phases.map((p) => p.plan.changes.map((c) => c.id.role));

function role(spec: Record<string, unknown>): LoadedRole {
  return { spec: roleSchema.parse(spec), file: `${String(spec.name)}/role.yaml`, templatesDir: '/nonexistent' };
}

const sshd = role({
  name: 'guarded',
  confirmAccess: true,
  files: [{ path: '/etc/ssh/sshd_config.d/01-test.conf', content: 'PasswordAuthentication no\n', mode: '0644', notify: ['reload ssh'] }],
  handlers: [{ name: 'reload ssh', unit: 'ssh.service', action: 'reload' }],
});
const app = role({ name: 'app', files: [{ path: '/etc/app.conf', content: 'a\n', mode: '0644' }] });

function options(roles: LoadedRole[]): RunOptions {
  return { mode: 'apply', roles, contextFor: () => ({}), renderer: new TemplateRenderer(), secretValues: [], orbisVersion: '0.1.0' };
}

describe('runHostGuarded', () => {
  it('applies the guarded role alone, armed, confirms over a new connection, then the rest over it', async () => {
    const first = new ScriptedHost('pi');
    const second = new ScriptedHost('pi');
    const reconnects: number[] = [];
    const guard: AccessGuardOptions = { deadlineSec: 30, reconnect: async (ms) => (reconnects.push(ms), second) };
    const run = await runHostGuarded(first, options([sshd, app]), guard);
    expect(first.log).toEqual(['facts', 'arm', 'apply']);
    expect(second.log).toEqual(['confirm', 'apply']);
    expect(first.closed).toBe(true);
    expect(run.transport).toBe(second);
    expect(reconnects).toHaveLength(1);
    expect(rolesOf(run)).toEqual([['guarded'], ['app']]);
    expect(run.phases[0]?.plan.handlers.map((h) => h.name)).toEqual(['reload ssh']);
    expect(run.access).toMatchObject({ outcome: 'confirmed', roles: ['guarded'], deadlineSec: 30, attempts: 1 });
    // The rest was planned knowing what the first part wrote: its manifest keeps the guarded file.
    expect(Object.keys(run.phases[1]?.plan.manifest ?? {}).sort()).toEqual(['/etc/app.conf', '/etc/ssh/sshd_config.d/01-test.conf']);
    expect(run.spent).toEqual({ roundTrips: 3, connections: 1 });
  });

  it('is a plain run when the guarded roles have nothing to change: no guard, no new connection', async () => {
    const host = new ScriptedHost('pi');
    const quiet = role({ name: 'quiet', confirmAccess: true });
    const run = await runHostGuarded(host, options([quiet, app]), { deadlineSec: 30, reconnect: () => Promise.reject(new Error('no reconnect expected')) });
    expect(host.log).toEqual(['facts', 'apply']);
    expect(rolesOf(run)).toEqual([['app']]);
    expect(run.access).toBeUndefined();
  });

  it('in check mode only plans, guarded or not', async () => {
    const host = new ScriptedHost('pi');
    const run = await runHostGuarded(host, { ...options([sshd, app]), mode: 'check' }, { deadlineSec: 30, reconnect: () => Promise.reject(new Error('none')) });
    expect(host.log).toEqual(['facts']);
    expect(run.phases[0]?.plan.changes).toHaveLength(2);
  });

  it('nobody gets back in: nothing else is applied, and the report says the host was to restore itself', async () => {
    const host = new ScriptedHost('pi');
    let tries = 0;
    const run = await runHostGuarded(host, options([sshd, app]), {
      deadlineSec: 3,
      graceMs: 10,
      retryIntervalMs: 100,
      reconnect: () => {
        tries++;
        return Promise.reject(new Error('authentication failed for user pi'));
      },
    });
    expect(host.log).toEqual(['facts', 'arm', 'apply']);
    expect(rolesOf(run)).toEqual([['guarded']]);
    expect(run.transport).toBe(host);
    expect(run.access).toMatchObject({ outcome: 'unconfirmed', attempts: tries });
    expect(tries).toBeGreaterThanOrEqual(2); // within the deadline, and once more after it
    expect(run.phases[0]?.failure).toMatchObject({ resource: 'access guard', message: expect.stringContaining('authentication failed for user pi') });
  });

  it('gets back in only after the deadline: the host rolled back, reported with when', async () => {
    const host = new ScriptedHost('pi');
    const late = new ScriptedHost('pi', encodeRecord(CONFIRM_RECORDS, 'ROLLED_BACK', { at: Math.floor(Date.now() / 1000) + 3 }));
    const started = Date.now();
    const run = await runHostGuarded(host, options([sshd, app]), {
      deadlineSec: 3,
      graceMs: 10,
      retryIntervalMs: 100,
      reconnect: () => (Date.now() - started > 3000 ? Promise.resolve(late) : Promise.reject(new Error('refused'))),
    });
    expect(late.log).toEqual(['confirm']);
    expect(run.transport).toBe(late);
    expect(run.access).toMatchObject({ outcome: 'rolled-back' });
    expect(run.access?.afterSec).toBeGreaterThanOrEqual(2);
    expect(run.phases[0]?.failure?.message).toContain('the host restored its previous configuration by itself');
    expect(run.phases).toHaveLength(1);
  });
});
