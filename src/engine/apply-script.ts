// Compile a plan into ONE bash script that applies it on the Pi. Pure: plan in, text out.
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
import { dirname } from 'node:path';
import type { Action, Change } from '../resources/types.js';
import type { Handler } from '../roles/desired.js';
import { shq } from '../util/shell.js';
import { MANIFEST_PATH, PENDING_HANDLERS_PATH, UNVALIDATED_DIR } from '../facts/probe.js';
import { INSTALLED_HASH_MEASURED_ON_RECORD, isAptAction } from './plan.js';
import type { Plan } from './plan.js';
import { touchedPaths, touchedUnits, UNIT_STATE_VERBS } from './run-record.js';
import { scriptHead, type RunScriptHeader } from './script-lib.js';

export { BACKUP_DIR, BACKUP_GENERATIONS, LOCK_PATH, RUNS_DIR } from './script-lib.js';

export type ScriptOptions = RunScriptHeader & {
  /** Fault injection only (engine/fault.ts): pause right after writing this event line. */
  pauseAt?: { event: string; seconds: number };
};

/** Text safe inside a double-quoted message: drops the characters bash would expand. */
const plain = (text: string): string => text.replace(/[$`"\\]/g, '');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function isUnitFile(path: string): boolean {
  return /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(path);
}

/** A heredoc delimiter that cannot occur in base64 text. */
const EOF_MARK = 'ORBIS_CONTENT_END';

function writeFile(a: Extract<Action, { op: 'write-file' }>, role: string, wholeRole: WholeRoleValidation, aptRan: boolean): string[] {
  const tmp = `${dirname(a.path)}/.orbis-tmp.${a.path.split('/').pop() ?? 'file'}`;
  const expected = a.previousSha256 ?? 'absent';
  // The plan was made from facts; if the file changed since (a hand edit, another run), stop. A file
  // absent at plan time may have come with a package this run installed (nginx.conf with nginx):
  // that is no change behind the plan's back, and the package's version is backed up as usual.
  const createdByApt = a.previousSha256 === null && aptRan;
  const lines = [
    `f=${shq(a.path)}; tmp=${shq(tmp)}`,
    ...(createdByApt ? [] : [`[ "$(hash_of "$f")" = ${shq(expected)} ] || fail "$f changed on the host since the plan was made; run again"`]),
    // Parent directories a role did not declare get the usual 0755, not the script's umask 077.
    `(umask 022; mkdir -p -- ${shq(dirname(a.path))}) || fail "cannot create ${plain(dirname(a.path))}"`,
    `base64 -d > "$tmp" <<'${EOF_MARK}' || fail "cannot write $tmp"`,
    ...(Buffer.from(a.content, 'utf8').toString('base64').match(/.{1,76}/g) ?? []),
    EOF_MARK,
    `[ "$(hash_of "$tmp")" = ${shq(sha256(a.content))} ] || { rm -f "$tmp"; fail "content of $f arrived corrupted"; }`,
    `try chown ${shq(`${a.owner}:${a.group}`)} "$tmp"`,
    `try chmod ${shq(a.mode)} "$tmp"`,
  ];
  if (a.validate?.includes('%s')) {
    const command = a.validate.split('%s').join('"$tmp"');
    lines.push(`if ! out=$(${command} 2>&1 </dev/null); then rm -f "$tmp"; fail "validation failed ($(printf %s ${shq(a.validate)})), the previous file is untouched: $out"; fi`);
  }
  // Always kept during the run (a failed validation puts it back); `backup: false` drops it at the end.
  lines.push('backup "$f"');
  // Noted on disk BEFORE it goes live, so that a run cut before the role's whole validation leaves
  // a note the next run finds: it validates these files again first (plan.ts revalidations).
  if (wholeRole.has(role)) lines.push(`printf '%s\\t%s\\n' "$RUN_ID" "$f" >> ${shq(unvalidatedList(role))}`);
  lines.push('mv -f -- "$tmp" "$f" || fail "cannot move $tmp into place"');
  if (isUnitFile(a.path)) lines.push('UNITS_DIRTY=1');
  return lines;
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
      return [`backup ${shq(a.path)}`, `try chmod ${shq(a.mode)} -- ${shq(a.path)}`];
    case 'chown':
      return [`backup ${shq(a.path)}`, `try chown ${shq(`${a.owner}:${a.group}`)} -- ${shq(a.path)}`];
    case 'mkdir':
      return [`try install -d -m ${shq(a.mode)} -o ${shq(a.owner)} -g ${shq(a.group)} -- ${shq(a.path)}`];
    case 'symlink':
      return [`try ln -sfn -- ${shq(a.target)} ${shq(a.path)}`];
    case 'remove':
      return [`backup ${shq(a.path)}`, `try rm -rf -- ${shq(a.path)}`, ...(isUnitFile(a.path) ? ['UNITS_DIRTY=1'] : [])];
    case 'groupadd':
      return [`getent group ${shq(a.name)} >/dev/null || try groupadd ${a.system ? '--system ' : ''}${shq(a.name)}`];
    case 'useradd': {
      const args = ['useradd'];
      if (a.system) args.push('--system');
      if (a.home) args.push('--home-dir', shq(a.home), '--create-home');
      else args.push('--no-create-home');
      if (a.shell) args.push('--shell', shq(a.shell));
      args.push(...(a.group ? ['--gid', shq(a.group)] : ['--user-group']));
      if (a.groups && a.groups.length > 0) args.push('--groups', shq(a.groups.join(',')));
      return [`id -u ${shq(a.name)} >/dev/null 2>&1 || try ${args.join(' ')} ${shq(a.name)}`];
    }
    case 'usermod-groups':
      return [`try usermod -aG ${shq(a.groups.join(','))} ${shq(a.name)}`];
    case 'daemon-reload':
      return ['UNITS_DIRTY=1', 'reload_units'];
    case 'systemctl':
      return [
        'reload_units',
        ...(UNIT_STATE_VERBS.includes(a.verb) ? [`unit_snapshot ${shq(a.unit)}`] : []),
        ...(a.verb === 'start' || a.verb === 'restart' ? [`mark_fresh ${shq(a.unit)} ${a.verb} ${index}`] : []),
        ...clearFailed(a.verb, a.unit),
        // A start that a restart handler of this run would undo waits for the handlers (defer_start).
        a.verb === 'start' ? `defer_start ${shq(a.unit)} || try systemctl start ${shq(a.unit)}` : `try systemctl ${a.verb} ${shq(a.unit)}`,
      ];
    case 'download':
      return downloadLines(a);
    case 'command': {
      const run = a.user ? `runuser -u ${shq(a.user)} -- bash -c ${shq(a.command)}` : `bash -c ${shq(a.command)}`;
      // Guards are checked again here: the facts may be a few seconds old.
      const conditions = [
        ...(a.creates ? [`[ ! -e ${shq(a.creates)} ]`] : []),
        ...(a.unless ? [`! ( ${a.unless} ) >/dev/null 2>&1 </dev/null`] : []),
      ];
      return [conditions.length > 0 ? `if ${conditions.join(' && ')}; then try ${run}; fi` : `try ${run}`];
    }
  }
}

/**
 * The executable in a release as it was downloaded to DIR/download, whatever go-btfs's
 * package.sh made of it (told by content, not by the URL): a raw binary is itself; a tar, plain
 * (package.sh's `tar -cvf`) or gzipped, is extracted and the first of the NAMES (space-separated)
 * that it holds at its top is the one. When the tar also holds package.sh's
 * `config_<os>_<arch>.yaml`, the member's md5 must be the `md5:` it states (the checksum go-btfs
 * ships beside its binary). Prints the path, or the reason it cannot (exit 1).
 */
export const RELEASE_MEMBER = String.raw`release_member() {
  local dir=$1 names=$2 magic name found= listed yaml want got
  magic=$(head -c 4 -- "$dir/download" | od -An -tx1 | tr -d ' 
')
  case $magic in
    7f454c46) printf '%s
' "$dir/download"; return 0 ;;
    1f8b*) ;;
    *) if [ "$(tail -c +258 -- "$dir/download" | head -c 5)" != ustar ]; then
         echo "the download is neither an executable nor a tar archive (it starts with $magic): check the URL"; return 1
       fi ;;
  esac
  if ! listed=$(tar -tf "$dir/download" 2>&1); then echo "cannot read the downloaded archive: $listed"; return 1; fi
  for name in $names; do
    if grep -qxF -e "$name" -e "./$name" <<< "$listed"; then found=$name; break; fi
  done
  if [ -z "$found" ]; then
    echo "the archive holds none of: $names (it holds: $(tr '
' ' ' <<< "$listed")); set BTFS_MEMBRE_ARCHIVE to the executable's name"; return 1
  fi
  mkdir -p -- "$dir/x" && tar -xf "$dir/download" -C "$dir/x" 2>/dev/null || { echo "cannot extract the downloaded archive"; return 1; }
  yaml=$(find "$dir/x" -maxdepth 1 -name 'config_*_*.yaml' -print -quit)
  if [ -n "$yaml" ]; then
    want=$(sed -n 's/^md5:[[:space:]]*\([0-9a-fA-F]\{32\}\)[[:space:]]*$/\1/p' "$yaml" | tr 'A-F' 'a-f')
    got=$(md5sum < "$dir/x/$found" | cut -d' ' -f1)
    if [ -n "$want" ] && [ "$want" != "$got" ]; then
      echo "$found in the archive has md5 $got, not the $want its $(basename "$yaml") states: a damaged or altered release"; return 1
    fi
  fi
  printf '%s
' "$dir/x/$found"
}`;

function downloadLines(a: Extract<Action, { op: 'download' }>): string[] {
  const dir = dirname(a.path);
  return [
    `d=$(mktemp -d) || fail "cannot make a temp dir"`,
    `try curl -fsSL --retry 3 --connect-timeout 20 -o "$d/download" ${shq(a.url)}`,
    `got=$(sha256sum < "$d/download" | cut -d' ' -f1)`,
    `[ "$got" = ${shq(a.sha256)} ] || { rm -rf "$d"; fail "checksum mismatch for ${plain(a.url)}: expected ${plain(a.sha256)}, got $got (the file was not installed)"; }`,
    ...(a.extract ? [`src=$(release_member "$d" ${shq(a.extract)}) || { rm -rf "$d"; fail "$src"; }`] : ['src="$d/download"']),
    `(umask 022; mkdir -p -- ${shq(dir)}) || fail "cannot create ${plain(dir)}"`,
    `try install -m ${shq(a.mode)} -o ${shq(a.owner)} -g ${shq(a.group)} "$src" ${shq(`${dir}/.orbis-tmp.${a.path.split('/').pop() ?? 'download'}`)}`,
    `backup ${shq(a.path)}`,
    `mv -f -- ${shq(`${dir}/.orbis-tmp.${a.path.split('/').pop() ?? 'download'}`)} ${shq(a.path)} || fail "cannot install ${a.path}"`,
    'rm -rf "$d"',
  ];
}

/** How apt-get runs in the apply script (the bench's apt-get baseline runs it the same way). */
export const APT_OPTIONS = `-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends`;

/** True (exit 0) when the host has no package lists, or only lists more than a day old. */
export const APT_LISTS_STALE = `[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 -print -quit 2>/dev/null)" ]`;

function aptLines(install: string[], remove: string[]): string[] {
  const lines: string[] = [];
  const opts = APT_OPTIONS;
  if (install.length > 0) {
    const pkgs = install.map(shq).join(' ');
    // Refresh the package lists when there are none or they are more than a day old, and once
    // more if apt cannot find a package (lists from before a package was published).
    lines.push(
      `if ${APT_LISTS_STALE}; then try apt-get update -q; fi`,
      `if ! out=$(apt-get install ${opts} ${pkgs} 2>&1 </dev/null); then ${DPKG_INTERRUPTED} *) try apt-get update -q ;; esac; try apt-get install ${opts} ${pkgs}; fi`,
    );
  }
  if (remove.length > 0) {
    const pkgs = remove.map(shq).join(' ');
    lines.push(`if ! out=$(apt-get remove ${opts} ${pkgs} 2>&1 </dev/null); then ${DPKG_INTERRUPTED} *) fail "$out" ;; esac; try apt-get remove ${opts} ${pkgs}; fi`);
  }
  return lines;
}

/**
 * The start of a `case` on apt's output: a dpkg killed halfway (a run cut mid-install, a power
 * cut) leaves its journal, and apt refuses everything until `dpkg --configure -a` has finished it.
 * Then apt is tried once more.
 */
const DPKG_INTERRUPTED = `case $out in *'dpkg was interrupted'*) try dpkg --force-confdef --force-confold --configure -a ;;`;

/**
 * Before an explicit start or restart: a unit that gave up (its StartLimitBurst reached, e.g. a
 * streamer that failed too often) refuses any start until its interval passes. A run that asks
 * for it to be started means it, and a configuration change is no failure of the unit.
 */
export function clearFailed(verb: string, unit: string): string[] {
  return verb === 'start' || verb === 'restart' ? [`systemctl reset-failed ${shq(unit)} >/dev/null 2>&1 || true`] : [];
}

type HandlerToRun = Pick<Handler, 'name' | 'unit' | 'action' | 'command'>;

/** A handler that restarts a unit (not a command, not a reload). */
function isUnitRestart(h: HandlerToRun): boolean {
  return !h.command && h.unit !== undefined && (h.action ?? 'restart') === 'restart';
}

function handlerLines(h: HandlerToRun): string[] {
  if (h.command) return [`try bash -c ${shq(h.command)}`];
  const action = h.action ?? 'restart';
  return ['reload_units', ...clearFailed(action, h.unit ?? ''), `try systemctl ${action} ${shq(h.unit ?? '')}`];
}

/** Record handlers as pending on the Pi: a run cut before they ran still runs them next time. */
export function pendingLines(names: readonly string[]): string[] {
  return names.length === 0 ? [] : [`printf '%s\\n' ${[...new Set(names)].map(shq).join(' ')} >> ${shq(PENDING_HANDLERS_PATH)}`];
}

/** Drop handlers from the pending list (every occurrence: one may have been notified twice). */
export function unpendLines(names: readonly string[]): string[] {
  return names.map(
    (name) =>
      `if [ -f ${shq(PENDING_HANDLERS_PATH)} ]; then grep -vxF -- ${shq(name)} ${shq(PENDING_HANDLERS_PATH)} > ${shq(`${PENDING_HANDLERS_PATH}.tmp`)}; mv -f ${shq(`${PENDING_HANDLERS_PATH}.tmp`)} ${shq(PENDING_HANDLERS_PATH)}; fi`,
  );
}

/**
 * Restarts a run makes needless (apply script only). A restart handler exists so that a unit
 * takes in what changed; a unit this run started from inactive, or restarted, AFTER the last
 * change that notified the handler has taken it in already. On a first provision that is every
 * daemon orbis starts itself (btfs: a second start waits for its gateway again, seconds).
 * FRESH[unit]: the step that (re)started it; NOTIFIED[handler]: the last step that notified it
 * (-1: the apt step). A handler pending from an earlier run is never skipped.
 */
// A plain template (not String.raw): `\${` must reach bash as `${`.
const FRESH_STARTS = `declare -A FRESH=() NOTIFIED=() RESTARTING=()
DEFERRED=()
mark_fresh() { if [ "$2" = restart ] || ! systemctl is-active --quiet -- "$1" 2>/dev/null; then FRESH[$1]=$3; fi; }
defer_start() {
  local u
  [ "\${#RESTARTING[@]}" -gt 0 ] || return 1
  systemctl is-active --quiet -- "$1" 2>/dev/null && return 1
  for u in $(systemctl show -p PartOf --value -- "$1" 2>/dev/null); do
    if [ -n "\${RESTARTING[$u]:-}" ]; then DEFERRED+=("$1"); return 0; fi
  done
  return 1
}
mark_propagated() {
  local u
  for u in $(systemctl show -p ConsistsOf --value -- "$1" 2>/dev/null); do
    if systemctl is-active --quiet -- "$u" 2>/dev/null; then FRESH[$u]=1000000; fi
  done
}`;

/**
 * Starts that would be undone at once (apply script only). A unit that is PartOf= another (the
 * streamer, PartOf nginx) is restarted by systemd whenever that one restarts: started in its
 * role's step, then restarted by the other's restart handler 50 ms later, its publisher leaves a
 * fragment of a stream at the platforms and its unit a false failure. So a start of such a unit
 * waits for the handlers when a restart handler of the unit it is part of is to run in this run
 * (RESTARTING); a restart handler marks the active units it restarted by propagation as fresh
 * after every change (1000000: past the 999999 of a handler pending from an earlier run), so
 * their own restart handler is not run a second time.
 */
function restartingLines(handlers: readonly HandlerToRun[]): string[] {
  const units = handlers.filter(isUnitRestart).map((h) => h.unit as string);
  return [...new Set(units)].map((unit) => `RESTARTING[${shq(unit)}]=1`);
}

function notifiedLines(names: readonly string[], index: number): string[] {
  return [...new Set(names)].map((name) => `NOTIFIED[${shq(name)}]=${index}`);
}

/** The handlers step: each handler run, reported, then no longer pending. */
export function handlerStep(handlers: readonly HandlerToRun[], options: { skipCoveredRestarts?: boolean } = {}): string[] {
  if (handlers.length === 0) return [];
  const run = (h: HandlerToRun): string[] => {
    if (!options.skipCoveredRestarts || !isUnitRestart(h)) return handlerLines(h);
    // Still reported as run: the unit runs with what changed, as the handler would have made it.
    return [`if [ "\${FRESH[${shq(h.unit ?? '')}]:--2}" -le "\${NOTIFIED[${shq(h.name)}]:-999999}" ]; then`, ...handlerLines(h), `mark_propagated ${shq(h.unit ?? '')}`, 'fi'];
  };
  // Starts held back until the units they are part of have restarted (restartingLines).
  const deferred = options.skipCoveredRestarts
    ? ['for u in "${DEFERRED[@]}"; do', '  if ! systemctl is-active --quiet -- "$u"; then systemctl reset-failed -- "$u" >/dev/null 2>&1 || true; try systemctl start "$u"; fi', 'done']
    : [];
  return [
    'step handlers',
    ...handlers.flatMap((h) => [...run(h), `ev "HANDLER	$(printf %s ${shq(h.name)} | base64 -w0)"`, ...unpendLines([h.name])]),
    ...deferred,
    `[ -s ${shq(PENDING_HANDLERS_PATH)} ] || rm -f ${shq(PENDING_HANDLERS_PATH)}`,
    'ok',
  ];
}

/** Write the manifest (what orbis owns on the host and the sha256 it wrote), atomically. */
/**
 * Write the manifest (what orbis owns on the host and the sha256 it wrote), atomically. Files
 * extracted from an archive get the sha256 of what is installed now, measured here (a placeholder
 * per file in the JSON, replaced in bash), so that `orbis check` later tells a binary replaced by
 * hand from the one orbis installed.
 */
export function manifestLines(files: Plan['manifest'], manifestPath = MANIFEST_PATH): string[] {
  const measured: string[] = [];
  const written = Object.fromEntries(
    Object.entries(files).map(([path, entry]) => {
      if (entry.installed !== INSTALLED_HASH_MEASURED_ON_RECORD) return [path, entry];
      measured.push(path);
      return [path, { ...entry, installed: `@installed-${measured.length - 1}@` }];
    }),
  );
  const manifest = JSON.stringify({ version: 2, files: written }, null, 1) + '\n';
  return [
    `manifest=$(printf '%s' ${shq(Buffer.from(manifest).toString('base64'))} | base64 -d)`,
    ...measured.map((path, i) => `h=$(sha256sum < ${shq(path)}) || fail "cannot hash ${path}"; manifest=\${manifest//@installed-${i}@/\${h%% *}}`),
    `printf '%s\n' "$manifest" > ${shq(`${manifestPath}.tmp`)} && mv -f ${shq(`${manifestPath}.tmp`)} ${shq(manifestPath)} || fail "cannot write the manifest"`,
  ];
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

/** Puts back each file a list of unvalidated writes names, from the backups of the run that wrote it. */
const RESTORE_UNVALIDATED = String.raw`restore_unvalidated() { # restore_unvalidated LIST
  local run w
  while IFS=$'\t' read -r run w; do
    [ -n "$w" ] || continue
    restore_from "$BACKUP_DIR/$run" "$w" || fail "$w could not be put back (run $run kept no copy of it)"
  done < "$1"
}`;

/** Validate again what an earlier, cut run wrote for a role; put the previous files back if it fails. */
function revalidateLines(a: Extract<Action, { op: 'revalidate' }>): string[] {
  const list = shq(unvalidatedList(a.role));
  const lines = [`if [ -s ${list} ]; then`];
  for (const cmd of a.commands) {
    lines.push(
      `  if ! out=$(${cmd} 2>&1 </dev/null); then`,
      `    restore_unvalidated ${list}; rm -f ${list}`,
      `    fail "files an earlier run wrote for ${plain(a.role)} and never validated fail validation (${plain(cmd)}); the previous ones were put back: $out"`,
      '  fi',
    );
  }
  lines.push('fi', `rm -f ${list}`);
  return lines;
}

/**
 * apt in the background while `foreground` runs. The background reports its failure through a
 * file (its own `fail`); the script reports it as the apt step's once the foreground is done. A
 * failure in the foreground waits for apt first (LIB's `fail`): the run's unit ending would kill
 * dpkg halfway.
 */
function aptAlongside(apt: string[], foreground: string[]): string[] {
  return [
    '( fail() { printf \'%s\' "$1" > "$RUN_DIR/apt-failed"; exit 1; }',
    ...apt,
    ') & BG_PID=$!',
    ...foreground,
    'step apt-wait',
    'if ! wait "$BG_PID"; then BG_PID=; STEP=apt; fail "$(cat -- "$RUN_DIR/apt-failed" 2>/dev/null)"; fi',
    'BG_PID=',
    'ok',
  ];
}

export function buildApplyScript(plan: Plan, options: ScriptOptions): string {
  const out: string[] = scriptHead(options);
  out.push(RESTORE_UNVALIDATED, FRESH_STARTS, ...restartingLines(plan.handlers));
  if (plan.changes.some((c) => c.actions.some((a) => a.op === 'download' && a.extract !== undefined))) out.push(RELEASE_MEMBER);
  if (options.pauseAt) {
    const { event, seconds } = options.pauseAt;
    // BEGIN and OK lines end with a tab and the step's time (empty on an old bash): the point is
    // the line without them.
    out.push(`ev() { printf '%s\\n' "$*" >> "$EVENTS"; local e="$*"; if [ "\${e%$'\\t'*}" = ${shq(event)} ]; then sleep ${seconds}; fi; }`);
  }
  // A run that changes files or units keeps what it replaces: it can be undone.
  const keeps = touchedPaths(plan.changes).length > 0 || touchedUnits(plan.changes).length > 0;
  out.push(`begin_run ${keeps ? 1 : 0}`);

  const wholeRole = wholeRoleValidation(plan);
  if (wholeRole.size > 0 || plan.changes.some((c) => c.actions.some((a) => a.op === 'revalidate'))) {
    out.push(`install -d -m 0700 ${shq(UNVALIDATED_DIR)} || fail "cannot create ${UNVALIDATED_DIR}"`);
  }
  // Files an earlier, cut run left unvalidated: validated first, before apt can restart anything.
  plan.changes.forEach((change, index) => {
    for (const a of change.actions) if (a.op === 'revalidate') out.push(`step ${index}`, ...revalidateLines(a), 'ok');
  });

  const install: string[] = [];
  const remove: string[] = [];
  for (const c of plan.changes) {
    for (const a of c.actions) {
      if (a.op === 'apt-install') install.push(...a.packages);
      if (a.op === 'apt-remove') remove.push(...a.packages);
    }
  }

  const roleOf = (c: Change): string => c.id.role;
  const changeLines = (change: Change, index: number): string[] => {
    const lines: string[] = [];
    const body = change.actions.flatMap((a) => actionLines(a, roleOf(change), wholeRole, install.length > 0, index));
    // A change's handlers are recorded on the Pi before the change is made, so that a run cut right
    // after it still runs them next time (facts read this file back). One cut before the change
    // runs them needlessly next time, which is harmless.
    if (body.length > 0) lines.push(`step ${index}`, ...pendingLines(change.notify ?? []), ...notifiedLines(change.notify ?? [], index), ...body, 'ok');
    // After the last change of a role, validate the role's files as a whole (e.g. `nginx -t`
    // reads every include); on failure every file the role wrote in this run is put back.
    const next = plan.changes[index + 1];
    const role = roleOf(change);
    const commands = wholeRole.get(role);
    if ((next === undefined || roleOf(next) !== role) && commands) {
      const list = shq(unvalidatedList(role));
      lines.push(`step validate:${role}`);
      for (const cmd of commands) {
        lines.push(
          `if ! out=$(${cmd} 2>&1 </dev/null); then`,
          `  restore_unvalidated ${list}; rm -f ${list}`,
          `  fail "validation failed (${plain(cmd)}); the previous files were restored: $out"`,
          'fi',
        );
      }
      lines.push(`rm -f ${list}`, 'ok');
    }
    return lines;
  };

  // The changes of the roles that need nothing apt installs now run while it works (plan.ts
  // names them only for a run with an apt step).
  const during = new Set(plan.duringApt ?? []);
  const alongside = new Set(plan.changes.flatMap((c, index) => (during.has(roleOf(c)) ? [index] : [])));
  if (install.length > 0 || remove.length > 0) {
    const notified = plan.changes.filter((c) => c.actions.some(isAptAction)).flatMap((c) => c.notify ?? []);
    out.push(...pendingLines(notified), ...notifiedLines(notified, -1));
    const apt = ['step apt', ...aptLines([...new Set(install)], [...new Set(remove)]), 'ok'];
    if (alongside.size === 0) out.push(...apt);
    else out.push(...aptAlongside(apt, [...alongside].flatMap((i) => changeLines(plan.changes[i] as Change, i))));
  }
  plan.changes.forEach((change, index) => {
    if (!alongside.has(index)) out.push(...changeLines(change, index));
  });

  out.push(...handlerStep(plan.handlers, { skipCoveredRestarts: true }));

  // `backup: false`: the replaced content is not kept past the run (the path is still known).
  const unkept = plan.changes.flatMap((c) => c.actions.flatMap((a) => (a.op === 'write-file' && !a.backup ? [a.path] : [])));
  out.push(
    'step record',
    ...unkept.map((p) => `e=$(enc ${shq(p)}); if [ -f "$BACKUP_DIR/$RUN_ID/content/$e" ]; then rm -f -- "$BACKUP_DIR/$RUN_ID/content/$e" "$BACKUP_DIR/$RUN_ID/meta/$e"; mkdir -p "$BACKUP_DIR/$RUN_ID/dropped" && : > "$BACKUP_DIR/$RUN_ID/dropped/$e"; fi`),
    ...manifestLines(plan.manifest),
    'record applied || fail "cannot write the run record"',
    'RECORDING=0',
    'prune',
    'ok',
    'ev "DONE"',
  );
  return out.join('\n') + '\n';
}
