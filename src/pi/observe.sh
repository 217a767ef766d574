#!/bin/bash
# shellcheck shell=bash
# The read-only looks at a host that `orbis verify` (verify.sh), `orbis status` (status.sh) and
# `orbis reconnect` (reconnect.sh) share, so that they all read the host the same way. Needs
# common.sh (b64). Each function prints tagged, tab-separated lines (src/verify/parse/output.ts
# and src/status/parse.ts read them back); anything free-form (command output, XML) is base64 so
# it can hold tabs and newlines. Nothing here needs a secret, and nothing prints one.
#
# Reads:
#   UNITS            the stack's units (array), as `systemctl show` names them
#   UNIT_PROPERTIES  the properties `units_sample` asks for (comma-separated)
#   UNIT_FLAGS       more options for `systemctl show` (array, e.g. --timestamp=unix)
#   GATEWAY_URL      the BTFS test CID through the gateway (<gateway>/<cid>)
#   BTFS_API_URL     the BTFS API's id endpoint
#   STAT_URL         nginx-rtmp's statistics page (/stat)
#
# Prints (each function, in the order called):
#   observe_begin   NOW<TAB>host time (s.ns)
#   units_sample    UNITS<TAB>host time<TAB>b64(systemctl show)
#   gateway_check   GW<TAB>curl rc<TAB>code bytes seconds<TAB>b64(curl's error); API<TAB>rc<TAB>code
#                   (GW<TAB>127 alone when there is no curl)
#   stat_check      STAT<TAB>rc<TAB>code<TAB>b64(body, 200 kB at most)<TAB>b64(curl's error)
#   observe_end     END (the parsers take a script without it as cut short)
#   in_parallel F... what the functions F... print, in the order given

# observe_begin: the settings every look runs with, a root-only work directory ($T, removed
# whatever happens), and the host's clock first: compared with the controller's (clock check,
# certificate expiry).
observe_begin() {
  set -u
  export LC_ALL=C
  T=$(mktemp -d) || exit 1
  trap 'rm -rf "$T"' EXIT
  cd / || exit 1
  printf 'NOW\t%s\n' "$(date +%s.%N)"
}

# units_sample: the stack's units as `systemctl show` sees them, with the host time of the sample
# and its monotonic clock (seconds since boot, what ActiveEnterTimestampMonotonic counts in µs):
# how long each unit has been up.
units_sample() {
  local up
  read -r up _ < /proc/uptime
  printf 'UNITS\t%s\t%s\t%s\n' "$(date +%s.%N)" "$(systemctl show --no-pager "${UNIT_FLAGS[@]}" -p "$UNIT_PROPERTIES" -- "${UNITS[@]}" 2>&1 | b64)" "$up"
}

# in_parallel FUNCTION...: the functions at once, each in a subshell writing to its own file
# (they use different files of $T), then their outputs in the order given. The looks wait on
# different things (DNS, a TLS handshake, nginx -t, the gateway): together they take as long as
# the slowest, not the sum.
in_parallel() {
  local f i=0
  for f; do
    "$f" > "$T/parallel.$i" &
    i=$((i + 1))
  done
  wait
  for ((i = 0; i < $#; i++)); do cat "$T/parallel.$i"; done
}

# gateway_check: the test CID's first 512 bytes through the gateway, and the BTFS API.
gateway_check() {
  local w rc
  if ! command -v curl >/dev/null 2>&1; then printf 'GW\t127\t\n'; return; fi
  w=$(curl -sS -o /dev/null -r 0-511 --max-time 10 -w '%{http_code} %{size_download} %{time_total}' "$GATEWAY_URL" 2>"$T/gw"); rc=$?
  printf 'GW\t%s\t%s\t%s\n' "$rc" "$w" "$(b64 < "$T/gw")"
  # The API answers 401 without a token in BTFS 4.x: that still proves the daemon is up.
  w=$(curl -sS -o /dev/null -X POST --max-time 5 -w '%{http_code}' "$BTFS_API_URL" 2>/dev/null); printf 'API\t%s\t%s\n' "$?" "$w"
}

# stat_check: nginx-rtmp's /stat (XML).
stat_check() {
  local w rc
  if ! command -v curl >/dev/null 2>&1; then printf 'STAT\t127\t\n'; return; fi
  w=$(curl -sS -o "$T/stat" --max-time 5 -w '%{http_code}' "$STAT_URL" 2>"$T/stat.err"); rc=$?
  printf 'STAT\t%s\t%s\t%s\t%s\n' "$rc" "$w" "$(head -c 200000 "$T/stat" 2>/dev/null | b64)" "$(b64 < "$T/stat.err")"
}

# observe_end: the last line, which says the script was not cut short.
observe_end() {
  printf 'END\n'
}
