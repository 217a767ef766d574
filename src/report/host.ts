// HostRun (engine) -> HostReport (what the user and --json see).
import type { HostRun } from '../engine/run.js';
import type { Change } from '../resources/types.js';
import type { Transport } from '../transport/types.js';
import { NO_PHASES, type HostReport, type ReportedChange } from './result.js';

function changeStatus(run: HostRun, change: Change, index: number): ReportedChange['status'] {
  const events = run.events;
  if (!events) return 'planned';
  const onlyApt = change.actions.every((a) => a.op === 'apt-install' || a.op === 'apt-remove');
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
    phasesMs: { ...NO_PHASES, ...run.phasesMs, connect: connectMs },
    facts: { os: run.facts.os.prettyName, arch: run.facts.arch, piModel: run.facts.piModel },
  };
}
