// `orbis rollback` over its hosts: per host connect -> read the run history -> list, plan or roll
// back (one detached script) -> verify -> report; progress on stderr, one report on stdout.
import { generations } from '../engine/rollback-plan.js';
import { readHistory } from '../engine/history.js';
import { runHostsWithProgress } from '../report/progress.js';
import { formatHostError, formatRecap } from '../report/recap.js';
import { formatGenerations, formatRollbackHost, reportedGenerations } from '../app/rollback-report.js';
import { exitCodeOf, summarize, type HostReport, type RunReport } from '../report/result.js';
import { ORBIS_VERSION } from '../version.js';
import { rollbackAndVerify } from '../app/rollback-host.js';
import { buildRequest, verifyTables, type CliRunOptions } from './run-and-report.js';
import { onHost } from '../app/host-run.js';
import { prepare, secretValuesOf } from '../app/prepare.js';
import type { HostTarget, RunRequest } from '../app/request.js';
import { hostsFor } from './targets.js';
import type { TargetOptions } from './targets.js';

export interface RollbackCliOptions extends Omit<CliRunOptions, 'var' | 'platforms' | 'roles'>, TargetOptions {
  to?: string;
  list: boolean;
  check: boolean;
  forks: string;
}

type Settings = ReturnType<typeof prepare>;

function rollbackOne(host: HostTarget, options: RollbackCliOptions, request: RunRequest, prepared: Settings, update: (m: string) => void): Promise<HostReport> {
  const secrets = secretValuesOf(prepared.settingsFor(host));
  return onHost(host, request, secrets, update, async (transport, startedAt) => {
    const base = (): Pick<HostReport, 'name' | 'roundTrips' | 'connections' | 'durationMs'> => ({
      name: host.name,
      roundTrips: transport.roundTrips,
      connections: transport.connections,
      durationMs: Date.now() - startedAt,
    });
    if (options.list) {
      update('reading the run history');
      const listed = reportedGenerations(generations(await readHistory(transport)));
      return { ...base(), status: 'ok', changes: [], handlers: [], verify: [], generations: listed };
    }
    const { outcome } = await rollbackAndVerify(transport, {
      mode: request.mode,
      request: options.to === undefined ? {} : { to: options.to },
      secretValues: secrets,
      lockWaitSec: request.lockWaitSec,
      ...(request.verify ? { verify: request.verify } : {}),
      update,
    });
    const { changes, handlers, verify, ...rollback } = outcome;
    const failedChecks = verify.filter((v) => v.status === 'fail').map((v) => v.name);
    const error =
      outcome.error ??
      (failedChecks.length > 0
        ? { message: `verify after the rollback: ${failedChecks.length} check(s) failed: ${failedChecks.join(', ')}`, hint: `see each check's hint above; \`orbis verify ${host.name}\` runs them again` }
        : undefined);
    const status: HostReport['status'] =
      outcome.status === 'failed' || outcome.status === 'unavailable' || failedChecks.length > 0
        ? 'failed'
        : changes.length > 0 || outcome.undone.length > 0
          ? 'changed'
          : 'ok';
    return { ...base(), status, changes, handlers, verify, ...(error ? { error } : {}), rollback };
  });
}

export async function runRollback(targets: readonly string[], options: RollbackCliOptions): Promise<number> {
  const startedAt = Date.now();
  if (options.list && (options.to !== undefined || options.check)) throw new Error('--list only lists: leave out --to and --check');
  const hosts = await hostsFor(targets, options);
  const concurrency = Math.max(1, Math.floor(Number(options.forks)) || 10);
  const mode = options.check || options.list ? 'check' : 'apply';
  const request = await buildRequest({ command: 'rollback', mode, checkStatus: 'changed', hosts, concurrency, options: { ...options, var: [] } });
  // Settings are read (conf, inventory, environment) only for the stream keys to mask; none is required.
  const prepared = prepare({ ...request, mode: 'check', keysOptional: true });
  const reports = await runHostsWithProgress(
    hosts.map((h) => h.name),
    (name, update) => rollbackOne(hosts.find((h) => h.name === name) as HostTarget, options, request, prepared, update),
    { concurrency },
  );
  const report: RunReport = { command: 'rollback', mode, orbisVersion: ORBIS_VERSION, hosts: reports, summary: summarize(reports, Date.now() - startedAt) };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (options.list) {
    process.stdout.write(reports.map((h) => (h.generations ? formatGenerations(h.name, h.generations) : '')).join('\n'));
    const errors = reports.map(formatHostError).filter((e): e is string => e !== undefined);
    if (errors.length > 0) process.stdout.write(`\n${errors.join('\n')}\n`);
  } else {
    process.stdout.write(reports.map((h) => formatRollbackHost(h, mode)).join(''));
    process.stdout.write(await verifyTables(report));
    process.stdout.write(formatRecap(report));
  }
  return exitCodeOf(report);
}
