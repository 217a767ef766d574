#!/bin/bash
# shellcheck shell=bash
# What `orbis status` reads on a Pi beyond observe.sh's looks (src/status/script.ts composes it
# after common.sh and observe.sh, ONE round trip a refresh): the BTFS daemon's own word, the
# streamer's live state files and the journal's recent errors. It carries no secret (the
# journal's text is masked on the controller). The functions use observe_begin's work directory $T.
#
# Reads:
#   UNITS          the stack's units (array; also observe.sh's)
#   BTFS_UNIT      go-btfs's unit
#   STUNNEL_UNIT   stunnel's unit for Kick ('' when Kick is off)
#   STREAMER_DIR   orbis.service's RuntimeDirectory, where the streamer keeps its state files
#   CACHE_DIR      where orbis-cache.service keeps the next videos and its state (.etat)
#
# Prints:
#   btfs_said       BTFS<TAB>MemoryCurrent (bytes)<TAB>b64(go-btfs's last word of its current start)
#   streamer_state  STREAMER<TAB>b64(etat)<TAB>b64(tour)<TAB>b64(the cache's .etat)
#   journal_errors  JOURNAL<TAB>b64(journalctl -o json lines)

# btfs_said: the BTFS daemon as go-btfs tells it, in the journal of its current start only (the
# unit's InvocationID): ready ("Daemon is ready", cmd/btfs/daemon.go) or waiting for funds
# ("cannot continue until there is sufficient ... available on 0x…", settlement/swap/vault/init.go,
# a full node), and the memory its cgroup holds (systemd's MemoryCurrent, bytes).
btfs_said() {
  local inv said=
  inv=$(systemctl show -p InvocationID --value "$BTFS_UNIT" 2>/dev/null)
  if [ -n "$inv" ]; then said=$(journalctl --no-pager -q -o cat _SYSTEMD_INVOCATION_ID="$inv" 2>/dev/null | grep -E '^(Daemon is ready|cannot continue until there is sufficient)' | tail -n 1); fi
  printf 'BTFS\t%s\t%s\n' "$(systemctl show -p MemoryCurrent --value "$BTFS_UNIT" 2>/dev/null)" "$(printf %s "$said" | b64)"
}

# streamer_state: the streamer's live state files (its publisher's counters, the round it plays,
# what is on air) and the prefetch cache's (what it holds, how far ahead).
streamer_state() {
  printf 'STREAMER\t%s\t%s\t%s\n' "$(b64 2>/dev/null < "$STREAMER_DIR/etat")" "$(b64 2>/dev/null < "$STREAMER_DIR/tour")" "$(b64 2>/dev/null < "$CACHE_DIR/.etat")"
}

# journal_json ARG...: the stack's journal as JSON lines, the fields the controller reads.
journal_json() {
  journalctl --no-pager -q -o json --output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,UNIT "$@" 2>/dev/null
}

# journal_errors: the journal lines that say something failed, newest last: errors (priority err
# or worse, as the streamer logs its own), stunnel's LOG0-LOG3 lines (it logs to stderr: the
# journal sees them as info), and systemd's "Failed with result" for a unit of the stack.
journal_errors() {
  local unit u=()
  for unit in "${UNITS[@]}"; do u+=(-u "$unit"); done
  {
    journal_json -p err -n 5 "${u[@]}"
    if [ -n "$STUNNEL_UNIT" ]; then journal_json -n 400 -u "$STUNNEL_UNIT" | grep -E '"MESSAGE":"LOG[0-3]\[' | tail -n 5; fi
    journal_json -p warning -n 50 "${u[@]}" | grep -F 'Failed with result' | tail -n 3
  } > "$T/journal"
  printf 'JOURNAL\t%s\n' "$(b64 < "$T/journal")"
}
