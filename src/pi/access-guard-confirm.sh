#!/bin/bash
# shellcheck shell=bash
# The access guard's confirmation, run as root over the NEW connection once orbis could log in
# again: mark the change confirmed and stop the timer, unless the rollback already ran. Takes the
# guard record's lock, as the rollback does: exactly one of them wins.
#
# Reads: GUARD_DIR (the guard's record), TIMER (the transient timer unit).
# Prints one record (src/wire/access-guard.ts): `CONFIRMED`, `ROLLED_BACK<TAB><epoch seconds>`,
# or `GONE` (no record).
set -u
[ -d "$GUARD_DIR" ] || { echo GONE; exit 0; }
exec 8>>"$GUARD_DIR/lock"
flock 8
if [ -e "$GUARD_DIR/rolled-back" ]; then printf 'ROLLED_BACK\t%s\n' "$(cat "$GUARD_DIR/rolled-back")"; exit 0; fi
printf '%s\n' "$(date +%s)" > "$GUARD_DIR/confirmed"
systemctl stop "$TIMER" >/dev/null 2>&1 || true
# The saved copies are the old configuration: no longer needed once the new one is confirmed.
rm -rf -- "$GUARD_DIR/saved"
echo CONFIRMED
