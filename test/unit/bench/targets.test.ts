import { describe, expect, it } from 'vitest';
import { NO_PHASES } from '../../../src/report/result.js';
import type { MeasureFailure, MeasureResult, ReportDigest } from '../../bench/results.js';
import { summarize } from '../../bench/stats.js';
import { evaluateTargets, type TargetRow } from '../../bench/targets.js';

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
  measure('provision-noop-1', 1, [0.3, 0.35, 0.9], { report: digest(1), peakRssKiB: 80_000 }),
  measure('check-1', 1, [0.3, 0.36, 0.37], { report: digest(1) }),
  measure('check-5', 5, [1.2, 1.3], { report: digest(1) }),
  measure('check-20', 20, [1.4, 1.5, 1.7], { report: digest(2), peakRssKiB: 140 * 1024 }),
  measure('check-20-forks-50', 20, [1.2], { report: digest(1), peakRssKiB: 145 * 1024 }),
  measure('check-50', 50, [3.1, 3.2], { report: digest(1), peakRssKiB: 149 * 1024 }),
  measure('apply-noop-20', 20, [4.5], { report: digest(3), peakRssKiB: 151 * 1024 }),
  measure('first-1', 1, [30, 31, 40], { report: digest(2) }),
  measure('apt-1', 1, [27, 29, 30]),
  measure('stream-provision-noop-1', 1, [0.5, 0.6, 0.7], { report: digest(1) }),
  measure('stream-check-1', 1, [0.6, 0.61, 0.62], { report: digest(1) }),
  measure('stream-provision-1', 1, [1.9, 2.1, 2.2], { report: digest(2) }),
  measure('ansible-converge-1', 1, [15, 16, 17], { peakRssKiB: 200 * 1024 }),
  measure('ansible-check-1', 1, [15, 15.25, 16]),
];

describe('bench targets', () => {
  it('judges each time target of issue #20 on the median, with the limit inclusive', () => {
    const rows = evaluateTargets(full);
    expect(row(rows, 'no-op `provision --no-verify`, 1 idle Pi').verdict).toBe('PASS'); // median 0.35 (the 0.9 outlier does not count)
    expect(row(rows, '`check`, 1 idle Pi')).toMatchObject({ verdict: 'FAIL', target: '<= 0.35 s', measured: '0.360 s (median)' });
    expect(row(rows, 'no-op `provision --no-verify`, 1 streaming Pi')).toMatchObject({ verdict: 'PASS', target: '<= 0.6 s' }); // exactly 0.6
    expect(row(rows, '`check`, 1 streaming Pi').verdict).toBe('FAIL'); // 0.61
    expect(row(rows, 'no-op `provision` (with verify), 1 streaming Pi')).toMatchObject({ verdict: 'FAIL', target: '<= 2 s' }); // 2.1
    expect(row(rows, '`check`, 5 idle Pis').verdict).toBe('PASS'); // 1.25 <= 1.5
    expect(row(rows, '`check`, 20 idle Pis')).toMatchObject({ verdict: 'PASS', target: '<= 1.5 s' }); // exactly 1.5
    expect(row(rows, '`check`, 50 idle Pis')).toMatchObject({ verdict: 'FAIL', target: '<= 3 s' }); // 3.15
    expect(row(rows, '`orbis --help`').verdict).toBe('PASS');
  });

  it('the Ansible ratio: its median over orbis\'s on the streaming hosts, against the 25x aim', () => {
    const rows = evaluateTargets(full);
    expect(row(rows, 'Ansible / orbis, no-op converge')).toEqual({
      measure: 'Ansible / orbis, no-op converge, streaming hosts',
      target: '>= 25x (aim)',
      measured: '26.7x (Ansible 16.000 s / orbis 0.600 s)',
      verdict: 'PASS',
    });
    expect(row(rows, 'Ansible / orbis, check')).toMatchObject({ measured: '25.0x (Ansible 15.250 s / orbis 0.610 s)', verdict: 'PASS' }); // exactly 25
    const slowerPeer = evaluateTargets(full.map((m) => (m.id === 'ansible-check-1' ? measure(m.id, 1, [14]) : m)));
    expect(row(slowerPeer, 'Ansible / orbis, check').verdict).toBe('FAIL');
  });

  it('no ansible on the machine: the ratios are n/a and say why, never PASS', () => {
    const withoutPeer = full.filter((m) => !m.id.startsWith('ansible-'));
    const skipped: MeasureFailure[] = ['ansible-converge-1', 'ansible-check-1'].map((id) => ({ id, label: id, reason: 'ansible-playbook not found (apt-get install ansible)', skipped: true }));
    for (const rows of [evaluateTargets(withoutPeer, skipped), evaluateTargets(withoutPeer)]) {
      expect(row(rows, 'Ansible / orbis, no-op converge').verdict).toBe('n/a');
      expect(row(rows, 'Ansible / orbis, check').verdict).toBe('n/a');
    }
    expect(row(evaluateTargets(withoutPeer, skipped), 'Ansible / orbis, check').measured).toBe('skipped: ansible-playbook not found (apt-get install ansible)');
    expect(row(evaluateTargets(withoutPeer), 'Ansible / orbis, check').measured).toBe('not measured');
  });

  it('a measure whose command failed makes its targets FAIL, with the reason', () => {
    const failed: MeasureFailure = { id: 'stream-provision-1', label: 'x', reason: 'hyperfine (stream-provision-1) exited 1', skipped: false };
    const rows = evaluateTargets(full.filter((m) => m.id !== 'stream-provision-1'), [failed]);
    expect(row(rows, 'no-op `provision` (with verify)')).toMatchObject({ verdict: 'FAIL', measured: 'failed: hyperfine (stream-provision-1) exited 1' });
    expect(row(rows, 'round trips, no-op `provision` with verify').verdict).toBe('FAIL');
  });

  it('verify costs at most one round trip more than the same no-op without it', () => {
    expect(row(evaluateTargets(full), 'round trips, no-op `provision` with verify')).toMatchObject({ target: '<= 1 + 1', measured: '2 with verify, 1 without', verdict: 'PASS' });
    const three = evaluateTargets(full.map((m) => (m.id === 'stream-provision-1' ? { ...m, report: digest(3) } : m)));
    expect(row(three, 'round trips, no-op `provision` with verify').verdict).toBe('FAIL');
  });

  it('round trips: the worst host of any no-op converge or check, idle or streaming, not of a first provision or a verify', () => {
    const trips = row(evaluateTargets(full), 'SSH exec');
    expect(trips).toMatchObject({ verdict: 'PASS', measured: '3 (most of any host, in apply-noop-20)' });
    const four = evaluateTargets(full.map((m) => (m.id === 'stream-check-1' ? { ...m, report: digest(4) } : m)));
    expect(row(four, 'SSH exec').verdict).toBe('FAIL');
    const firstOnly = evaluateTargets([measure('first-1', 1, [30], { report: digest(5) }), measure('stream-provision-1', 1, [2], { report: digest(5) })]);
    expect(row(firstOnly, 'SSH exec').verdict).toBe('n/a');
  });

  it('first provision: against the apt-get baseline plus 2 s', () => {
    expect(row(evaluateTargets(full), 'first provision')).toMatchObject({ verdict: 'PASS', target: '<= apt-get install (29.000 s) + 2 s' }); // 31 <= 31
    const slow = full.map((m) => (m.id === 'first-1' ? measure('first-1', 1, [31.5]) : m));
    expect(row(evaluateTargets(slow), 'first provision').verdict).toBe('FAIL');
    expect(row(evaluateTargets(full.filter((m) => m.id !== 'apt-1')), 'first provision').verdict).toBe('n/a');
  });

  it('peak memory: the largest of any orbis run (not Ansible\'s), whatever its fleet', () => {
    const memory = row(evaluateTargets(full), 'controller peak memory');
    expect(memory).toMatchObject({ verdict: 'FAIL', measure: 'controller peak memory, any orbis run (up to 50 hosts)', measured: '151.0 MiB (in apply-noop-20)' });
    const under = evaluateTargets(full.filter((m) => m.id !== 'apply-noop-20'));
    expect(row(under, 'controller peak memory')).toMatchObject({ verdict: 'PASS', measured: '149.0 MiB (in check-50)' });
  });

  it('a quick run without 5, 20 or 50 hosts nor streaming says n/a for those targets, never PASS', () => {
    const quick = full.filter((m) => m.hosts === 1 && !m.id.startsWith('stream-') && !m.id.startsWith('ansible-'));
    const rows = evaluateTargets(quick);
    for (const start of ['`check`, 5 idle', '`check`, 20 idle', '`check`, 50 idle', 'no-op `provision --no-verify`, 1 streaming', '`check`, 1 streaming', 'Ansible / orbis', 'no-op `provision` (with verify)', 'round trips, no-op']) {
      expect(row(rows, start)).toMatchObject({ verdict: 'n/a', measured: 'not measured' });
    }
    expect(rows).toHaveLength(15);
  });
});
