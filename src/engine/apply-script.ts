// Compile a plan into ONE bash script that applies it on the Pi. Pure: plan in, text out. The
// script is src/pi/run.sh and src/pi/apply.sh (the code, with their inputs) followed by one call
// a line: this module decides what to call, the .sh files say how it is done.
//
// Why one script: a round trip per action is what makes Ansible slow, and a script that runs
// detached on the Pi (systemd-run, see apply.ts) finishes even if the SSH link drops halfway.
// The script reports progress as tagged lines in an events file the controller reads back:
//   BEGIN <step> <time>   OK <step> <time>   FAIL <step> <base64 message>   HANDLER <name>   LOCKED <base64 holder>
// (<time>: bash's $EPOCHREALTIME, so the report can say how long apt and the handlers took)
// File contents travel base64-encoded inside the script (which arrives on stdin, never argv),
// are staged with umask 077, validated, backed up, then renamed into place. Every file and unit
// state the run changes is kept as it was before (script-lib.ts: the backups), so that a
// validation failure can put the role's files back and `orbis rollback` can undo the whole run;
// the run's record says running, then applied or failed.
import { createHash } from 'node:crypto';
import type { Action, Change } from '../resources/types.js';
import { isUnitRestart, type Handler } from '../roles/desired.js';
import { UNVALIDATED_DIR } from '../pi/state.js';
import { shq } from '../util/shell.js';
import { INSTALLED_HASH_MEASURED_ON_RECORD, isAptAction } from './plan.js';
import type { Plan } from './plan.js';
import { touchedPaths, touchedUnits, UNIT_STATE_VERBS } from './run-record.js';
import { runScript, type RunScriptHeader } from './script-lib.js';

export { BACKUP_DIR, BACKUP_GENERATIONS, LOCK_PATH, RUNS_DIR } from './script-lib.js';

export type ScriptOptions = RunScriptHeader & {
  /** Fault injection only (engine/fault.ts): pause right after writing this event line. */
  pauseAt?: { event: string; seconds: number };
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A call of a Pi-side function (src/pi/*.sh) with its arguments quoted: one line. */
export function call(name: string, ...args: readonly (string | number)[]): string {
  return [name, ...args.map((a) => (typeof a === 'number' ? String(a) : a === '' ? "''" : shq(a)))].join(' ');
}

export function isUnitFile(path: string): boolean {
  return /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(path);
}

/** A heredoc delimiter that cannot occur in base64 text. */
const EOF_MARK = 'ORBIS_CONTENT_END';

function writeFile(a: Extract<Action, { op: 'write-file' }>, role: string, wholeRole: WholeRoleValidation, aptRan: boolean): string[] {
  // A file absent at plan time may have come with a package this run installed (apply.sh, write_file).
  const previous = a.previousSha256 === null && aptRan ? '*' : (a.previousSha256 ?? 'absent');
  const validate = a.validate?.includes('%s') ? a.validate : '';
  const unvalidated = wholeRole.has(role) ? unvalidatedList(role) : '';
  return [
    `${call('write_file', a.path, a.mode, a.owner, a.group, previous, sha256(a.content), validate, unvalidated)} <<'${EOF_MARK}'`,
    ...(Buffer.from(a.content, 'utf8').toString('base64').match(/.{1,76}/g) ?? []),
    EOF_MARK,
  ];
}

function actionLines(a: Action, role: string, wholeRole: WholeRoleValidation, aptRan: boolean, index: number): string[] {
  switch (a.op) {
    case 'apt-install':
    case 'apt-remove':
      return []; // batched into one apt step at the front (see buildApplyScript)
    case 'write-file':
      return writeFile(a, role, wholeRole, aptRan);
    case 'revalidate':
      return []; // before anything else (see buildApplyScript)
    case 'chmod':
      return [call('backup', a.path), call('try', 'chmod', a.mode, '--', a.path)];
    case 'chown':
      return [call('backup', a.path), call('try', 'chown', `${a.owner}:${a.group}`, '--', a.path)];
    case 'mkdir':
      return [call('try', 'install', '-d', '-m', a.mode, '-o', a.owner, '-g', a.group, '--', a.path)];
    case 'symlink':
      return [call('try', 'ln', '-sfn', '--', a.target, a.path)];
    case 'remove':
      return [call('remove_path', a.path)];
    case 'groupadd':
      return [call('ensure_group', a.name, ...(a.system ? ['--system'] : []))];
    case 'useradd': {
      const args: string[] = [];
      if (a.system) args.push('--system');
      if (a.home) args.push('--home-dir', a.home, '--create-home');
      else args.push('--no-create-home');
      if (a.shell) args.push('--shell', a.shell);
      args.push(...(a.group ? ['--gid', a.group] : ['--user-group']));
      if (a.groups && a.groups.length > 0) args.push('--groups', a.groups.join(','));
      return [call('ensure_user', a.name, ...args)];
    }
    case 'usermod-groups':
      return [call('try', 'usermod', '-aG', a.groups.join(','), a.name)];
    case 'daemon-reload':
      return ['UNITS_DIRTY=1', 'reload_units'];
    case 'systemctl':
      return [call('unit_action', a.verb, a.unit, index, UNIT_STATE_VERBS.includes(a.verb) ? 1 : 0)];
    case 'download':
      return [call('download', a.url, a.sha256, a.extract ?? '', a.path, a.mode, a.owner, a.group)];
    case 'command':
      return [call('run_command', a.user ?? '', a.creates ?? '', a.unless ?? '', a.command)];
  }
}

/** How apt-get runs in the apply script (apt.sh's APT_OPTS; the bench's apt-get baseline runs it the same way). */
export const APT_OPTIONS: readonly string[] = ['-y', '-q', '-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--no-install-recommends'];

type HandlerToRun = Pick<Handler, 'name' | 'unit' | 'action' | 'command'>;

/** Record handlers as pending on the Pi: a run cut before they ran still runs them next time. */
export function pendingLines(names: readonly string[]): string[] {
  return names.length === 0 ? [] : [call('pend', ...new Set(names))];
}

/** Drop handlers from the pending list (every occurrence: one may have been notified twice). */
export function unpendLines(names: readonly string[]): string[] {
  return names.map((name) => call('unpend', name));
}

/**
 * The handlers step: each handler run, reported, then no longer pending. `skipCoveredRestarts`
 * (apply only): a restart a unit already took in is skipped, and starts deferred until the
 * restarts are done (apply.sh: restart_handler, start_deferred).
 */
export function handlerStep(handlers: readonly HandlerToRun[], options: { skipCoveredRestarts?: boolean } = {}): string[] {
  if (handlers.length === 0) return [];
  const run = (h: HandlerToRun): string => {
    if (h.command) return call('run_handler_command', h.command);
    if (options.skipCoveredRestarts && isUnitRestart(h)) return call('restart_handler', h.name, h.unit ?? '');
    return call('run_handler', h.action ?? 'restart', h.unit ?? '');
  };
  return [
    'step handlers',
    ...handlers.flatMap((h) => [run(h), call('handler_ran', h.name)]),
    ...(options.skipCoveredRestarts ? ['start_deferred'] : []),
    'drop_empty_pending',
    'ok',
  ];
}

/**
 * Write the manifest (what orbis owns on the host and the sha256 it wrote), atomically. Files
 * extracted from an archive get the sha256 of what is installed now, measured on the host
 * (run.sh's write_manifest: a placeholder per file in the JSON).
 */
export function manifestLines(files: Plan['manifest']): string[] {
  const measured: string[] = [];
  const written = Object.fromEntries(
    Object.entries(files).map(([path, entry]) => {
      if (entry.installed !== INSTALLED_HASH_MEASURED_ON_RECORD) return [path, entry];
      measured.push(path);
      return [path, { ...entry, installed: `@installed-${measured.length - 1}@` }];
    }),
  );
  const manifest = JSON.stringify({ version: 2, files: written }, null, 1) + '\n';
  return [call('write_manifest', Buffer.from(manifest).toString('base64'), ...measured)];
}

/** Roles whose files this run writes and validates as a whole once all are in place, with the commands. */
type WholeRoleValidation = Map<string, string[]>;

function wholeRoleValidation(plan: Plan): WholeRoleValidation {
  const byRole: WholeRoleValidation = new Map();
  for (const change of plan.changes) {
    for (const a of change.actions) {
      if (a.op !== 'write-file' || !a.validate || a.validate.includes('%s')) continue;
      const list = byRole.get(change.id.role) ?? [];
      if (!list.includes(a.validate)) list.push(a.validate);
      byRole.set(change.id.role, list);
    }
  }
  return byRole;
}

/** Where a role's written-but-not-yet-validated files are listed (read back as facts.unvalidated). */
function unvalidatedList(role: string): string {
  return `${UNVALIDATED_DIR}/${role}`;
}

export function buildApplyScript(plan: Plan, options: ScriptOptions): string {
  const install: string[] = [];
  const remove: string[] = [];
  for (const c of plan.changes) {
    for (const a of c.actions) {
      if (a.op === 'apt-install') install.push(...a.packages);
      if (a.op === 'apt-remove') remove.push(...a.packages);
    }
  }
  const vars = {
    APT_OPTS: APT_OPTIONS,
    APT_INSTALL: [...new Set(install)],
    APT_REMOVE: [...new Set(remove)],
    ...(options.pauseAt ? { PAUSE_EVENT: options.pauseAt.event, PAUSE_SEC: options.pauseAt.seconds } : {}),
  };
  const out: string[] = [];
  const restarting = [...new Set(plan.handlers.filter(isUnitRestart).map((h) => h.unit as string))];
  if (restarting.length > 0) out.push(call('restarting', ...restarting));
  // A run that changes files or units keeps what it replaces: it can be undone.
  const keeps = touchedPaths(plan.changes).length > 0 || touchedUnits(plan.changes).length > 0;
  out.push(call('begin_run', keeps ? 1 : 0));

  const wholeRole = wholeRoleValidation(plan);
  if (wholeRole.size > 0 || plan.changes.some((c) => c.actions.some((a) => a.op === 'revalidate'))) {
    out.push(call('try', 'install', '-d', '-m', '0700', UNVALIDATED_DIR));
  }
  // Files an earlier, cut run left unvalidated: validated first, before apt can restart anything.
  plan.changes.forEach((change, index) => {
    for (const a of change.actions) if (a.op === 'revalidate') out.push(`step ${index}`, call('revalidate', a.role, ...a.commands), 'ok');
  });

  const roleOf = (c: Change): string => c.id.role;
  const changeLines = (change: Change, index: number): string[] => {
    const lines: string[] = [];
    const body = change.actions.flatMap((a) => actionLines(a, roleOf(change), wholeRole, install.length > 0, index));
    // A change's handlers are recorded on the Pi before the change is made, so that a run cut right
    // after it still runs them next time (facts read this file back). One cut before the change
    // runs them needlessly next time, which is harmless.
    const notify = [...new Set(change.notify ?? [])];
    if (body.length > 0) lines.push(`step ${index}`, ...(notify.length > 0 ? [call('notified', index, ...notify)] : []), ...body, 'ok');
    // After the last change of a role, validate the role's files as a whole (e.g. `nginx -t`
    // reads every include); on failure every file the role wrote in this run is put back.
    const next = plan.changes[index + 1];
    const role = roleOf(change);
    const commands = wholeRole.get(role);
    if ((next === undefined || roleOf(next) !== role) && commands) lines.push(`step validate:${role}`, call('validate_role', role, ...commands), 'ok');
    return lines;
  };

  // The changes of the roles that need nothing apt installs now run while it works (plan.ts
  // names them only for a run with an apt step).
  const during = new Set(plan.duringApt ?? []);
  const alongside = new Set(plan.changes.flatMap((c, index) => (during.has(roleOf(c)) ? [index] : [])));
  if (install.length > 0 || remove.length > 0) {
    const notified = [...new Set(plan.changes.filter((c) => c.actions.some(isAptAction)).flatMap((c) => c.notify ?? []))];
    if (notified.length > 0) out.push(call('notified', -1, ...notified));
    if (alongside.size === 0) out.push('apt_step');
    else out.push('apt_background', ...[...alongside].flatMap((i) => changeLines(plan.changes[i] as Change, i)), 'apt_wait');
  }
  plan.changes.forEach((change, index) => {
    if (!alongside.has(index)) out.push(...changeLines(change, index));
  });

  out.push(...handlerStep(plan.handlers, { skipCoveredRestarts: true }));

  // `backup: false`: the replaced content is not kept past the run (the path is still known).
  const unkept = plan.changes.flatMap((c) => c.actions.flatMap((a) => (a.op === 'write-file' && !a.backup ? [a.path] : [])));
  out.push('step record', ...unkept.map((p) => call('drop_unkept', p)), ...manifestLines(plan.manifest), 'end_run', 'ok', 'ev DONE');
  return runScript(options, ['apt.sh', 'apply.sh'], vars, out);
}
