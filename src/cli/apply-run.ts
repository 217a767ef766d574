// The fleet rollout behind `orbis apply`: inventory -> hosts -> batches -> per-host runs.
import { rmSync } from 'node:fs';
import { writeFileAtomic } from '../secrets/private-files.js';
import type { Rollout } from '../fleet/batches.js';
import { retryFileText } from '../inventory/index.js';
import { isFailure } from '../report/outcome.js';
import { formatRecap } from '../report/recap.js';
import { exitCodeOf, summarize, type RunReport } from '../report/result.js';
import { ORBIS_VERSION } from '../version.js';
import { buildRequest, printPlans, verifyTables } from './run-and-report.js';
import type { EarlyConnections } from '../app/early-connections.js';
import { prepare } from '../app/prepare.js';
import type { HostTarget } from '../app/request.js';
import { runFleetRollout } from '../fleet/run.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

export interface ApplyOptions extends CliRunOptions, TargetOptions {
  inventory: string[];
  forks: string;
  serial?: string;
  canary?: string;
  maxFail: string;
  check: boolean;
  verify: boolean;
  retryFile: string;
  rollbackOnFail: boolean;
}

export async function runApply(options: ApplyOptions, hosts: HostTarget[], planned: Rollout<HostTarget>, early?: EarlyConnections): Promise<number> {
  const startedAt = Date.now();
  const { forks, plan } = planned;
  const request = await buildRequest({
    command: 'apply',
    mode: options.check ? 'check' : 'apply',
    checkStatus: 'changed',
    hosts,
    concurrency: forks,
    options,
    ...(early ? { early } : {}),
  });
  request.rollbackOnFail = options.rollbackOnFail && !options.check;
  const prepared = prepare(request);
  const rollout = await runFleetRollout(request, prepared, planned, (batch, index) => {
    if (plan.batches.length > 1) process.stderr.write(`batch ${index + 1}/${plan.batches.length}${plan.canary && index === 0 ? ' (canary)' : ''}: ${batch.map((h) => h.name).join(', ')}\n`);
  });
  const report: RunReport = {
    command: 'apply',
    mode: request.mode,
    orbisVersion: ORBIS_VERSION,
    hosts: rollout.reports,
    summary: summarize(rollout.reports, Date.now() - startedAt),
    ...(rollout.stoppedBecause ? { stoppedBecause: rollout.stoppedBecause } : {}),
  };
  const retry = rollout.reports.filter((r) => isFailure(r) || r.status === 'skipped').map((r) => r.name);
  // Written beside it and renamed into place: a symlink planted at the retry file's name is
  // replaced, not followed to overwrite what it points at. A run that finished every host
  // removes an earlier run's retry file, which would otherwise send the next --limit @FILE to
  // hosts that need nothing.
  if (retry.length > 0) writeFileAtomic(options.retryFile, retryFileText(retry), 0o644);
  else if (!options.check) rmSync(options.retryFile, { force: true });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    if (request.mode === 'check') process.stdout.write(printPlans(report, true));
    process.stdout.write(await verifyTables(report));
    process.stdout.write(formatRecap(report));
    if (rollout.stoppedBecause) process.stdout.write(`rollout stopped: ${rollout.stoppedBecause}\n`);
    if (retry.length > 0) process.stdout.write(`retry the hosts that did not finish: orbis apply -i ${options.inventory.join(' -i ')} --limit @${options.retryFile}\n`);
  }
  const code = exitCodeOf(report);
  return code === 0 && report.summary.skipped > 0 ? 1 : code;
}
