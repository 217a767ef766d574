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
install -d -m 0700 "$ORBIS_STATE" "$RUNS_DIR" "$RUN_WORK" || exit 1
(umask 077; cat > "$RUN_WORK/apply.sh") || exit 1
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
# The run's record is RUNS_DIR/<id>.json; its working directory is not needed once read.
rm -rf "$RUN_WORK"
exit "$rc"
