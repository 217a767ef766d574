// The targets of issue #20 (and those of issue #9 it leaves standing), judged on medians measured
// on this 2-core machine against lab Pis, and their verdicts. Pure: the measures in, one row per
// target out. A target whose measure was not taken (a quick run without 20 hosts, no ansible on
// the machine) is `n/a`, never a pass; one whose command failed is FAIL.
import { measureIds, type MeasureFailure, type MeasureResult } from './results.js';

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface TargetRow {
  measure: string;
  target: string;
  measured: string;
  verdict: Verdict;
}

/** Issue #20's limits, in seconds unless said. */
export const LIMITS = {
  idleNoop: 0.35,
  streamingNoop: 0.6,
  streamingProvisionVerify: 2,
  check5: 1.5,
  check20: 1.5,
  check50: 3,
  /** A no-op provision with verify may cost this many round trips more than without. */
  verifyExtraRoundTrips: 1,
  /** Any no-op converge or check (issue #9). */
  noopRoundTrips: 3,
  /** Over `apt-get install` of the same packages. */
  firstProvisionOverApt: 2,
  memoryMiB: 150,
  help: 0.3,
  /** Ansible's median over orbis's, the same command on identical streaming hosts: an aim. */
  ansibleRatioAim: 25,
} as const;

const MIB = 1024;

const seconds = (s: number): string => `${s.toFixed(3)} s`;

function verdict(value: number | undefined, limit: number | undefined): Verdict {
  if (value === undefined || limit === undefined || !Number.isFinite(value) || !Number.isFinite(limit)) return 'n/a';
  return value <= limit ? 'PASS' : 'FAIL';
}

interface Inputs {
  results: ReadonlyMap<string, MeasureResult>;
  failures: ReadonlyMap<string, MeasureFailure>;
}

/** What a target's row says of a measure that was not taken: FAIL when its command failed, n/a when skipped. */
function missing(inputs: Inputs, ids: readonly string[]): { measured: string; verdict: Verdict } {
  const failed = ids.map((id) => inputs.failures.get(id)).find((f) => f !== undefined);
  if (!failed) return { measured: 'not measured', verdict: 'n/a' };
  return { measured: `${failed.skipped ? 'skipped' : 'failed'}: ${failed.reason}`, verdict: failed.skipped ? 'n/a' : 'FAIL' };
}

function timeTarget(inputs: Inputs, id: string, measure: string, limit: number): TargetRow {
  const median = inputs.results.get(id)?.seconds.median;
  if (median === undefined) return { measure, target: `<= ${limit} s`, ...missing(inputs, [id]) };
  return { measure, target: `<= ${limit} s`, measured: `${seconds(median)} (median)`, verdict: verdict(median, limit) };
}

/** Measures that must take at most 3 round trips per host: no-op converges and checks, idle or streaming (not with verify). */
function isNoopOrCheck(id: string): boolean {
  return id === measureIds.provisionNoop || id.startsWith('check-') || id.startsWith('apply-noop-') || id === measureIds.streamProvisionNoop || id === measureIds.streamCheck;
}

/** Ansible's median over orbis's: how many times faster orbis is on identical streaming hosts. */
function ratioTarget(inputs: Inputs, orbisId: string, ansibleId: string, measure: string): TargetRow {
  const target = `>= ${LIMITS.ansibleRatioAim}x (aim)`;
  const orbis = inputs.results.get(orbisId)?.seconds.median;
  const ansible = inputs.results.get(ansibleId)?.seconds.median;
  if (orbis === undefined || ansible === undefined) return { measure, target, ...missing(inputs, [orbisId, ansibleId]) };
  const ratio = ansible / orbis;
  return { measure, target, measured: `${ratio.toFixed(1)}x (Ansible ${seconds(ansible)} / orbis ${seconds(orbis)})`, verdict: Number.isFinite(ratio) ? (ratio >= LIMITS.ansibleRatioAim ? 'PASS' : 'FAIL') : 'n/a' };
}

export function evaluateTargets(list: readonly MeasureResult[], failureList: readonly MeasureFailure[] = []): TargetRow[] {
  const inputs: Inputs = { results: new Map(list.map((r) => [r.id, r])), failures: new Map(failureList.map((f) => [f.id, f])) };
  const { results } = inputs;
  const rows: TargetRow[] = [
    timeTarget(inputs, measureIds.provisionNoop, 'no-op `provision --no-verify`, 1 idle Pi', LIMITS.idleNoop),
    timeTarget(inputs, measureIds.check(1), '`check`, 1 idle Pi', LIMITS.idleNoop),
    timeTarget(inputs, measureIds.streamProvisionNoop, 'no-op `provision --no-verify`, 1 streaming Pi', LIMITS.streamingNoop),
    timeTarget(inputs, measureIds.streamCheck, '`check`, 1 streaming Pi', LIMITS.streamingNoop),
    ratioTarget(inputs, measureIds.streamProvisionNoop, measureIds.ansibleConverge, 'Ansible / orbis, no-op converge, streaming hosts'),
    ratioTarget(inputs, measureIds.streamCheck, measureIds.ansibleCheck, 'Ansible / orbis, check, streaming hosts'),
    timeTarget(inputs, measureIds.streamProvision, 'no-op `provision` (with verify), 1 streaming Pi', LIMITS.streamingProvisionVerify),
  ];

  // Verify's own cost in round trips: at most one more than the same no-op without it.
  const withVerify = results.get(measureIds.streamProvision)?.report?.roundTripsMax;
  const without = results.get(measureIds.streamProvisionNoop)?.report?.roundTripsMax;
  const verifyRow = { measure: 'round trips, no-op `provision` with verify vs without (streaming Pi)', target: `<= without + ${LIMITS.verifyExtraRoundTrips}` };
  rows.push(
    withVerify === undefined || without === undefined
      ? { ...verifyRow, ...missing(inputs, [measureIds.streamProvision, measureIds.streamProvisionNoop]) }
      : { ...verifyRow, target: `<= ${without} + ${LIMITS.verifyExtraRoundTrips}`, measured: `${withVerify} with verify, ${without} without`, verdict: verdict(withVerify, without + LIMITS.verifyExtraRoundTrips) },
  );

  rows.push(
    timeTarget(inputs, measureIds.check(5), '`check`, 5 idle Pis (issue #9)', LIMITS.check5),
    timeTarget(inputs, measureIds.check(20), '`check`, 20 idle Pis', LIMITS.check20),
    timeTarget(inputs, measureIds.check(50), '`check`, 50 idle Pis', LIMITS.check50),
  );

  const counted = list.filter((r) => isNoopOrCheck(r.id) && r.report);
  const worst = counted.reduce<MeasureResult | undefined>((w, r) => (!w || (r.report?.roundTripsMax ?? 0) > (w.report?.roundTripsMax ?? 0) ? r : w), undefined);
  const trips = worst?.report?.roundTripsMax;
  rows.push({
    measure: 'SSH exec + SFTP round trips per host, no-op converge or check (issue #9)',
    target: `<= ${LIMITS.noopRoundTrips}`,
    measured: trips === undefined ? 'not measured' : `${trips} (most of any host, in ${worst?.id})`,
    verdict: verdict(trips, LIMITS.noopRoundTrips),
  });

  const first = results.get(measureIds.first(1))?.seconds.median;
  const apt = results.get(measureIds.apt(1))?.seconds.median;
  const over = LIMITS.firstProvisionOverApt;
  const firstRow = { measure: 'first provision of 1 fresh Pi (apt included)', target: apt === undefined ? `<= apt-get install + ${over} s` : `<= apt-get install (${seconds(apt)}) + ${over} s` };
  rows.push(
    first === undefined || apt === undefined
      ? { ...firstRow, ...(first === undefined ? missing(inputs, [measureIds.first(1)]) : missing(inputs, [measureIds.apt(1)])) }
      : { ...firstRow, measured: `${seconds(first)} (median)`, verdict: verdict(first, apt + over) },
  );

  // Every orbis run (the ones with a report), whatever its size: the largest is the controller's peak.
  const orbisRuns = list.filter((r) => r.report && r.peakRssKiB !== undefined);
  const peakRun = orbisRuns.reduce<MeasureResult | undefined>((w, r) => (!w || (r.peakRssKiB as number) > (w.peakRssKiB as number) ? r : w), undefined);
  const largestFleet = Math.max(0, ...list.filter((r) => r.report).map((r) => r.hosts));
  rows.push({
    measure: `controller peak memory, any orbis run (up to ${largestFleet} hosts)`,
    target: `<= ${LIMITS.memoryMiB} MiB`,
    measured: peakRun === undefined ? 'not measured' : `${((peakRun.peakRssKiB as number) / MIB).toFixed(1)} MiB (in ${peakRun.id})`,
    verdict: verdict(peakRun === undefined ? undefined : (peakRun.peakRssKiB as number) / MIB, LIMITS.memoryMiB),
  });

  rows.push(timeTarget(inputs, measureIds.help, '`orbis --help` (issue #9)', LIMITS.help));
  return rows;
}
