import { describe, expect, it } from 'vitest';
import { NO_PHASES } from '../../../src/report/result.js';
import type { MeasureResult, ReportDigest } from '../../../test/bench/results.js';
import { summarize } from '../../../test/bench/stats.js';
import { evaluateTargets, type TargetRow } from '../../../test/bench/targets.js';

function digest(roundTripsMax: number): ReportDigest {
  return { statuses: { ok: 1 }, roundTripsMax, connectionsMax: 1, runMs: 100, slowestHostMs: 90, phasesMedianMs: { ...NO_PHASES }, packages: [] };
}

function measure(id: string, hosts: number, times: number[], extra: Partial<MeasureResult> = {}): MeasureResult {
  return { id, label: id, hosts, tool: 'hyperfine', seconds: summarize(times), lastSeconds: times[times.length - 1] ?? 0, ...extra };
}

const row = (rows: TargetRow[], start: string): TargetRow => {
  const found = rows.find((r) => r.measure.startsWith(start));
  if (!found) throw new Error(`no target row starting with ${start}`);
  return found;
};

const full: MeasureResult[] = [
  measure('help', 0, [0.08, 0.09, 0.31]),
  measure('provision-noop-1', 1, [0.55, 0.58, 0.9], { report: digest(1), peakRssKiB: 80_000 }),
  measure('check-1', 1, [0.5, 0.61, 0.62], { report: digest(1) }),
  measure('check-5', 5, [1.2, 1.3], { report: digest(1) }),
  measure('check-20', 20, [3.9, 4.0, 4.2], { report: digest(2), peakRssKiB: 140 * 1024 }),
  measure('apply-noop-20', 20, [4.5], { report: digest(3), peakRssKiB: 151 * 1024 }),
  measure('first-1', 1, [30, 31, 40], { report: digest(2) }),
  measure('apt-1', 1, [26, 27, 28]),
];

describe('bench targets', () => {
  it('judges each target of issue #9 on the median, with the limit inclusive', () => {
    const rows = evaluateTargets(full);
    expect(row(rows, 'no-op `provision').verdict).toBe('PASS'); // median 0.58 (the 0.9 outlier does not count)
    expect(row(rows, '`check`, 1 host').verdict).toBe('FAIL'); // 0.61 > 0.6
    expect(row(rows, '`check`, 5 hosts').verdict).toBe('PASS'); // 1.25
    expect(row(rows, '`check`, 20 hosts').verdict).toBe('PASS'); // exactly 4
    expect(row(rows, '`orbis --help`').verdict).toBe('PASS'); // 0.09
    expect(row(rows, '`check`, 1 host').measured).toBe('0.610 s (median)');
  });

  it('round trips: the worst host of any no-op converge or check, not of a first provision', () => {
    const trips = row(evaluateTargets(full), 'SSH exec');
    expect(trips).toMatchObject({ verdict: 'PASS', measured: '3 (most of any host, in apply-noop-20)' });
    const four = evaluateTargets(full.map((m) => (m.id === 'check-5' ? { ...m, report: digest(4) } : m)));
    expect(row(four, 'SSH exec').verdict).toBe('FAIL');
    const firstOnly = evaluateTargets([measure('first-1', 1, [30], { report: digest(5) })]);
    expect(row(firstOnly, 'SSH exec').verdict).toBe('n/a');
  });

  it('first provision: against the apt-get baseline plus 4 s', () => {
    expect(row(evaluateTargets(full), 'first provision')).toMatchObject({ verdict: 'PASS', target: '<= apt-get install (27.000 s) + 4 s' }); // 31 <= 31
    const slow = full.map((m) => (m.id === 'first-1' ? measure('first-1', 1, [31.5]) : m));
    expect(row(evaluateTargets(slow), 'first provision').verdict).toBe('FAIL');
    expect(row(evaluateTargets(full.filter((m) => m.id !== 'apt-1')), 'first provision').verdict).toBe('n/a');
  });

  it('peak memory: the largest of the 20-host measures', () => {
    const memory = row(evaluateTargets(full), 'controller peak memory');
    expect(memory.verdict).toBe('FAIL');
    expect(memory.measured).toBe('151.0 MiB (largest of check-20, apply-noop-20)');
  });

  it('a quick run without 5 or 20 hosts says n/a for those targets, never PASS', () => {
    const quick = full.filter((m) => m.hosts !== 5 && m.hosts !== 20);
    const rows = evaluateTargets(quick);
    for (const start of ['`check`, 5 hosts', '`check`, 20 hosts', 'controller peak memory']) {
      expect(row(rows, start)).toMatchObject({ verdict: 'n/a', measured: 'not measured' });
    }
    expect(rows).toHaveLength(8);
  });
});
