#!/bin/bash
# shellcheck shell=bash
# `orbis import --remove-old` on the Pi: upstream's leftovers go, once import/remove-old.ts has
# decided they may (it composes this after common.sh and parses what it prints). Run as root.
# Everything is first archived (root only, 0600), the archive is read back, and only then are the
# files removed; a broken nginx afterwards puts them all back.
#
# Reads:
#   UPSTREAM_BACKUP  the folder of the archives (made 0700)
#   ARCHIVE          the archive to write, in it
#   REMOVE           (array) what to remove, files or folders, as paths relative to / (tar's
#                    names), in the order removed; those that do not exist are skipped
#   KEEP             (array) absolute paths inside those folders that stay (and the folders
#                    leading to them)
#   RETIRED_DIR      where the nginx-rtmp role moved upstream's stats site: removed once empty
#   DISABLE          (array) units to disable and stop
# Prints tagged, tab-separated lines:
#   ARCHIVE b64(path) bytes | REMOVED b64(path) | DISABLED unit
#   RESTORED, and exits 3, when nginx no longer accepts its configuration afterwards

set -euo pipefail
export LC_ALL=C
umask 077

mkdir -p "$UPSTREAM_BACKUP" && chmod 0700 "$UPSTREAM_BACKUP"
rel=(); for p in "${REMOVE[@]}"; do if [ -e "/$p" ] || [ -L "/$p" ]; then rel+=("$p"); fi; done

# Archive first, read it back, and only then remove anything.
if [ ${#rel[@]} -gt 0 ]; then
  tar --create --gzip --file "$ARCHIVE" -C / -- "${rel[@]}"
  tar --list --gzip --file "$ARCHIVE" > /dev/null
  printf 'ARCHIVE\t%s\t%s\n' "$(printf %s "$ARCHIVE" | b64)" "$(stat -c %s "$ARCHIVE")"
fi

# prune DIR: empty a folder except the paths to keep (and the folders leading to them).
prune() { local e; for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  local hold=0 k; for k in "${KEEP[@]}"; do [ "$e" = "$k" ] && hold=1; case "$k" in "$e"/*) hold=2;; esac; done
  if [ $hold = 2 ]; then prune "$e"; elif [ $hold = 0 ]; then rm -rf -- "$e"; fi
done; }

for p in "${rel[@]}"; do
  p="/$p"; held=0
  for k in "${KEEP[@]}"; do case "$k" in "$p"/*) held=1;; esac; done
  if [ $held = 1 ]; then prune "$p"; else rm -rf -- "$p"; fi
  printf 'REMOVED\t%s\n' "$(printf %s "$p" | b64)"
done

# The folder the nginx-rtmp role moved upstream's stats site into, once empty.
rmdir "$RETIRED_DIR" 2>/dev/null || true
for u in "${DISABLE[@]}"; do
  systemctl disable "$u" >/dev/null 2>&1 && systemctl stop "$u" && printf 'DISABLED\t%s\n' "$u"
done

# The files removed under /etc/nginx were not read by orbis's nginx.conf; should that be wrong,
# put everything back rather than leave nginx unable to start.
if command -v nginx >/dev/null 2>&1 && ! nginx -t -q >/dev/null 2>&1; then
  [ ${#rel[@]} -gt 0 ] && tar --extract --gzip --preserve-permissions --file "$ARCHIVE" -C /
  printf 'RESTORED\n'; exit 3
fi
