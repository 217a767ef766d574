// What a host's outcome says to a person: a dry run's changes are changes it would make, a failed
// or unreachable host is a failure (its progress line ends with ✖), in the progress line and the recap.
import { describe, expect, it } from 'vitest';
import { isFailure, outcomeText } from '../../../src/report/outcome.js';
import { runHostsWithProgress } from '../../../src/report/progress.js';
import { formatRecap } from '../../../src/report/recap.js';
import type { HostReport, ReportedChange } from '../../../src/report/result.js';
import { exitCodeOf, summarize } from '../../../src/report/result.js';

const change = (status: ReportedChange['status']): ReportedChange => ({ role: 'r', type: 'file', name: '/etc/x', summary: 'update', status });
const host = (name: string, extra: Partial<HostReport>): HostReport => ({ name, status: 'ok', changes: [], handlers: [], verify: [], roundTrips: 1, connections: 1, durationMs: 1000, ...extra });

describe("a host's outcome, as people read it", () => {
  it('a dry run would change; a real run changed; a failure is a failure', () => {
    expect(outcomeText(host('a', { status: 'changed', changes: [change('planned'), change('planned')] }))).toBe('would change (2 changes)');
    expect(outcomeText(host('a', { status: 'changed', changes: [change('applied')] }))).toBe('changed (1 change)');
    expect(outcomeText(host('a', { status: 'drift', changes: [change('planned')] }))).toBe('drift (1 change)');
    expect(outcomeText(host('a', { status: 'ok' }))).toBe('ok');
    expect(outcomeText(host('a', { status: 'failed', changes: [change('applied'), change('failed')] }))).toBe('failed (2 changes)');
    expect(isFailure(host('a', { status: 'unreachable' }))).toBe(true);
    expect(isFailure(host('a', { status: 'failed' }))).toBe(true);
    expect(isFailure(host('a', { status: 'changed' }))).toBe(false);
  });

  it('the recap says would change for a dry run, in the table and the count', () => {
    const hosts = [host('salon', { status: 'changed', changes: [change('planned'), change('planned')] }), host('cuisine', { status: 'ok' })];
    const recap = formatRecap({ hosts, summary: summarize(hosts, 2000) } as Parameters<typeof formatRecap>[0]);
    expect(recap).toMatch(/^salon {2,}would change {2,}2 /m);
    expect(recap).toContain('2 hosts: 1 ok, 1 would change');
    expect(recap).not.toMatch(/changed/);
    const real = [host('salon', { status: 'changed', changes: [change('applied')] })];
    expect(formatRecap({ hosts: real, summary: summarize(real, 1000) } as Parameters<typeof formatRecap>[0])).toContain('1 host: 1 changed');
  });

  it('a refused login is its own status: a failure, counted apart, exit 1', () => {
    const hosts = [host('salon', { status: 'auth-failed', roundTrips: 0, error: { message: 'salon (port 22) refused the login: authentication failed for user pi' } }), host('cuisine', { status: 'unreachable' })];
    expect(isFailure(hosts[0]!)).toBe(true);
    const report = { command: 'check', mode: 'check', hosts, summary: summarize(hosts, 1000) } as Parameters<typeof formatRecap>[0];
    expect(report.summary).toMatchObject({ 'auth-failed': 1, unreachable: 1 });
    expect(formatRecap(report)).toMatch(/^salon {2,}auth-failed {2,}0 /m);
    expect(formatRecap(report)).toContain('2 hosts: 1 unreachable, 1 auth-failed');
    expect(exitCodeOf(report)).toBe(1);
    expect(exitCodeOf({ ...report, hosts: [hosts[0]!], summary: summarize([hosts[0]!], 1) })).toBe(1);
  });

  it("a failed host's report comes back whole though its task is marked failed", async () => {
    const reports = await runHostsWithProgress(['a', 'b'], async (name) => host(name, name === 'b' ? { status: 'unreachable', error: { message: 'connection refused' } } : {}), { concurrency: 2, quiet: true });
    expect(reports.map((r) => `${r.name}:${r.status}`)).toEqual(['a:ok', 'b:unreachable']);
  });
});
