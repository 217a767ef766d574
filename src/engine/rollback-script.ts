// Compile a rollback plan into ONE bash script, run detached on the Pi like an apply (same lock,
// same events). Pure: plan in, text out.
//
// Under the lock it first checks that the run records are still those the plan was made from
// (another run may have come in between). Each file is put back atomically (staged from the
// backup with its mode and owner, validated when its role says so, renamed); the version being
// replaced is kept in the run directory, and any failure before the files are all back and
// validated puts every one of them back as it was: a rollback happens whole or not at all. Then
// the manifest becomes the target generation's, the undone runs are marked rolled-back (their
// backups dropped), units are brought back to their state, and the handlers run. The code is
// src/pi/run.sh and src/pi/rollback.sh; this module compiles the plan into one call a line.
import { call, handlerStep, isUnitFile, manifestLines, pendingLines, unpendLines } from './apply-script.js';
import type { FileRestore, RollbackPlan, UnitCommand } from './rollback-plan.js';
import { runScript, type RunScriptHeader } from './script-lib.js';

export interface RollbackScriptOptions extends RunScriptHeader {
  /** The run records' fingerprint when the plan was made (history.ts). */
  fingerprint: string;
}

/** The step of a file in the events: `file:<index in plan.files>`. */
export function fileStep(index: number): string {
  return `file:${index}`;
}

function fileLines(f: FileRestore, index: number, postValidate: Map<string, string[]>): string[] {
  const validate = f.action === 'write' && f.validate?.includes('%s') ? f.validate : '';
  if (f.validate && !f.validate.includes('%s')) {
    const list = postValidate.get(f.role) ?? [];
    if (!list.includes(f.validate)) list.push(f.validate);
    postValidate.set(f.role, list);
  }
  return [`step ${fileStep(index)}`, call('put_back', f.path, f.from, f.action, validate), 'ok'];
}

function unitLines(unit: string, command: UnitCommand): string[] {
  return [call('unit_command', command, unit)];
}

export function buildRollbackScript(plan: RollbackPlan, options: RollbackScriptOptions): string {
  if (!/^[A-Za-z0-9T-]+$/.test(options.runId)) throw new Error(`unexpected run id ${options.runId}`);
  const out = ['step guard', call('check_fingerprint', options.fingerprint), 'ok', call('begin_run', 0)];

  // Files role by role, each role validated as a whole once its files are back (e.g. nginx -t).
  const roles = [...new Set(plan.files.map((f) => f.role))];
  for (const role of roles) {
    const postValidate = new Map<string, string[]>();
    plan.files.forEach((f, index) => {
      if (f.role === role && (f.action === 'write' || f.action === 'remove' || f.action === 'link')) out.push(...fileLines(f, index, postValidate));
    });
    const commands = postValidate.get(role) ?? [];
    if (commands.length > 0) out.push(`step validate:${role}`, ...commands.map((c) => call('validate_put_back', c)), 'ok');
  }

  // The files are back and valid: from here on the rollback has happened.
  out.push(
    'step record',
    ...manifestLines(plan.manifest),
    ...plan.undone.map((r) => call('rolled_back', r.id, options.runId)),
    ...pendingLines(plan.handlers.map((h) => h.name)),
    ...unpendLines(plan.dropped),
    'drop_empty_pending',
    'ok',
  );
  const before = plan.units.flatMap((u) => u.before.flatMap((c) => unitLines(u.unit, c)));
  if (before.length > 0 || plan.files.some((f) => isUnitFile(f.path) && f.action !== 'keep')) out.push('step units', ...before, 'reload_units', 'ok');
  out.push(...handlerStep(plan.handlers));
  const after = plan.units.flatMap((u) => u.after.flatMap((c) => unitLines(u.unit, c)));
  if (after.length > 0) out.push('step units-start', ...after, 'ok');
  // Quoted: a bare `done` after a command name reads as bash's keyword to shellcheck (SC1010).
  out.push("step 'done'", 'end_run', 'ok', 'ev DONE');
  return runScript(options, ['rollback.sh'], {}, out);
}
