// Run a rollout batch by batch: hosts of a batch run concurrently (up to `forks`); after each
// batch the failures are counted and, past the threshold, no further batch starts and the
// untouched hosts are reported as skipped. A host put back on its previous run by
// --rollback-on-fail still counts as failed: the change did not go through on it.
import { isFailure } from '../report/outcome.js';
import type { HostReport } from '../report/result.js';
import { shouldStop, type BatchPlan } from './batches.js';

export interface RolloutResult {
  reports: HostReport[];
  /** Why the rollout stopped early, when it did. */
  stoppedBecause?: string;
}

export async function runRollout<T extends { name: string }>(
  plan: BatchPlan<T>,
  total: number,
  maxFail: number,
  runBatch: (batch: T[], index: number) => Promise<HostReport[]>,
): Promise<RolloutResult> {
  const reports: HostReport[] = [];
  let failed = 0;
  let rolledBack = 0;
  for (let i = 0; i < plan.batches.length; i++) {
    const batch = plan.batches[i] ?? [];
    const results = await runBatch(batch, i);
    reports.push(...results);
    failed += results.filter(isFailure).length;
    rolledBack += results.filter((r) => r.rollback?.status === 'rolled-back').length;
    const inCanary = plan.canary && i === 0;
    if (i < plan.batches.length - 1 && shouldStop(failed, total, maxFail, inCanary)) {
      const skipped = plan.batches.slice(i + 1).flat();
      for (const host of skipped) {
        reports.push({ name: host.name, status: 'skipped', changes: [], handlers: [], verify: [], roundTrips: 0, connections: 0, durationMs: 0 });
      }
      const back = rolledBack > 0 ? `, ${rolledBack} rolled back` : '';
      return {
        reports,
        stoppedBecause: inCanary
          ? `the canary batch failed (${failed} of ${batch.length}${back}): ${skipped.length} host(s) left untouched`
          : `${failed} of ${total} hosts failed${back}, more than --max-fail ${Math.round(maxFail * 100)}%: ${skipped.length} host(s) left untouched`,
      };
    }
  }
  return { reports };
}
