// One host, one rollback: read its run history (1 round trip) -> plan (pure) -> (check: stop |
// apply: one detached script, 1 round trip). The same history serves `orbis rollback --list`.
import type { Transport } from '../transport/types.js';
import { runApplyScript, type ApplyEvents } from './apply.js';
import { readHistory, type HostHistory } from './history.js';
import { planRollback, rollbackChanges, type RollbackPlan, type RollbackRequest } from './rollback-plan.js';
import { buildRollbackScript } from './rollback-script.js';
import { RECORD_FORMAT, type RecordDraft } from './run-record.js';
import { controllerName, LockedError, lockHolder, newRunId } from './run.js';
import { maskHostText } from '../redact/secret-mask.js';

export interface RollbackOptions {
  mode: 'apply' | 'check';
  request: RollbackRequest;
  orbisVersion: string;
  /** Every secret value known to the run: masked in anything that comes back from the host. */
  secretValues: string[];
  lockWaitSec?: number;
  timeoutSec?: number;
}

export interface HostRollback {
  history: HostHistory;
  /** null: nothing to undo (already on the generation asked for). */
  plan: RollbackPlan | null;
  /** Present when the plan was applied. */
  runId?: string;
  events?: ApplyEvents;
  failure?: { message: string; role?: string; resource?: string; hint?: string };
}

function rollbackRecord(plan: RollbackPlan, history: HostHistory, runId: string, orbisVersion: string): RecordDraft {
  const changed = plan.files.filter((f) => f.action !== 'keep' && f.action !== 'lost');
  return {
    format: RECORD_FORMAT,
    kind: 'rollback',
    id: runId,
    orbis: orbisVersion,
    time: new Date().toISOString(),
    controller: controllerName(),
    roles: [...new Set(changed.map((f) => f.role))],
    changes: rollbackChanges(plan).map((c) => ({ role: c.id.role, type: c.id.type, name: c.id.name, summary: c.summary })),
    handlers: plan.handlers.map((h) => h.name),
    handlerDefs: plan.handlers,
    files: changed.map((f) => ({ path: f.path, role: f.role, notify: f.notify, keep: true, ...(f.validate ? { validate: f.validate } : {}) })),
    units: plan.units.filter((u) => u.before.length + u.after.length > 0).map((u) => u.unit),
    manifestBefore: history.manifest,
    target: plan.target.id,
    undid: plan.undone.map((r) => r.id),
  };
}

/** Turn a step label of the rollback script back into where it happened. */
function locate(plan: RollbackPlan, step: string): { role?: string; resource?: string; hint?: string } {
  if (step === 'guard') return { resource: 'run history', hint: 'run the rollback again: it is planned from the history as it is then' };
  if (step === 'handlers') return { resource: 'handlers', hint: 'the files are back; the handlers stay pending and run on the next orbis run' };
  if (step === 'units' || step === 'units-start') return { resource: 'units', hint: 'the files are back; see `systemctl status` of the units named above' };
  if (step.startsWith('validate:')) return { role: step.slice('validate:'.length), resource: 'validation', hint: 'the version to go back to does not pass its validation on this host as it is now: go back to another run (--to) or apply a good configuration' };
  const file = step.startsWith('file:') ? plan.files[Number(step.slice('file:'.length))] : undefined;
  if (file) return { role: file.role, resource: `file ${file.path}` };
  return {};
}

/** Throws RollbackError (nothing to go back to), HistoryError, LockedError, or what the transport throws. */
export async function rollbackHost(transport: Transport, options: RollbackOptions): Promise<HostRollback> {
  const history = await readHistory(transport);
  const plan = planRollback(history, options.request);
  const result: HostRollback = { history, plan };
  if (!plan || options.mode === 'check') return result;

  const runId = newRunId();
  const record = JSON.stringify(rollbackRecord(plan, history, runId, options.orbisVersion));
  const script = buildRollbackScript(plan, {
    runId,
    holder: lockHolder(options.orbisVersion, runId),
    lockWaitSec: options.lockWaitSec ?? 30,
    record,
    fingerprint: history.fingerprint,
  });
  const events = await runApplyScript(transport, runId, script, options.timeoutSec ?? 600, { kind: 'rollback' });
  result.runId = runId;
  result.events = events;
  // The files put back may hold keys orbis is no longer told about (an old key in an old
  // rtmp.conf, quoted by nginx -t): where keys sit is masked whatever it holds.
  const mask = (text: string): string => maskHostText(text, { values: options.secretValues, anchors: [] });
  if (events.lockedBy) throw new LockedError(transport.name, mask(events.lockedBy));
  if (events.failed) {
    result.failure = { message: mask(events.failed.message), ...locate(plan, events.failed.step) };
  } else if (!events.done) {
    result.failure = {
      message: `the rollback script stopped without reporting (exit ${events.exitCode ?? 'unknown'}): ${mask(events.stderr.trim().slice(-500))}`,
      hint: 'look at `journalctl -u orbis-rollback-*` on the host',
    };
  }
  return result;
}
