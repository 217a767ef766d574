// The bash both run scripts share (apply-script.ts, rollback-script.ts): events, failure, the host
// lock, the run's sequence number and record, and the backups a run keeps so that it can be
// undone. Pure text.
//
// Backups, one directory per run that changes files or units (/var/lib/orbis/backup/<run id>/):
//   seq                 the run's sequence number on this host (orders runs whatever the clocks say)
//   content/<enc path>  the file as it was before the run first touched it: always 0600 root,
//                       whatever it held (stream keys included), in 0700 directories
//   meta/<enc path>     its mode, uid and gid, to put back with it
//   absent/<enc path>   the path did not exist: undoing the run removes it
//   link/<enc path>     it was a symbolic link to what this file holds
//   dropped/<enc path>  its role said `backup: false`: the content was not kept
//   units/<unit>        "<UnitFileState> <ActiveState>" before the run first enabled, disabled,
//                       started, stopped, masked or unmasked it ('-' for empty)
// <enc path> is the path with % as %25 and / as %2F (reversible: `printf %b "${e//%/\\x}"`).
// Only the newest BACKUP_GENERATIONS runs keep their directory.
//
// Run records (/var/lib/orbis/runs/<run id>.json), one JSON line: the script writes
// `{"seq":N,"status":"S",` and then what the controller sent (run-record.ts), so the status can
// change (running -> applied | failed, later rolled-back) without a JSON parser on the Pi.
import { ORBIS_STATE_DIR } from '../facts/probe.js';
import { shq } from '../util/shell.js';

export const BACKUP_DIR = `${ORBIS_STATE_DIR}/backup`;
export const RUNS_DIR = `${ORBIS_STATE_DIR}/runs`;
export const LOCK_PATH = `${ORBIS_STATE_DIR}/lock`;
export const RUN_SEQ_PATH = `${ORBIS_STATE_DIR}/run-seq`;
/** Runs whose backups are kept: how far back `orbis rollback` can go. */
export const BACKUP_GENERATIONS = 5;
/** Run records kept (besides those of runs whose backups are kept). */
export const RECORDS_KEPT = 20;

/** Percent-encoding of a path as a backup file name (the bash `enc` below does the same). */
export function encodePath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function decodePath(name: string): string {
  return name.replace(/%2F/g, '/').replace(/%25/g, '%');
}

/**
 * A fingerprint of every run record on the host (the rollback is planned from them; it refuses to
 * go on, under the lock, when another run changed them meanwhile).
 */
export const FINGERPRINT = `fingerprint() { cat ${RUNS_DIR}/*.json 2>/dev/null | sha256sum | cut -d' ' -f1; }`;

const LIB = String.raw`set -uo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
umask 077
RUN_DIR=$1
EVENTS="$RUN_DIR/events"
: > "$EVENTS"
# The script holds secrets (file contents): gone from disk as soon as bash has it open.
rm -f "$0"
STEP=init
RECORDING=0
ev() { printf '%s\n' "$*" >> "$EVENTS"; }
# A job in the background (apt, see apply-script.ts) is waited for: the run's end would kill it.
BG_PID=
fail() { ev "FAIL	$STEP	$(printf '%s' "$1" | tail -c 3000 | base64 -w0)"; if [ -n "$BG_PID" ]; then wait "$BG_PID"; fi; if [ "$RECORDING" = 1 ]; then record failed; fi; exit 1; }
# Step times (bash >= 5; an older bash reports steps without them).
declare -p EPOCHREALTIME >/dev/null 2>&1 || EPOCHREALTIME=
step() { STEP=$1; ev "BEGIN	$1	$EPOCHREALTIME"; }
ok() { ev "OK	$STEP	$EPOCHREALTIME"; }
try() { local out; if ! out=$("$@" 2>&1 </dev/null); then fail "$out"; fi; }
hash_of() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; else echo absent; fi; }
enc() { printf '%s' "$1" | sed 's/%/%25/g; s|/|%2F|g'; }
snapshot() { # snapshot DIR PATH: PATH as it is now, kept in DIR (the first snapshot of PATH in DIR wins)
  local e; e=$(enc "$2")
  if [ -e "$1/content/$e" ] || [ -e "$1/absent/$e" ] || [ -e "$1/link/$e" ]; then return 0; fi
  if [ -L "$2" ]; then
    mkdir -p "$1/link" && readlink -- "$2" > "$1/link/$e" || fail "cannot back up $2"
  elif [ -f "$2" ]; then
    # The copy is root's alone whatever the file is (a 0640 file readable by a group included).
    mkdir -p "$1/content" "$1/meta" && stat -c '%a %u %g' -- "$2" > "$1/meta/$e" \
      && cp -- "$2" "$1/content/.tmp" && chmod 0600 "$1/content/.tmp" && mv -f -- "$1/content/.tmp" "$1/content/$e" || fail "cannot back up $2"
  elif [ ! -e "$2" ]; then
    mkdir -p "$1/absent" && : > "$1/absent/$e" || fail "cannot back up $2"
  fi # a directory: nothing to keep
}
backup() { snapshot "$BACKUP_DIR/$RUN_ID" "$1"; }
stage_from() { # stage_from DIR PATH TMP: TMP holds PATH as DIR kept it, with its mode and owner; 1 when DIR kept no file
  local e m u g; e=$(enc "$2")
  [ -f "$1/content/$e" ] || return 1
  read -r m u g < "$1/meta/$e" || return 2
  (umask 022; mkdir -p -- "$(dirname -- "$2")") || return 2
  cp -- "$1/content/$e" "$3" && chown "$u:$g" "$3" && chmod "$m" "$3" || { rm -f -- "$3"; return 2; }
}
restore_from() { # restore_from DIR PATH: PATH back as DIR kept it, atomically; 1 when DIR knows nothing of PATH
  local e t r; e=$(enc "$2"); t="$(dirname -- "$2")/.orbis-tmp.$(basename -- "$2")"
  stage_from "$1" "$2" "$t"; r=$?
  if [ "$r" = 0 ]; then mv -f -- "$t" "$2" || return 2
  elif [ "$r" != 1 ]; then return 2
  elif [ -f "$1/link/$e" ]; then ln -sfn -- "$(cat -- "$1/link/$e")" "$t" && mv -fT -- "$t" "$2" || return 2
  elif [ -e "$1/absent/$e" ]; then rm -f -- "$2" || return 2
  else return 1; fi
}
unit_snapshot() { # unit_snapshot UNIT: its enablement and state before this run first changes them
  local d="$BACKUP_DIR/$RUN_ID/units" e a
  [ -e "$d/$1" ] && return 0
  e=$(systemctl show -p UnitFileState --value -- "$1" 2>/dev/null); a=$(systemctl show -p ActiveState --value -- "$1" 2>/dev/null)
  [ -n "$e" ] || e=-; [ -n "$a" ] || a=-
  mkdir -p "$d" && printf '%s %s\n' "$e" "$a" > "$d/$1" || fail "cannot record the state of $1"
}
record() { # record STATUS: this run's record, the controller's JSON after {"seq":N,"status":"STATUS",
  { printf '{"seq":%s,"status":"%s",' "$SEQ" "$1"; printf '%s' "$RECORD" | base64 -d; } > "$RUNS_DIR/.$RUN_ID.tmp" \
    && mv -f -- "$RUNS_DIR/.$RUN_ID.tmp" "$RUNS_DIR/$RUN_ID.json"
}
begin_run() { # begin_run KEEPS_BACKUPS: the next sequence number, the record (running), the backup directory
  SEQ=$(head -c 20 "$RUN_SEQ" 2>/dev/null); case "$SEQ" in ''|*[!0-9]*) SEQ=0;; esac; SEQ=$((SEQ + 1))
  printf '%s\n' "$SEQ" > "$RUN_SEQ" || fail "cannot write $RUN_SEQ"
  install -d -m 0700 "$RUNS_DIR" || fail "cannot create $RUNS_DIR"
  record running || fail "cannot write the run record"
  RECORDING=1
  if [ "$1" = 1 ]; then install -d -m 0700 "$BACKUP_DIR/$RUN_ID" && printf '%s\n' "$SEQ" > "$BACKUP_DIR/$RUN_ID/seq" || fail "cannot create $BACKUP_DIR/$RUN_ID"; fi
}
by_seq() { # by_seq: "SEQ PATH" lines from "PATH" lines (backup directories or records), oldest first
  local p s
  while IFS= read -r p; do
    if [ -d "$p" ]; then s=$(head -c 20 "$p/seq" 2>/dev/null); else s=$(head -c 40 "$p" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p'); fi
    [ -n "$s" ] || s=0
    printf '%s %s\n' "$s" "$p"
  done | sort -n
}
prune() { # backups of the newest runs only; the newest records, and every record whose backups are kept
  local p
  find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name seq -printf '%h\n' | by_seq | head -n -"$BACKUP_GENERATIONS" | cut -d' ' -f2- \
    | while IFS= read -r p; do rm -rf -- "$p"; done
  find "$RUNS_DIR" -maxdepth 1 -name '*.json' | by_seq | head -n -"$RECORDS_KEPT" | cut -d' ' -f2- \
    | while IFS= read -r p; do [ -d "$BACKUP_DIR/$(basename -- "$p" .json)" ] || rm -f -- "$p"; done
}
UNITS_DIRTY=0
reload_units() { if [ "$UNITS_DIRTY" = 1 ]; then try systemctl daemon-reload; UNITS_DIRTY=0; fi; }
`;

export interface RunScriptHeader {
  runId: string;
  /** Who holds the lock while this runs: shown to a second run that finds it locked. */
  holder: string;
  /** Seconds a run waits for another run's lock before giving up. */
  lockWaitSec: number;
  /** The run's record as the controller built it (JSON, no secrets); see `recordBody`. */
  record: string;
}

/** The record's JSON without its opening brace: the script writes `{"seq":N,"status":"S",` before it. */
export function recordBody(recordJson: string): string {
  if (!recordJson.startsWith('{') || recordJson.includes('\n')) throw new Error('a run record is one line of JSON object');
  const body = recordJson.slice(1);
  return body === '}' ? '"empty":true}' : body;
}

/** The start of every run script: the library, the run's names, the state directories, the lock. */
export function scriptHead(header: RunScriptHeader): string[] {
  return [
    '#!/bin/bash',
    LIB,
    FINGERPRINT,
    `RUN_ID=${shq(header.runId)}; BACKUP_DIR=${shq(BACKUP_DIR)}; RUNS_DIR=${shq(RUNS_DIR)}; RUN_SEQ=${shq(RUN_SEQ_PATH)}`,
    `BACKUP_GENERATIONS=${BACKUP_GENERATIONS}; RECORDS_KEPT=${RECORDS_KEPT}`,
    `RECORD=${shq(Buffer.from(recordBody(header.record)).toString('base64'))}`,
    `install -d -m 0700 ${shq(ORBIS_STATE_DIR)} "$BACKUP_DIR" || fail "cannot create ${ORBIS_STATE_DIR}"`,
    // One run at a time per host. flock is released by the kernel when its holder dies, so a
    // crashed run never leaves a lock behind; the holder file only names who holds it now.
    `exec 9>>${shq(LOCK_PATH)}`,
    `if ! flock -w ${header.lockWaitSec} 9; then ev "LOCKED	$(base64 -w0 < ${shq(`${LOCK_PATH}.holder`)} 2>/dev/null)"; exit 75; fi`,
    `printf '%s\\n' ${shq(header.holder)} > ${shq(`${LOCK_PATH}.holder`)}`,
  ];
}
