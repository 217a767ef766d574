// Many hosts at once: each runs the host pipeline (app/host-run.ts), up to `concurrency` at a
// time, with a progress line per host; a rollout (rollout.ts) runs batches of them.
import { prepare, type Prepared } from '../app/prepare.js';
import { runOnHost } from '../app/host-run.js';
import type { HostTarget, RunRequest } from '../app/request.js';
import { runHostsWithProgress } from '../report/progress.js';
import { summarize, type HostReport, type RunReport } from '../report/result.js';
import { ORBIS_VERSION } from '../version.js';
import type { Rollout } from './batches.js';
import { runRollout, type RolloutResult } from './rollout.js';

/** The hosts of `hosts` through the pipeline, `request.concurrency` at a time. */
export function runHosts(hosts: readonly HostTarget[], request: RunRequest, prepared: Prepared): Promise<HostReport[]> {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  return runHostsWithProgress(
    hosts.map((h) => h.name),
    (name, update) => runOnHost(byName.get(name) ?? { name, target: name }, request, prepared, update),
    { concurrency: request.concurrency, quiet: request.quiet },
  );
}

export async function runRequest(request: RunRequest): Promise<RunReport> {
  const startedAt = Date.now();
  const prepared = prepare(request);
  const hosts = await runHosts(request.hosts, request, prepared);
  return {
    command: request.command,
    mode: request.mode,
    orbisVersion: ORBIS_VERSION,
    hosts,
    summary: summarize(hosts, Date.now() - startedAt),
  };
}

/**
 * A rollout (`orbis apply`): its batches one after the other, each host of a batch through the
 * pipeline, `rollout.forks` at a time; `onBatch` is told before each batch starts.
 */
export function runFleetRollout(
  request: RunRequest,
  prepared: Prepared,
  rollout: Rollout<HostTarget>,
  onBatch: (batch: HostTarget[], index: number) => void = () => undefined,
): Promise<RolloutResult> {
  const perBatch = { ...request, concurrency: rollout.forks };
  return runRollout(rollout.plan, rollout.plan.batches.flat().length, rollout.maxFail, (batch, index) => {
    onBatch(batch, index);
    return runHosts(batch, perBatch, prepared);
  });
}
