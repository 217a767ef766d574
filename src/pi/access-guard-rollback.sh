#!/bin/bash
# shellcheck shell=bash
# The access guard's rollback: run by its transient timer when nobody confirmed the change in time,
# as root, with nobody logged in. Puts back every path the arm script kept, then runs the plan's
# handlers again (reload sshd): the host restores its previous configuration by itself. Needs
# common.sh, backups.sh and access-guard-keep.sh (guard_restore).
#
# The arm script writes this script, composed with its inputs, to <guard record>/rollback: the
# guard's record is the directory this script lies in ($0). It takes the record's lock, as the
# confirmation does, so exactly one of them wins; the winner leaves its mark (`confirmed` or
# `rolled-back`, with the time) for the other and for a later look.
#
# Reads: RUN_ID, WHAT (the change, for the journal), PATHS (array: the paths to put back),
# RELOAD_UNITS (1: a unit file is among them, systemd must read them again), AFTER_RESTORE (array:
# one shell command a line, each run with bash -c once the paths are back). Prints nothing: it
# tells the journal (logger -t orbis).
set -u
G=$(dirname -- "$0")
exec 8>>"$G/lock"
flock 8
[ -e "$G/confirmed" ] && exit 0
[ -e "$G/rolled-back" ] && exit 0
# A path that cannot be put back does not keep the others from it.
for p in "${PATHS[@]}"; do guard_restore "$G/saved" "$p"; done
if [ "$RELOAD_UNITS" = 1 ]; then systemctl daemon-reload; fi
for c in "${AFTER_RESTORE[@]}"; do
  bash -c "$c" >/dev/null 2>&1 </dev/null \
    || logger -t orbis -p auth.err "access guard $RUN_ID: after the rollback, \`$c\` failed" 2>/dev/null || true
done
printf '%s\n' "$(date +%s)" > "$G/rolled-back"
logger -t orbis -p auth.warning "access guard $RUN_ID: nobody confirmed the change in time ($WHAT); the previous configuration was restored" 2>/dev/null || true
