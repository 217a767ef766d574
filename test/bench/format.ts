// The bench's printed report: measures, where the time went, targets. Pure.
import { table } from '../../src/report/recap.js';
import type { PhaseTimes } from '../../src/report/result.js';
import type { MeasureResult } from './results.js';
import type { TargetRow } from './targets.js';

const s3 = (seconds: number): string => seconds.toFixed(3);

export function measuresTable(results: readonly MeasureResult[]): string {
  const rows = [['MEASURE', 'RUNS', 'MEDIAN s', 'MEAN ± SD s', 'MIN..MAX s', 'ROUND TRIPS/HOST', 'SSH CONN/HOST', 'PEAK RSS MiB']];
  for (const r of results) {
    const { seconds: st } = r;
    rows.push([
      r.label,
      String(st.runs),
      s3(st.median),
      `${s3(st.mean)} ± ${s3(st.stddev)}`,
      `${s3(st.min)}..${s3(st.max)}`,
      r.report ? String(r.report.roundTripsMax) : '-',
      r.report ? String(r.report.connectionsMax) : '-',
      r.peakRssKiB === undefined ? '-' : (r.peakRssKiB / 1024).toFixed(1),
    ]);
  }
  return table(rows);
}

const PHASES: Array<keyof PhaseTimes> = ['connect', 'facts', 'plan', 'apt', 'apply', 'handlers', 'verify'];

/**
 * Where the last run of each orbis measure spent its time, in ms: outside the run (node start,
 * module loading, CLI parsing, exit: the wall time minus summary.durationMs), the run around its
 * hosts (settings, roles, scheduling: summary.durationMs minus the slowest host), then each
 * phase's median over the hosts.
 */
export function phasesTable(results: readonly MeasureResult[]): string {
  const rows = [['MEASURE (last run, ms)', 'WALL', 'OUTSIDE RUN', 'AROUND HOSTS', ...PHASES.map((p) => p.toUpperCase())]];
  for (const r of results) {
    if (!r.report) continue;
    const wall = Math.round(r.lastSeconds * 1000);
    rows.push([
      r.label,
      String(wall),
      String(wall - r.report.runMs),
      String(r.report.runMs - r.report.slowestHostMs),
      ...PHASES.map((p) => String(r.report?.phasesMedianMs[p] ?? 0)),
    ]);
  }
  return table(rows);
}

export function targetsTable(rows: readonly TargetRow[]): string {
  return table([['TARGET', 'LIMIT', 'MEASURED', 'VERDICT'], ...rows.map((r) => [r.measure, r.target, r.measured, r.verdict])]);
}
