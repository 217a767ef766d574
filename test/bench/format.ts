// The bench's printed report: measures, where the time went, targets. Pure.
import { table } from '../../src/report/recap.js';
import type { PhaseTimes } from '../../src/report/result.js';
import { measureIds, type MeasureFailure, type MeasureResult } from './results.js';
import type { TargetRow } from './targets.js';

const s3 = (seconds: number): string => seconds.toFixed(3);

export function measuresTable(results: readonly MeasureResult[]): string {
  const rows = [['MEASURE', 'RUNS', 'MEDIAN s', 'MEAN ± SD s', 'MIN..MAX s', 'ROUND TRIPS/HOST', 'SSH CONN/HOST', 'PEAK RSS MiB', 'CPU PRESSURE %']];
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
      r.cpuPressure === undefined ? '-' : (r.cpuPressure * 100).toFixed(0),
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

/** The measures that could not be taken, and why (their targets say FAIL or n/a). */
export function failuresTable(failures: readonly MeasureFailure[]): string {
  return table([['NOT MEASURED', 'WHY'], ...failures.map((f) => [f.label, `${f.skipped ? 'skipped' : 'failed'}: ${f.reason}`])]);
}

/**
 * orbis beside the Ansible peer on identical streaming hosts, same run: medians and Ansible's
 * over orbis's. Ansible has no verify step: the last row sets orbis's no-op with verify beside
 * Ansible's no-op converge, for what a user types by default.
 */
export function comparisonTable(results: readonly MeasureResult[]): string | undefined {
  const byId = new Map(results.map((r) => [r.id, r]));
  const pairs: Array<[string, string, string]> = [
    ['no-op converge (orbis provision --no-verify)', measureIds.streamProvisionNoop, measureIds.ansibleConverge],
    ['check (orbis check, ansible-playbook --check)', measureIds.streamCheck, measureIds.ansibleCheck],
    ['no-op converge (orbis provision, with verify)', measureIds.streamProvision, measureIds.ansibleConverge],
  ];
  const rows = pairs.flatMap(([label, orbisId, ansibleId]) => {
    const orbis = byId.get(orbisId)?.seconds.median;
    const ansible = byId.get(ansibleId)?.seconds.median;
    if (orbis === undefined || ansible === undefined) return [];
    return [[label, s3(orbis), s3(ansible), `${(ansible / orbis).toFixed(1)}x`]];
  });
  return rows.length === 0 ? undefined : table([['STREAMING HOSTS, SAME RUN (median s)', 'ORBIS', 'ANSIBLE', 'ANSIBLE / ORBIS'], ...rows]);
}
