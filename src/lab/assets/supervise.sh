#!/bin/bash
# Supervisor of one lab host: runs systemd-nspawn and relaunches it when the guest reboots
# (nspawn exits 133 then), so a test can reboot a Pi and watch it come back. Any other exit
# (poweroff, a crash) ends the supervisor. SIGTERM stops the host: it is forwarded to nspawn,
# which shuts the guest down.
#
# usage: supervise.sh PIDFILE LOGFILE NSPAWN-ARGS...
set -u
pidfile=$1
logfile=$2
shift 2

stopping=0
child=
stop() {
  stopping=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; fi
}
trap stop TERM INT HUP

while :; do
  systemd-nspawn "$@" >>"$logfile" 2>&1 </dev/null &
  child=$!
  echo "$child" >"$pidfile"
  # `wait` returns early when a trapped signal arrives: keep waiting for the real exit.
  while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  if [ "$stopping" = 1 ]; then break; fi
  if [ "$status" -ne 133 ]; then
    echo "orbis-lab supervisor: systemd-nspawn exited with status $status; not relaunching" >>"$logfile"
    break
  fi
  echo "orbis-lab supervisor: the guest rebooted; relaunching" >>"$logfile"
done
rm -f "$pidfile"
