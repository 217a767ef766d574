// A rollback (engine/rollback.ts) as reports show it: its changes with where the script got,
// and the generations of `orbis rollback --list` as a table.
import type { HostRollback } from '../engine/rollback.js';
import { fileStep } from '../engine/rollback-script.js';
import { rollbackChanges, type Generation } from '../engine/rollback-plan.js';
import { table } from '../report/recap.js';
import type { HostReport, ReportedChange, ReportedGeneration } from '../report/result.js';

/** Steps after which the files are back for good (a failure before them put every file back). */
const FILES_DONE = 'record';

export function rollbackReportedChanges(result: HostRollback): ReportedChange[] {
  const plan = result.plan;
  if (!plan) return [];
  const events = result.events;
  const reverted = events !== undefined && events.failed !== undefined && !events.finished.includes(FILES_DONE);
  const done = rollbackChanges(plan, 'done');
  return rollbackChanges(plan).map((c, i) => {
    const unit = plan.units.find((u) => c.id.type === 'service' && u.unit === c.id.name);
    const steps = unit
      ? [...(unit.before.length > 0 ? ['units'] : []), ...(unit.after.length > 0 ? ['units-start'] : [])]
      : [fileStep(plan.files.findIndex((f) => f.path === c.id.name))];
    let status: ReportedChange['status'] = 'planned';
    if (events) {
      if (steps.some((s) => events.failed?.step === s)) status = 'failed';
      else if (!reverted && steps.every((s) => events.finished.includes(s))) status = 'applied';
      else status = 'not-run';
    }
    // What was done is said as done (a hand edit the rollback overwrote), what was not as planned.
    const summary = status === 'applied' ? (done[i]?.summary ?? c.summary) : c.summary;
    return { role: c.id.role, type: c.id.type, name: c.id.name, summary, status };
  });
}

export function reportedGenerations(generations: Generation[]): ReportedGeneration[] {
  return generations.map((g) => ({
    id: g.id,
    time: g.time,
    status: g.status,
    controller: g.controller,
    orbis: g.orbis,
    files: g.files,
    units: g.units,
    current: g.current,
    restorable: g.restorable,
    ...(g.why ? { why: g.why } : {}),
  }));
}

/** `orbis rollback --list`: one table per host, newest first; `*` marks what the host is on. */
export function formatGenerations(host: string, generations: readonly ReportedGeneration[]): string {
  if (generations.length === 0) return `== ${host}: no orbis run recorded\n`;
  const rows = [['', 'RUN', 'TIME', 'STATUS', 'FILES', 'UNITS', 'ROLLBACK --to']];
  for (const g of generations) {
    rows.push([
      g.current ? '*' : '',
      g.id,
      g.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      g.status,
      String(g.files),
      String(g.units),
      g.restorable ? 'yes' : `no: ${g.why ?? ''}`,
    ]);
  }
  return `== ${host}\n${table(rows)}\n`;
}

const when = (time: string): string => time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** What a rollback did (or, in check mode, would do) on one host, change by change. */
export function formatRollbackHost(host: HostReport, mode: 'apply' | 'check'): string {
  const r = host.rollback;
  if (!r || r.status === 'unavailable' || (r.status === 'failed' && !r.to)) return '';
  if (r.status === 'current') return `== ${host.name}: nothing to undo (already on the run asked for)\n\n`;
  const head = `== ${host.name}: ${mode === 'check' ? 'would go back' : 'back'} to run ${r.to?.id ?? '?'} (${when(r.to?.time ?? '')}), undoing ${r.undone.join(', ')}`;
  const lines = host.changes.map((c) => `${c.role} / ${c.type} ${c.name}: ${c.summary}${mode === 'apply' && c.status !== 'applied' ? ` [${c.status}]` : ''}`);
  if (lines.length === 0) lines.push('(no file or unit differs: only the run records change)');
  if (host.handlers.length > 0) lines.push(`handlers ${mode === 'check' ? 'to run' : 'run'}: ${host.handlers.join(', ')}`);
  return `${head}\n${lines.join('\n')}\n\n`;
}
