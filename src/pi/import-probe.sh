#!/bin/bash
# shellcheck shell=bash
# The import's one round trip: reads everything upstream Orbis left on the Pi (import/probe.ts
# composes it after common.sh and parses what it prints). Run as root: the project may sit in
# another user's home, the rtmp block may be root's. Some of the files read hold stream keys: the
# output is parsed in memory and never shown.
#
# Reads:
#   SYSTEM_FILES    (array) upstream's files outside its project folder, read when they exist
#   PROJECT         (array) the folder named with --project (one element), or none: then
#                   ~user/PROJECT_NAME of every user
#   PROJECT_NAME    the name of upstream's project folder
#   STACK_UNITS     (array) the stack's units, whose state is reported
#   MAX_READ_BYTES  larger files are listed, not read (a playlist or a conf file is a few KiB)
#   MAX_LISTED      entries of a project folder listed at most (its logs can pile up)
#   MANIFEST        orbis's manifest, to tell what orbis owns already
# Prints tagged, tab-separated lines, paths and contents base64-encoded:
#   HOSTNAME name | UID uid
#   FILE b64(path) mode owner mtime size b64(content) | LISTED b64(path) mode owner mtime size
#   PROJECT b64(dir) owner | NOPROJECT b64(dir)       (a named folder without conf/orbis.conf)
#   HOME user b64(home) | UNIT unit ActiveState is-enabled
#   PROC pid b64(args, one a line) b64(cwd) unit user  (upstream's runtime)
#   MANIFEST b64(manifest.json)

set -u
export LC_ALL=C

# file PATH: FILE with its content, or LISTED when it is too large to read; nothing when it is not
# a file.
file() { local p=$1; [ -f "$p" ] || return 0; local s; s=$(stat -c $'%a\t%U\t%Y\t%s' "$p") || return 0;
  if [ "$(stat -c %s "$p")" -le "$MAX_READ_BYTES" ]; then printf 'FILE\t%s\t%s\t%s\n' "$(printf %s "$p" | b64)" "$s" "$(b64 < "$p")";
  else printf 'LISTED\t%s\t%s\n' "$(printf %s "$p" | b64)" "$s"; fi; }
# listed PATH: LISTED, without the content.
listed() { printf 'LISTED\t%s\t%s\n' "$(printf %s "$1" | b64)" "$(stat -c $'%a\t%U\t%Y\t%s' "$1")"; }

printf 'HOSTNAME\t%s\n' "$(hostname)"
printf 'UID\t%s\n' "$(id -u)"
for p in "${SYSTEM_FILES[@]}"; do file "$p"; done

# Candidate projects: the one named, else ~user/PROJECT_NAME of every user, plus the home of
# btfs.service's User= (that is where the guide clones it).
projects=("${PROJECT[@]}")
if [ ${#PROJECT[@]} -eq 0 ]; then
  while IFS=: read -r _ _ _ _ _ home _; do [ -n "$home" ] && [ -d "$home/$PROJECT_NAME" ] && projects+=("$home/$PROJECT_NAME"); done < <(getent passwd)
fi
for d in "${projects[@]}"; do
  [ -f "$d/conf/orbis.conf" ] || { printf 'NOPROJECT\t%s\n' "$(printf %s "$d" | b64)"; continue; }
  printf 'PROJECT\t%s\t%s\n' "$(printf %s "$d" | b64)" "$(stat -c %U "$d")"
  file "$d/conf/orbis.conf"
  for p in "$d"/ldl/*.txt "$d"/conf/stunnel-kick.conf; do file "$p"; done
  find "$d" -xdev \( -type f -o -type l \) ! -path "$d/ldl/*.txt" ! -path "$d/conf/orbis.conf" 2>/dev/null | head -n "$MAX_LISTED" | while IFS= read -r p; do listed "$p"; done
done

# Whose home is where: the project owners' and btfs.service's user (its repo is ~user/.btfs).
while IFS=: read -r name _ uid _ _ home _; do [ "$uid" -ge 1000 ] 2>/dev/null && [ "$uid" -lt 65534 ] && printf 'HOME\t%s\t%s\n' "$name" "$(printf %s "$home" | b64)"; done < <(getent passwd)
for u in "${STACK_UNITS[@]}"; do printf 'UNIT\t%s\t%s\t%s\n' "$u" "$(systemctl show -p ActiveState --value "$u" 2>/dev/null)" "$(systemctl is-enabled "$u" 2>/dev/null | tail -n1)"; done

# The streamer started by hand, and a BTFS daemon outside btfs.service: upstream's runtime.
for pid in $(pgrep -f '(^|/|[[:space:]])diffuser\.sh([[:space:]]|$)|btfs daemon' 2>/dev/null); do
  [ -r "/proc/$pid/cmdline" ] || continue
  unit=$(sed -n 's#.*/\([^/]*\.service\)$#\1#p' "/proc/$pid/cgroup" 2>/dev/null | tail -n1)
  printf 'PROC\t%s\t%s\t%s\t%s\t%s\n' "$pid" "$(tr '\0' '\n' < "/proc/$pid/cmdline" | b64)" "$(printf %s "$(readlink "/proc/$pid/cwd")" | b64)" "$unit" "$(ps -o user= -p "$pid" | tr -d ' ')"
done
if [ -r "$MANIFEST" ]; then printf 'MANIFEST\t%s\n' "$(b64 < "$MANIFEST")"; fi
