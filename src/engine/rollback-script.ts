// Compile a rollback plan into ONE bash script, run detached on the Pi like an apply (same lock,
// same events). Pure: plan in, text out.
//
// Under the lock it first checks that the run records are still those the plan was made from
// (another run may have come in between). Each file is put back atomically (staged from the
// backup with its mode and owner, validated when its role says so, renamed); the version being
// replaced is kept in the run directory, and any failure before the files are all back and
// validated puts every one of them back as it was: a rollback happens whole or not at all. Then
// the manifest becomes the target generation's, the undone runs are marked rolled-back (their
// backups dropped), units are brought back to their state, and the handlers run.
import { PENDING_HANDLERS_PATH } from '../facts/probe.js';
import { shq } from '../util/shell.js';
import { clearFailed, handlerStep, isUnitFile, manifestLines, pendingLines, unpendLines } from './apply-script.js';
import type { FileRestore, RollbackPlan, UnitCommand } from './rollback-plan.js';
import { scriptHead, type RunScriptHeader } from './script-lib.js';

export interface RollbackScriptOptions extends RunScriptHeader {
  /** The run records' fingerprint when the plan was made (history.ts). */
  fingerprint: string;
}

/** Text safe inside a double-quoted message: drops the characters bash would expand. */
const plain = (text: string): string => text.replace(/[$`"\\]/g, '');

const UNDO_FAIL = String.raw`undo_fail() { # put back every file this rollback changed, then fail
  local p
  while IFS= read -r p; do restore_from "$SAVED" "$p"; done < "$RUN_DIR/changed"
  fail "$1; every file was left as it was before the rollback"
}`;

/** The step of a file in the events: `file:<index in plan.files>`. */
export function fileStep(index: number): string {
  return `file:${index}`;
}

function fileLines(f: FileRestore, index: number, postValidate: Map<string, string[]>): string[] {
  const from = `before run ${plain(f.from)}`;
  const lines = [
    `step ${fileStep(index)}`,
    `f=${shq(f.path)}; src="$BACKUP_DIR"/${shq(f.from)}; t="$(dirname -- "$f")/.orbis-tmp.$(basename -- "$f")"`,
    'snapshot "$SAVED" "$f"; printf \'%s\\n\' "$f" >> "$RUN_DIR/changed"',
  ];
  if (f.action === 'write') {
    lines.push(`stage_from "$src" "$f" "$t" || undo_fail "cannot stage ${plain(f.path)} from the backup taken ${from}"`);
    if (f.validate?.includes('%s')) {
      const command = f.validate.split('%s').join('"$t"');
      lines.push(`if ! out=$(${command} 2>&1 </dev/null); then rm -f -- "$t"; undo_fail "validation failed ($(printf %s ${shq(f.validate)})) for ${plain(f.path)} as it was ${from}: $out"; fi`);
    }
    lines.push(`mv -f -- "$t" "$f" || undo_fail "cannot move $t into place"`);
  } else {
    lines.push(`restore_from "$src" "$f" || undo_fail "cannot put back ${plain(f.path)} as it was ${from}"`);
  }
  if (f.validate && !f.validate.includes('%s')) {
    const list = postValidate.get(f.role) ?? [];
    if (!list.includes(f.validate)) list.push(f.validate);
    postValidate.set(f.role, list);
  }
  if (isUnitFile(f.path)) lines.push('UNITS_DIRTY=1');
  lines.push('ok');
  return lines;
}

function unitLines(unit: string, command: UnitCommand): string[] {
  // A unit that no longer exists (its package removed) is already stopped and disabled.
  const exists = `[ "$(systemctl show -p LoadState --value -- ${shq(unit)} 2>/dev/null)" != not-found ]`;
  if (command === 'stop' || command === 'disable') return [`if ${exists}; then try systemctl ${command} ${shq(unit)}; fi`];
  return [...clearFailed(command, unit), `try systemctl ${command} ${shq(unit)}`];
}

const markRolledBack = (runId: string, by: string): string =>
  `sed -i '1s/^{"seq":\\([0-9]*\\),"status":"[a-z-]*",/{"seq":\\1,"status":"rolled-back","rolledBackBy":"${by}",/' "$RUNS_DIR"/${shq(`${runId}.json`)} || fail "cannot mark run ${plain(runId)} as rolled back"`;

export function buildRollbackScript(plan: RollbackPlan, options: RollbackScriptOptions): string {
  if (!/^[A-Za-z0-9T-]+$/.test(options.runId)) throw new Error(`unexpected run id ${options.runId}`);
  const out = scriptHead(options);
  out.push(
    'step guard',
    `[ "$(fingerprint)" = ${shq(options.fingerprint)} ] || fail "the run history of this host changed since the rollback was planned (another orbis run came in between): nothing was changed, plan the rollback again"`,
    'ok',
    'begin_run 0',
    'SAVED="$RUN_DIR/saved"; : > "$RUN_DIR/changed"',
    UNDO_FAIL,
  );

  // Files role by role, each role validated as a whole once its files are back (e.g. nginx -t).
  const roles = [...new Set(plan.files.map((f) => f.role))];
  for (const role of roles) {
    const postValidate = new Map<string, string[]>();
    plan.files.forEach((f, index) => {
      if (f.role === role && (f.action === 'write' || f.action === 'remove' || f.action === 'link')) out.push(...fileLines(f, index, postValidate));
    });
    const commands = postValidate.get(role) ?? [];
    if (commands.length > 0) {
      out.push(`step validate:${role}`);
      for (const cmd of commands) out.push(`if ! out=$(${cmd} 2>&1 </dev/null); then undo_fail "validation failed (${plain(cmd)}) with the files put back: $out"; fi`);
      out.push('ok');
    }
  }

  // The files are back and valid: from here on the rollback has happened.
  out.push(
    'step record',
    ...manifestLines(plan.manifest),
    ...plan.undone.flatMap((r) => [markRolledBack(r.id, options.runId), `rm -rf -- "$BACKUP_DIR"/${shq(r.id)}`]),
    ...pendingLines(plan.handlers.map((h) => h.name)),
    ...unpendLines(plan.dropped),
    `[ ! -f ${shq(PENDING_HANDLERS_PATH)} ] || [ -s ${shq(PENDING_HANDLERS_PATH)} ] || rm -f ${shq(PENDING_HANDLERS_PATH)}`,
    'ok',
  );
  const before = plan.units.flatMap((u) => u.before.flatMap((c) => unitLines(u.unit, c)));
  if (before.length > 0 || plan.files.some((f) => isUnitFile(f.path) && f.action !== 'keep')) out.push('step units', ...before, 'reload_units', 'ok');
  out.push(...handlerStep(plan.handlers));
  const after = plan.units.flatMap((u) => u.after.flatMap((c) => unitLines(u.unit, c)));
  if (after.length > 0) out.push('step units-start', ...after, 'ok');
  out.push('step done', 'record applied || fail "cannot write the run record"', 'RECORDING=0', 'prune', 'ok', 'ev "DONE"');
  return out.join('\n') + '\n';
}
