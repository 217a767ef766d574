#!/bin/bash
# shellcheck shell=bash
# The access guard, armed as root BEFORE a change that can lock orbis out (access-guard.ts): keep
# every path the change may touch, write the rollback script, and arm a transient systemd timer
# that runs it at the deadline unless the change is confirmed over a new connection first. Needs
# common.sh, backups.sh and access-guard-keep.sh (guard_keep).
#
# Reads: ORBIS_STATE, ACCESS_GUARD_DIR (the state directories), GUARD_DIR (this guard's record),
# RECORDS_KEPT (guard records kept for a later look), PATHS (array: the paths to keep), ROLLBACK
# (the rollback script, base64: access-guard-rollback.sh composed with its inputs), UNIT (the
# transient timer and service), DEADLINE_SEC, WHAT (the change, for the unit's description).
# Prints the record `ARMED<TAB><epoch seconds>` (src/wire/access-guard.ts) once the timer runs:
# the change must not start otherwise. Any failure stops it before that (set -e).
set -euo pipefail
umask 077
install -d -m 0700 "$ORBIS_STATE" "$ACCESS_GUARD_DIR"
# Older records, beyond a few: their timers are long gone (transient units do not survive their
# run), only the directories stay.
find "$ACCESS_GUARD_DIR" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn \
  | tail -n +"$RECORDS_KEPT" | cut -d' ' -f2- | xargs -r rm -rf --
rm -rf -- "$GUARD_DIR"
mkdir -m 0700 -- "$GUARD_DIR" "$GUARD_DIR/saved"
for p in "${PATHS[@]}"; do guard_keep "$GUARD_DIR/saved" "$p"; done
# The rollback script is data: written as it came, run later by the timer (its directory is this
# guard's record).
printf '%s' "$ROLLBACK" | base64 -d > "$GUARD_DIR/rollback"
# AccuracySec: systemd would otherwise fire up to a minute late, to batch wake-ups.
systemd-run --quiet --unit="$UNIT" --on-active="${DEADLINE_SEC}s" --timer-property=AccuracySec=1s \
  --description="orbis: undo $WHAT unless confirmed" /bin/bash "$GUARD_DIR/rollback"
printf '%s\n' "$(date +%s)" > "$GUARD_DIR/armed"
printf 'ARMED\t%s\n' "$(cat "$GUARD_DIR/armed")"
