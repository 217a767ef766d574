import { describe, expect, it } from 'vitest';
import type { HostRollback } from '../../../src/engine/rollback.js';
import type { RollbackPlan } from '../../../src/engine/rollback-plan.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import { formatRecap } from '../../../src/report/recap.js';
import { formatGenerations, formatRollbackHost, rollbackReportedChanges } from '../../../src/app/rollback-report.js';
import { summarize, type HostReport } from '../../../src/report/result.js';

const target = { id: 'r1', time: '2026-01-01T12:00:00.000Z' } as RunRecord;
const plan: RollbackPlan = {
  target,
  undone: [{ id: 'r2', changes: [] } as unknown as RunRecord],
  files: [
    { path: '/etc/a', role: 'web', from: 'r2', was: { kind: 'file', sha256: 'ab'.repeat(32), mode: '0644', uid: 0, gid: 0 }, now: { kind: 'absent' }, action: 'write', notify: ['reload web'] },
    { path: '/etc/b', role: 'web', from: 'r2', was: { kind: 'absent' }, now: { kind: 'absent' }, action: 'keep', notify: [] },
    { path: '/etc/c', role: 'web', from: 'r2', was: { kind: 'absent' }, now: { kind: 'other' }, action: 'remove', notify: [] },
  ],
  units: [],
  handlers: [{ name: 'reload web', command: 'true' }],
  dropped: [],
  manifest: {},
  empty: false,
};
const events = (finished: string[], failed?: string) => ({ begun: finished, finished, handlersRun: [], done: failed === undefined, ...(failed ? { failed: { step: failed, message: 'x' } } : {}) });

describe('rollback report', () => {
  it('planned, applied, failed, and not-run for files a failed rollback put back', () => {
    const base = { history: {} as HostRollback['history'], plan };
    expect(rollbackReportedChanges(base).map((c) => `${c.name} ${c.status}`)).toEqual(['/etc/a planned', '/etc/c planned']);
    expect(rollbackReportedChanges({ ...base, events: events(['guard', 'file:0', 'file:2', 'record']) }).map((c) => c.status)).toEqual(['applied', 'applied']);
    // Failed on /etc/c: every file was put back, /etc/a included.
    expect(rollbackReportedChanges({ ...base, events: events(['guard', 'file:0'], 'file:2') }).map((c) => c.status)).toEqual(['not-run', 'failed']);
    // Failed in a handler: the files are back.
    expect(rollbackReportedChanges({ ...base, events: events(['guard', 'file:0', 'file:2', 'record'], 'handlers') }).map((c) => c.status)).toEqual(['applied', 'applied']);
  });

  it('recap lines: rolled back and verified, a failed rollback, nothing to go back to; summary counts the rolled back', () => {
    const host = (name: string, rollback: HostReport['rollback']): HostReport => ({ name, status: 'failed', changes: [], handlers: [], verify: [], roundTrips: 4, connections: 1, durationMs: 1000, ...(rollback ? { rollback } : {}) });
    const hosts = [
      host('a', { status: 'rolled-back', to: { id: 'r1', time: '2026-01-01T12:00:00.000Z' }, undone: ['r2'], changes: [{ role: 'web', type: 'file', name: '/etc/a', summary: 's', status: 'applied' }], handlers: ['reload web'], verified: true }),
      host('b', { status: 'rolled-back', to: { id: 'r1', time: '2026-01-01T12:00:00.000Z' }, undone: ['r2'], verified: false, verify: [{ name: 'tls.kick', status: 'fail' }] }),
      host('c', { status: 'unavailable', undone: [], error: { message: 'no previous generation: ...' } }),
      host('d', undefined),
    ];
    const recap = formatRecap({ command: 'apply', mode: 'apply', orbisVersion: '0', hosts, summary: summarize(hosts, 1000) });
    expect(recap).toContain('4 hosts: 4 failed (2 rolled back) in 1.0s');
    expect(recap).toContain('a: rolled back to run r1 (2026-01-01 12:00:00Z), 1 change(s), ran reload web; verify passed');
    expect(recap).toContain('b: rolled back to run r1 (2026-01-01 12:00:00Z); verify FAILED: tls.kick');
    expect(recap).toContain('c: not rolled back: no previous generation: ...');
  });

  it('what a rollback did, and the generations table', () => {
    const report: HostReport = {
      name: 'pi1', status: 'changed', handlers: ['reload web'], verify: [], roundTrips: 2, connections: 1, durationMs: 1,
      changes: [{ role: 'web', type: 'file', name: '/etc/a', summary: 'restore as it was before run r2', status: 'applied' }],
      rollback: { status: 'rolled-back', to: { id: 'r1', time: '2026-01-01T12:00:00.000Z' }, undone: ['r2'] },
    };
    expect(formatRollbackHost(report, 'apply')).toBe('== pi1: back to run r1 (2026-01-01 12:00:00Z), undoing r2\nweb / file /etc/a: restore as it was before run r2\nhandlers run: reload web\n\n');
    expect(formatGenerations('pi1', [
      { id: 'r2', time: '2026-01-02T00:00:00.000Z', status: 'applied', controller: 'me', orbis: '0.1.0', files: 1, units: 0, current: true, restorable: false, why: 'the host is on it' },
      { id: 'r1', time: '2026-01-01T00:00:00.000Z', status: 'applied', controller: 'me', orbis: '0.1.0', files: 9, units: 4, current: false, restorable: true },
    ])).toBe(
      '== pi1\n' +
        '   RUN  TIME                  STATUS   FILES  UNITS  ROLLBACK --to\n' +
        '*  r2   2026-01-02 00:00:00Z  applied  1      0      no: the host is on it\n' +
        '   r1   2026-01-01 00:00:00Z  applied  9      4      yes\n',
    );
  });
});
