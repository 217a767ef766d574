// Compile a plan into ONE bash script that applies it on the Pi. Pure: plan in, text out.
//
// Why one script: a round trip per action is what makes Ansible slow, and a script that runs
// detached on the Pi (systemd-run, see apply.ts) finishes even if the SSH link drops halfway.
// The script reports progress as tagged lines in an events file the controller reads back:
//   BEGIN <step> <time>   OK <step> <time>   FAIL <step> <base64 message>   HANDLER <name>   LOCKED <base64 holder>
// (<time>: bash's $EPOCHREALTIME, so the report can say how long apt and the handlers took)
// File contents travel base64-encoded inside the script (which arrives on stdin, never argv),
// are staged with umask 077, validated, backed up, then renamed into place.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { Action, Change } from '../resources/types.js';
import type { Handler } from '../roles/desired.js';
import { shq } from '../util/shell.js';
import { MANIFEST_PATH, ORBIS_STATE_DIR, PENDING_HANDLERS_PATH } from '../facts/probe.js';
import type { Plan } from './plan.js';

export const BACKUP_DIR = `${ORBIS_STATE_DIR}/backup`;
export const RUNS_DIR = `${ORBIS_STATE_DIR}/runs`;
export const LOCK_PATH = `${ORBIS_STATE_DIR}/lock`;
/** Generations of each replaced file kept for rollback. */
export const BACKUP_GENERATIONS = 3;

export interface ScriptOptions {
  runId: string;
  /** Who holds the lock while this runs: shown to a second run that finds it locked. */
  holder: string;
  /** Seconds a run waits for another run's lock before giving up. */
  lockWaitSec: number;
  /** JSON record of this run (no secrets), written under runs/. */
  record: string;
}

const PREAMBLE = String.raw`set -uo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
umask 077
RUN_DIR=$1
EVENTS="$RUN_DIR/events"
: > "$EVENTS"
# The script holds secrets (file contents): gone from disk as soon as bash has it open.
rm -f "$0"
STEP=init
ev() { printf '%s\n' "$*" >> "$EVENTS"; }
fail() { ev "FAIL	$STEP	$(printf '%s' "$1" | tail -c 3000 | base64 -w0)"; exit 1; }
# Step times (bash >= 5; an older bash reports steps without them).
declare -p EPOCHREALTIME >/dev/null 2>&1 || EPOCHREALTIME=
step() { STEP=$1; ev "BEGIN	$1	$EPOCHREALTIME"; }
ok() { ev "OK	$STEP	$EPOCHREALTIME"; }
try() { local out; if ! out=$("$@" 2>&1 </dev/null); then fail "$out"; fi; }
hash_of() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; else echo absent; fi; }
backup() { # backup PATH: keep a copy of what is there now, a few generations
  [ -e "$1" ] || return 0
  local name; name=$(printf '%s' "$1" | sed 's|/|%|g')
  cp -a -- "$1" "$BACKUP_DIR/$name.$RUN_ID" || fail "cannot back up $1"
  ls -1t "$BACKUP_DIR/$name".* 2>/dev/null | tail -n +$((BACKUP_GENERATIONS + 1)) | xargs -r rm -f --
}
restore() { # restore PATH: put back the backup this run took, or remove a file this run created
  local name; name=$(printf '%s' "$1" | sed 's|/|%|g')
  if [ -e "$BACKUP_DIR/$name.$RUN_ID" ]; then cp -a -- "$BACKUP_DIR/$name.$RUN_ID" "$1"; else rm -f -- "$1"; fi
}
UNITS_DIRTY=0
reload_units() { if [ "$UNITS_DIRTY" = 1 ]; then try systemctl daemon-reload; UNITS_DIRTY=0; fi; }
`;

/** Text safe inside a double-quoted message: drops the characters bash would expand. */
const plain = (text: string): string => text.replace(/[$`"\\]/g, '');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function isUnitFile(path: string): boolean {
  return /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(path);
}

/** A heredoc delimiter that cannot occur in base64 text. */
const EOF_MARK = 'ORBIS_CONTENT_END';

function writeFile(a: Extract<Action, { op: 'write-file' }>, role: string, postValidate: Map<string, string[]>, aptRan: boolean): string[] {
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
  } else if (a.validate) {
    const list = postValidate.get(role) ?? [];
    if (!list.includes(a.validate)) list.push(a.validate);
    postValidate.set(role, list);
  }
  if (a.backup) lines.push('backup "$f"');
  lines.push('mv -f -- "$tmp" "$f" || fail "cannot move $tmp into place"');
  lines.push(`printf '%s\\n' "$f" >> "$RUN_DIR/written.${role}"`);
  if (isUnitFile(a.path)) lines.push('UNITS_DIRTY=1');
  return lines;
}

function actionLines(a: Action, role: string, postValidate: Map<string, string[]>, aptRan: boolean): string[] {
  switch (a.op) {
    case 'apt-install':
    case 'apt-remove':
      return []; // batched into one apt step at the front (see buildApplyScript)
    case 'write-file':
      return writeFile(a, role, postValidate, aptRan);
    case 'chmod':
      return [`try chmod ${shq(a.mode)} -- ${shq(a.path)}`];
    case 'chown':
      return [`try chown ${shq(`${a.owner}:${a.group}`)} -- ${shq(a.path)}`];
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
      return ['reload_units', ...clearFailed(a.verb, a.unit), `try systemctl ${a.verb} ${shq(a.unit)}`];
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

function downloadLines(a: Extract<Action, { op: 'download' }>): string[] {
  const dir = dirname(a.path);
  return [
    `d=$(mktemp -d) || fail "cannot make a temp dir"`,
    `try curl -fsSL --retry 3 --connect-timeout 20 -o "$d/download" ${shq(a.url)}`,
    `got=$(sha256sum < "$d/download" | cut -d' ' -f1)`,
    `[ "$got" = ${shq(a.sha256)} ] || { rm -rf "$d"; fail "checksum mismatch for ${plain(a.url)}: expected ${plain(a.sha256)}, got $got (the file was not installed)"; }`,
    ...(a.extract
      ? [`try tar -xzf "$d/download" -C "$d" -- ${shq(a.extract)}`, `src="$d"/${shq(a.extract)}`]
      : ['src="$d/download"']),
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
      `if ! out=$(apt-get install ${opts} ${pkgs} 2>&1 </dev/null); then try apt-get update -q; try apt-get install ${opts} ${pkgs}; fi`,
    );
  }
  if (remove.length > 0) lines.push(`try apt-get remove ${opts} ${remove.map(shq).join(' ')}`);
  return lines;
}

/**
 * Before an explicit start or restart: a unit that gave up (its StartLimitBurst reached, e.g. a
 * streamer that failed too often) refuses any start until its interval passes. A run that asks
 * for it to be started means it, and a configuration change is no failure of the unit.
 */
function clearFailed(verb: string, unit: string): string[] {
  return verb === 'start' || verb === 'restart' ? [`systemctl reset-failed ${shq(unit)} >/dev/null 2>&1 || true`] : [];
}

function handlerLines(h: Handler): string[] {
  if (h.command) return [`try bash -c ${shq(h.command)}`];
  const action = h.action ?? 'restart';
  return ['reload_units', ...clearFailed(action, h.unit ?? ''), `try systemctl ${action} ${shq(h.unit ?? '')}`];
}

export function buildApplyScript(plan: Plan, options: ScriptOptions): string {
  const out: string[] = ['#!/bin/bash', PREAMBLE];
  out.push(
    `RUN_ID=${shq(options.runId)}; BACKUP_DIR=${shq(BACKUP_DIR)}; BACKUP_GENERATIONS=${BACKUP_GENERATIONS}`,
    `install -d -m 0700 ${shq(ORBIS_STATE_DIR)} "$BACKUP_DIR" || fail "cannot create ${ORBIS_STATE_DIR}"`,
    // One run at a time per host. flock is released by the kernel when its holder dies, so a
    // crashed run never leaves a lock behind; the holder file only names who holds it now.
    `exec 9>>${shq(LOCK_PATH)}`,
    `if ! flock -w ${options.lockWaitSec} 9; then ev "LOCKED	$(base64 -w0 < ${shq(`${LOCK_PATH}.holder`)} 2>/dev/null)"; exit 75; fi`,
    `printf '%s\\n' ${shq(options.holder)} > ${shq(`${LOCK_PATH}.holder`)}`,
  );

  const install: string[] = [];
  const remove: string[] = [];
  for (const c of plan.changes) {
    for (const a of c.actions) {
      if (a.op === 'apt-install') install.push(...a.packages);
      if (a.op === 'apt-remove') remove.push(...a.packages);
    }
  }
  if (install.length > 0 || remove.length > 0) {
    out.push('step apt', ...aptLines([...new Set(install)], [...new Set(remove)]), 'ok');
    const notified = plan.changes.filter((c) => c.actions.some((a) => a.op === 'apt-install' || a.op === 'apt-remove')).flatMap((c) => c.notify ?? []);
    if (notified.length > 0) out.push(`printf '%s\\n' ${[...new Set(notified)].map(shq).join(' ')} >> ${shq(PENDING_HANDLERS_PATH)}`);
  }

  const postValidate = new Map<string, string[]>();
  const roleOf = (c: Change): string => c.id.role;
  plan.changes.forEach((change, index) => {
    const body = change.actions.flatMap((a) => actionLines(a, roleOf(change), postValidate, install.length > 0));
    if (body.length > 0) out.push(`step ${index}`, ...body, 'ok');
    // A change's handlers are recorded on the Pi as soon as the change is made, so that a run cut
    // before its handlers ran still runs them next time (facts read this file back).
    if (body.length > 0 && change.notify && change.notify.length > 0) {
      out.push(`printf '%s\\n' ${change.notify.map(shq).join(' ')} >> ${shq(PENDING_HANDLERS_PATH)}`);
    }
    // After the last change of a role, validate the role's files as a whole (e.g. `nginx -t`
    // reads every include); on failure every file the role wrote in this run is put back.
    const next = plan.changes[index + 1];
    const role = roleOf(change);
    if ((next === undefined || roleOf(next) !== role) && postValidate.has(role)) {
      out.push(`step validate:${role}`);
      for (const cmd of postValidate.get(role) ?? []) {
        out.push(
          `if ! out=$(${cmd} 2>&1 </dev/null); then`,
          `  while read -r w; do restore "$w"; done < "$RUN_DIR/written.${role}"`,
          `  fail "validation failed (${plain(cmd)}); the previous files were restored: $out"`,
          'fi',
        );
      }
      out.push('ok');
    }
  });

  if (plan.handlers.length > 0) {
    out.push('step handlers');
    for (const h of plan.handlers) {
      out.push(
        ...handlerLines(h),
        `ev "HANDLER	$(printf %s ${shq(h.name)} | base64 -w0)"`,
        // Done: drop it from the pending list (every occurrence, it may have been notified twice).
        `if [ -f ${shq(PENDING_HANDLERS_PATH)} ]; then grep -vxF -- ${shq(h.name)} ${shq(PENDING_HANDLERS_PATH)} > ${shq(`${PENDING_HANDLERS_PATH}.tmp`)}; mv -f ${shq(`${PENDING_HANDLERS_PATH}.tmp`)} ${shq(PENDING_HANDLERS_PATH)}; fi`,
      );
    }
    out.push(`[ -s ${shq(PENDING_HANDLERS_PATH)} ] || rm -f ${shq(PENDING_HANDLERS_PATH)}`, 'ok');
  }

  const manifest = JSON.stringify({ version: 2, files: plan.manifest }, null, 1) + '\n';
  out.push(
    'step record',
    `printf '%s' ${shq(Buffer.from(manifest).toString('base64'))} | base64 -d > ${shq(`${MANIFEST_PATH}.tmp`)} && mv -f ${shq(`${MANIFEST_PATH}.tmp`)} ${shq(MANIFEST_PATH)} || fail "cannot write the manifest"`,
    `install -d -m 0700 ${shq(RUNS_DIR)}`,
    `printf '%s' ${shq(Buffer.from(options.record).toString('base64'))} | base64 -d > ${shq(`${RUNS_DIR}/`)}"$RUN_ID.json"`,
    // Keep the last 20 run records.
    `ls -1t ${shq(RUNS_DIR)}/*.json 2>/dev/null | tail -n +21 | xargs -r rm -f --`,
    'ok',
    'ev "DONE"',
  );
  return out.join('\n') + '\n';
}
