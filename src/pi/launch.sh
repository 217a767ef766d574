#!/bin/bash
# shellcheck shell=bash
# Starts a run script (an apply, a rollback) detached on the Pi and follows it (engine/apply.ts).
# This is the command itself; the run script arrives on its stdin and is written, root's alone, to
# the run's directory. Detached: a transient systemd unit runs it (plain bash where systemd does not
# run the host: a chroot, an old init), so a dropped SSH link cannot stop it halfway.
# Reads: ORBIS_STATE, RUNS_DIR (state.ts); RUN_WORK (the run's directory, under RUNS_DIR); RUN_UNIT
#   (the transient unit's name); RUN_TIMEOUT_SEC; PROGRESS_PREFIX.
# Prints: on stderr, live, each BEGIN and OK line of the events as PROGRESS_PREFIX<BEGIN|OK> <step>;
#   on stdout, once the run ended, its whole events file. Exits with the run's status.
# space_left: how much room the disk orbis writes to has, for a run that could not say why it
# stopped (a full disk keeps it from writing even its failure).
space_left() { df -Pk -- "$ORBIS_STATE" 2>/dev/null | awk 'NR == 2 {printf "%s has %s KiB free (%s used)", $6, $4, $5}'; }

install -d -m 0700 "$ORBIS_STATE" "$RUNS_DIR" "$RUN_WORK" || { echo "cannot create $RUN_WORK: $(space_left)" >&2; exit 1; }
# A script cut short (no space left) is never run, nor left behind: it holds file contents.
if ! (umask 077; cat > "$RUN_WORK/apply.sh"); then
  rm -rf "$RUN_WORK"
  echo "cannot write the run script to $RUN_WORK: $(space_left)" >&2
  exit 1
fi
if command -v systemd-run >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemd-run --quiet --wait --collect --unit="$RUN_UNIT" --service-type=exec -p TimeoutStartSec="${RUN_TIMEOUT_SEC}s" \
    /bin/bash "$RUN_WORK/apply.sh" "$RUN_WORK" >/dev/null 2>&1 &
else
  /bin/bash "$RUN_WORK/apply.sh" "$RUN_WORK" >/dev/null 2>&1 &
fi
pid=$!
# Live progress: the events as they are written, on stderr (a copy; stdout has the record). GNU
# sed reads \t and \|.
tail -n +1 -s 0.3 -F --pid="$pid" "$RUN_WORK/events" 2>/dev/null | sed -u -n "s/^\\(BEGIN\\|OK\\)\\t/$PROGRESS_PREFIX\\1 /p" >&2 &
wait "$pid"
rc=$?
wait
cat "$RUN_WORK/events" 2>/dev/null
if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$RUN_WORK/events" 2>/dev/null; then
  echo "the run ended without recording why: $(space_left)" >&2
fi
# The run's record is RUNS_DIR/<id>.json; its working directory is not needed once read.
rm -rf "$RUN_WORK"
exit "$rc"
