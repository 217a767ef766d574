// HostRun (engine) -> HostReport (what the user and --json see).
import { isAptAction } from '../engine/plan.js';
import type { HostRun } from '../engine/run.js';
import type { Change } from '../resources/types.js';
import type { Transport } from '../transport/types.js';
import { NO_PHASES, type HostReport, type PhaseTimes, type ReportedChange } from '../report/result.js';

function changeStatus(run: HostRun, change: Change, index: number): ReportedChange['status'] {
  const events = run.events;
  if (!events) return 'planned';
  const onlyApt = change.actions.every(isAptAction);
  const step = onlyApt ? 'apt' : String(index);
  if (events.finished.includes(step)) return 'applied';
  if (events.failed?.step === step) return 'failed';
  return 'not-run';
}

export function hostReport(
  name: string,
  run: HostRun,
  transport: Pick<Transport, 'roundTrips' | 'connections'>,
  startedAt: number,
  checkStatus: 'changed' | 'drift',
  connectMs = 0,
): HostReport {
  const changes: ReportedChange[] = run.plan.changes.map((c, i) => ({
    role: c.id.role,
    type: c.id.type,
    name: c.id.name,
    summary: c.error ?? c.summary,
    status: changeStatus(run, c, i),
    ...(c.diff ? { diff: c.diff } : {}),
    ...(c.assumptions && c.assumptions.length > 0 ? { assumptions: c.assumptions } : {}),
  }));
  const status = run.failure ? 'failed' : run.plan.empty ? 'ok' : run.events ? 'changed' : checkStatus;
  return {
    name,
    status,
    changes,
    handlers: run.events ? run.events.handlersRun : run.plan.handlers.map((h) => h.name),
    verify: [],
    ...(run.failure ? { error: run.failure } : {}),
    roundTrips: transport.roundTrips,
    connections: transport.connections,
    durationMs: Date.now() - startedAt,
    phasesMs: { ...NO_PHASES, ...run.timesMs, connect: connectMs },
    facts: { os: run.facts.os.prettyName, arch: run.facts.arch, piModel: run.facts.piModel },
  };
}

const RANK: Record<HostReport['status'], number> = { skipped: 0, ok: 1, drift: 2, changed: 3, unreachable: 4, 'auth-failed': 4, failed: 5 };

/**
 * One report for a run applied in parts (the access-guarded roles first, then the rest): changes
 * and handlers in order, the worst status, the first error.
 */
export function hostReportOfPhases(
  name: string,
  phases: readonly HostRun[],
  counters: Pick<Transport, 'roundTrips' | 'connections'>,
  startedAt: number,
  checkStatus: 'changed' | 'drift',
  connectMs = 0,
): HostReport {
  const reports = phases.map((run, i) => hostReport(name, run, counters, startedAt, checkStatus, i === 0 ? connectMs : 0));
  const [first, ...rest] = reports;
  if (first === undefined) throw new Error('internal: a host run without any part');
  const merged: HostReport = { ...first, changes: [...first.changes], handlers: [...first.handlers] };
  for (const r of rest) {
    merged.changes.push(...r.changes);
    merged.handlers.push(...r.handlers);
    if (RANK[r.status] > RANK[merged.status]) merged.status = r.status;
    if (!merged.error && r.error) merged.error = r.error;
  }
  // Each part's time adds up (the connection is counted once: the first part's).
  merged.phasesMs = reports.reduce((sum, r) => addTimes(sum, r.phasesMs ?? NO_PHASES), { ...NO_PHASES });
  return merged;
}

function addTimes(a: PhaseTimes, b: PhaseTimes): PhaseTimes {
  const sum = { ...a };
  for (const key of Object.keys(sum) as Array<keyof PhaseTimes>) sum[key] += b[key];
  return sum;
}
