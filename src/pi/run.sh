#!/bin/bash
# shellcheck shell=bash
# The start of every run script (an apply, a rollback; script-lib.ts composes it after common.sh
# and backups.sh): the events, failure, the host lock, the run's sequence number, record and
# backups. Run as `bash SCRIPT WORK_DIR` by a transient unit (launch.sh).
#
# Reads: $1 WORK_DIR (the run's working directory); RUN_ID; BACKUP_DIR, RUNS_DIR, RUN_SEQ, ORBIS_STATE,
#   LOCK_PATH (state.ts); BACKUP_GENERATIONS, RECORDS_KEPT; RECORD (the record's JSON after its
#   opening brace, base64); LOCK_HOLDER (who this run is, shown to a run that finds the host
#   locked); LOCK_WAIT_SEC; PAUSE_EVENT and PAUSE_SEC (fault injection only, engine/fault.ts: pause
#   right after writing that event line).
# Writes progress as tagged lines to WORK_DIR/events (apply-script.ts lists them); prints nothing.
# Exits 75 when another run holds the lock past LOCK_WAIT_SEC.
#
# Run records (RUNS_DIR/<run id>.json), one JSON line: the script writes `{"seq":N,"status":"S",`
# and then what the controller sent (run-record.ts), so the status can change (running -> applied
# | failed, later rolled-back) without a JSON parser on the Pi. Backups (BACKUP_DIR/<run id>/, the
# layout of backups.sh plus `seq`, `dropped/<e>` for a file whose role said `backup: false`, and
# `units/<unit>` for the state of a unit before the run first changed it); only the newest
# BACKUP_GENERATIONS runs keep theirs.
set -uo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
umask 077
WORK_DIR=$1
EVENTS="$WORK_DIR/events"
: > "$EVENTS"
# The script holds secrets (file contents): gone from disk as soon as bash has it open.
rm -f "$0"
STEP=init
RECORDING=0
# Tab, for event lines.
TAB=$'\t'

ev() {
  printf '%s\n' "$*" >> "$EVENTS"
  # BEGIN and OK lines end with a tab and the step's time (empty on an old bash): the point a
  # fault names is the line without them.
  if [ -n "${PAUSE_EVENT:-}" ]; then
    local e="$*"
    if [ "${e%"$TAB"*}" = "$PAUSE_EVENT" ]; then sleep "$PAUSE_SEC"; fi
  fi
}

# A job in the background (apt, see apply.sh) is waited for: the run's end would kill it.
BG_PID=
fail() {
  ev "FAIL${TAB}$STEP${TAB}$(printf '%s' "$1" | tail -c 3000 | base64 -w0)"
  if [ -n "$BG_PID" ]; then wait "$BG_PID"; fi
  if [ "$RECORDING" = 1 ]; then record failed; fi
  exit 1
}

# Step times (bash >= 5; an older bash reports steps without them).
declare -p EPOCHREALTIME >/dev/null 2>&1 || EPOCHREALTIME=
step() { STEP=$1; ev "BEGIN${TAB}$1${TAB}$EPOCHREALTIME"; }
ok() { ev "OK${TAB}$STEP${TAB}$EPOCHREALTIME"; }
try() { local out; if ! out=$("$@" 2>&1 </dev/null); then fail "$out"; fi; }
hash_of() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; else echo absent; fi; }

# backup PATH: PATH as it was before this run first touched it, kept in the run's backups.
backup() { snapshot "$BACKUP_DIR/$RUN_ID" "$1" || fail "cannot back up $1"; }

# unit_snapshot UNIT: its enablement and state before this run first changes them.
unit_snapshot() {
  local d="$BACKUP_DIR/$RUN_ID/units"
  [ -e "$d/$1" ] && return 0
  if ! { mkdir -p "$d" && { unit_state "$1"; echo; } > "$d/$1"; }; then fail "cannot record the state of $1"; fi
}

# record STATUS: this run's record, the controller's JSON after {"seq":N,"status":"STATUS",
record() {
  if { printf '{"seq":%s,"status":"%s",' "$SEQ" "$1"; printf '%s' "$RECORD" | base64 -d; } > "$RUNS_DIR/.$RUN_ID.tmp" \
    && mv -f -- "$RUNS_DIR/.$RUN_ID.tmp" "$RUNS_DIR/$RUN_ID.json"; then
    return 0
  fi
  rm -f -- "$RUNS_DIR/.$RUN_ID.tmp"
  record_in_place "$1"
}

# record_in_place STATUS: when a new record cannot be written (the disk filled during the run),
# the status of the one written at the start is overwritten where it stands: `running"` becomes
# `failed" ` or `applied"`, the same 8 bytes (a space after a JSON string is whitespace), in a block
# the file already holds, so it needs no free space. Without it a run cut short by a full disk
# would say `running` for ever.
record_in_place() {
  local file="$RUNS_DIR/$RUN_ID.json" head word
  head="{\"seq\":$SEQ,\"status\":\""
  [ "$(head -c $((${#head} + 8)) -- "$file" 2>/dev/null)" = "${head}running\"" ] || return 1
  word=$(printf '%-8s' "$1\"")
  [ "${#word}" = 8 ] || return 1
  printf '%s' "$word" | dd of="$file" bs=1 seek="${#head}" conv=notrunc status=none
}

# begin_run KEEPS_BACKUPS: the next sequence number, the record (running), the backup directory.
begin_run() {
  SEQ=$(head -c 20 "$RUN_SEQ" 2>/dev/null)
  case "$SEQ" in ''|*[!0-9]*) SEQ=0;; esac
  SEQ=$((SEQ + 1))
  printf '%s\n' "$SEQ" > "$RUN_SEQ" || fail "cannot write $RUN_SEQ"
  install -d -m 0700 "$RUNS_DIR" || fail "cannot create $RUNS_DIR"
  record running || fail "cannot write the run record"
  RECORDING=1
  if [ "$1" = 1 ]; then
    if ! { install -d -m 0700 "$BACKUP_DIR/$RUN_ID" && printf '%s\n' "$SEQ" > "$BACKUP_DIR/$RUN_ID/seq"; }; then fail "cannot create $BACKUP_DIR/$RUN_ID"; fi
  fi
}

# end_run: the record says applied, old backups and records go; the last step of a run.
end_run() {
  record applied || fail "cannot write the run record"
  RECORDING=0
  prune
}

# by_seq: "SEQ PATH" lines from "PATH" lines (backup directories or records), oldest first.
by_seq() {
  local p s
  while IFS= read -r p; do
    if [ -d "$p" ]; then s=$(head -c 20 "$p/seq" 2>/dev/null); else s=$(head -c 40 "$p" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p'); fi
    printf '%s %s\n' "${s:-0}" "$p"
  done | sort -n
}

# prune: backups of the newest runs only; the newest records, and every record whose backups are kept.
prune() {
  local p
  find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name seq -printf '%h\n' | by_seq | head -n -"$BACKUP_GENERATIONS" | cut -d' ' -f2- \
    | while IFS= read -r p; do rm -rf -- "$p"; done
  find "$RUNS_DIR" -maxdepth 1 -name '*.json' | by_seq | head -n -"$RECORDS_KEPT" | cut -d' ' -f2- \
    | while IFS= read -r p; do [ -d "$BACKUP_DIR/$(basename -- "$p" .json)" ] || rm -f -- "$p"; done
}

UNITS_DIRTY=0
reload_units() { if [ "$UNITS_DIRTY" = 1 ]; then try systemctl daemon-reload; UNITS_DIRTY=0; fi; }
# role_shell COMMAND [ARG...]: a role's own shell (a validation, a guard) run as it ran when it was
# inlined in the run script, in a subshell of it (set -u, pipefail; a fork, not a new bash), with
# ARG... as its $1...
role_shell() { local role_command=$1; shift; ( eval "$role_command" ); }
# validate_file TEMPLATE FILE: TEMPLATE (a role's `validate:`, %s for the file) run on FILE.
validate_file() { local p='%s'; role_shell "${1//"$p"/\"\$1\"}" "$2" 2>&1 </dev/null; }
# is_unit_file PATH: a systemd unit file (writing one needs a daemon-reload before it is used).
is_unit_file() { case "$1" in /etc/systemd/system/*|/lib/systemd/system/*|/usr/lib/systemd/system/*) return 0 ;; esac; return 1; }

# clear_failed UNIT: before an explicit start or restart. A unit that gave up (its StartLimitBurst
# reached, e.g. a streamer that failed too often) refuses any start until its interval passes. A
# run that asks for it to be started means it, and a configuration change is no failure of the unit.
# The units PartOf= it (the streamer, PartOf nginx) start again with it, and every start counts
# against their limit too: without this, a few runs that restart nginx within StartLimitIntervalSec
# would leave the streamer down (start-limit-hit), though nothing failed.
clear_failed() {
  local u
  systemctl reset-failed "$1" >/dev/null 2>&1 || true
  for u in $(systemctl show -p ConsistsOf --value -- "$1" 2>/dev/null); do systemctl reset-failed "$u" >/dev/null 2>&1 || true; done
}

# Handlers, one name a line in PENDING_HANDLERS: recorded before the change that notifies them, so
# that a run cut right after it still runs them next time (facts read the file back).
pend() { printf '%s\n' "$@" >> "$PENDING_HANDLERS"; }
# unpend NAME: no longer pending (every occurrence: one may have been notified twice).
unpend() {
  if [ -f "$PENDING_HANDLERS" ]; then
    grep -vxF -- "$1" "$PENDING_HANDLERS" > "$PENDING_HANDLERS.tmp"
    mv -f "$PENDING_HANDLERS.tmp" "$PENDING_HANDLERS"
  fi
}
drop_empty_pending() { if [ -f "$PENDING_HANDLERS" ] && [ ! -s "$PENDING_HANDLERS" ]; then rm -f "$PENDING_HANDLERS"; fi; }

# run_handler ACTION UNIT: a unit handler (restart, reload, ...). run_handler_command COMMAND: a
# command handler. handler_ran NAME: reported, no longer pending.
run_handler() { reload_units; case "$1" in start|restart) clear_failed "$2" ;; esac; try systemctl "$1" "$2"; }
run_handler_command() { try bash -c "$1"; }
handler_ran() { ev "HANDLER${TAB}$(printf %s "$1" | b64)"; unpend "$1"; }

# write_manifest BASE64 [PATH...]: the manifest (what orbis owns on the host and the sha256 it
# wrote), atomically. Files extracted from an archive get the sha256 of what is installed now,
# measured here: the Nth PATH replaces the placeholder @installed-N@ in the JSON, so that `orbis
# check` later tells a binary replaced by hand from the one orbis installed.
write_manifest() {
  local json h i=0 p
  json=$(printf '%s' "$1" | base64 -d)
  shift
  for p in "$@"; do
    h=$(sha256sum < "$p") || fail "cannot hash $p"
    json=${json//@installed-$i@/${h%% *}}
    i=$((i + 1))
  done
  if ! { printf '%s\n' "$json" > "$MANIFEST.tmp" && mv -f "$MANIFEST.tmp" "$MANIFEST"; }; then fail "cannot write the manifest"; fi
}

install -d -m 0700 "$ORBIS_STATE" "$BACKUP_DIR" || fail "cannot create $ORBIS_STATE"
# One run at a time per host. flock is released by the kernel when its holder dies, so a crashed
# run never leaves a lock behind; the holder file only names who holds it now.
exec 9>>"$LOCK_PATH"
if ! flock -w "$LOCK_WAIT_SEC" 9; then ev "LOCKED${TAB}$(base64 -w0 < "$LOCK_PATH.holder" 2>/dev/null)"; exit 75; fi
printf '%s\n' "$LOCK_HOLDER" > "$LOCK_PATH.holder"
