// The targets of issue #9 (medians, this 2-core machine, lab Pis) and their verdicts. Pure: the
// measures in, one row per target out. A target whose measure was not taken (e.g. a quick run
// without 20 hosts) is `n/a`, never a pass.
import { measureIds, type MeasureResult } from './results.js';

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface TargetRow {
  measure: string;
  target: string;
  measured: string;
  verdict: Verdict;
}

const MIB = 1024;

const seconds = (s: number): string => `${s.toFixed(3)} s`;

function verdict(value: number | undefined, limit: number | undefined): Verdict {
  if (value === undefined || limit === undefined || !Number.isFinite(value) || !Number.isFinite(limit)) return 'n/a';
  return value <= limit ? 'PASS' : 'FAIL';
}

function timeTarget(results: ReadonlyMap<string, MeasureResult>, id: string, measure: string, limit: number): TargetRow {
  const median = results.get(id)?.seconds.median;
  return { measure, target: `<= ${limit} s`, measured: median === undefined ? 'not measured' : `${seconds(median)} (median)`, verdict: verdict(median, limit) };
}

/** Measures that must take at most 3 round trips per host: no-op converges and checks. */
function isNoopOrCheck(id: string): boolean {
  return id === measureIds.provisionNoop || id.startsWith('check-') || id.startsWith('apply-noop-');
}

export function evaluateTargets(list: readonly MeasureResult[]): TargetRow[] {
  const results = new Map(list.map((r) => [r.id, r]));
  const rows: TargetRow[] = [
    timeTarget(results, measureIds.provisionNoop, 'no-op `provision --no-verify`, 1 host, whole command', 0.6),
    timeTarget(results, measureIds.check(1), '`check`, 1 host', 0.6),
    timeTarget(results, measureIds.check(5), '`check`, 5 hosts', 1.5),
    timeTarget(results, measureIds.check(20), '`check`, 20 hosts', 4),
  ];

  const counted = list.filter((r) => isNoopOrCheck(r.id) && r.report);
  const worst = counted.reduce<MeasureResult | undefined>((w, r) => (!w || (r.report?.roundTripsMax ?? 0) > (w.report?.roundTripsMax ?? 0) ? r : w), undefined);
  const trips = worst?.report?.roundTripsMax;
  rows.push({
    measure: 'SSH exec + SFTP round trips per host, no-op converge or check',
    target: '<= 3',
    measured: trips === undefined ? 'not measured' : `${trips} (most of any host, in ${worst?.id})`,
    verdict: verdict(trips, 3),
  });

  const first = results.get(measureIds.first(1))?.seconds.median;
  const apt = results.get(measureIds.apt(1))?.seconds.median;
  rows.push({
    measure: 'first provision of 1 fresh host (apt included)',
    target: apt === undefined ? '<= apt-get install + 4 s' : `<= apt-get install (${seconds(apt)}) + 4 s`,
    measured: first === undefined ? 'not measured' : `${seconds(first)} (median)`,
    verdict: verdict(first, apt === undefined ? undefined : apt + 4),
  });

  const twenty = list.filter((r) => r.hosts === 20 && r.peakRssKiB !== undefined);
  const peak = twenty.length > 0 ? Math.max(...twenty.map((r) => r.peakRssKiB as number)) : undefined;
  rows.push({
    measure: 'controller peak memory, 20 hosts',
    target: '<= 150 MiB',
    measured: peak === undefined ? 'not measured' : `${(peak / MIB).toFixed(1)} MiB (largest of ${twenty.map((r) => r.id).join(', ')})`,
    verdict: verdict(peak === undefined ? undefined : peak / MIB, 150),
  });

  rows.push(timeTarget(results, measureIds.help, '`orbis --help`', 0.3));
  return rows;
}
