#!/bin/bash
# shellcheck shell=bash
# Keeping a path as it is and putting it back: the one way orbis saves and restores files on a Pi
# (a run's backups, a rollback's own undo, an access guard). Needs common.sh (enc). Prints nothing.
#
# A keep directory DIR holds, for each path (named by `enc`):
#   content/<e>  the file as it was: always 0600 root, whatever it held (stream keys included)
#   meta/<e>     its mode, uid and gid, to put back with it
#   absent/<e>   the path did not exist: putting it back removes it
#   link/<e>     it was a symbolic link to what this file holds
# A directory is not kept (nothing is written for it).
# Each function returns 0 when done, 1 when DIR knows nothing of PATH (restore), 2 on failure.

# snapshot DIR PATH: PATH as it is now, kept in DIR. The first snapshot of PATH in DIR wins.
snapshot() {
  local e
  e=$(enc "$2")
  if [ -e "$1/content/$e" ] || [ -e "$1/absent/$e" ] || [ -e "$1/link/$e" ]; then return 0; fi
  if [ -L "$2" ]; then
    mkdir -p "$1/link" && readlink -- "$2" > "$1/link/$e" || return 2
  elif [ -f "$2" ]; then
    # The copy is root's alone whatever the file is (a 0640 file readable by a group included).
    mkdir -p "$1/content" "$1/meta" && stat -c '%a %u %g' -- "$2" > "$1/meta/$e" \
      && cp -- "$2" "$1/content/.tmp" && chmod 0600 "$1/content/.tmp" && mv -f -- "$1/content/.tmp" "$1/content/$e" || return 2
  elif [ ! -e "$2" ]; then
    mkdir -p "$1/absent" && : > "$1/absent/$e" || return 2
  fi
}

# stage_from DIR PATH TMP: TMP holds PATH as DIR kept it, with its mode and owner (1: DIR kept no file).
stage_from() {
  local e m u g
  e=$(enc "$2")
  [ -f "$1/content/$e" ] || return 1
  read -r m u g < "$1/meta/$e" || return 2
  (umask 022; mkdir -p -- "$(dirname -- "$2")") || return 2
  if ! { cp -- "$1/content/$e" "$3" && chown "$u:$g" "$3" && chmod "$m" "$3"; }; then rm -f -- "$3"; return 2; fi
}

# restore_from DIR PATH: PATH back as DIR kept it, atomically (1: DIR knows nothing of PATH).
restore_from() {
  local e t r
  e=$(enc "$2")
  t="$(dirname -- "$2")/.orbis-tmp.$(basename -- "$2")"
  stage_from "$1" "$2" "$t"; r=$?
  if [ "$r" = 0 ]; then mv -f -- "$t" "$2" || return 2
  elif [ "$r" != 1 ]; then return 2
  elif [ -f "$1/link/$e" ]; then ln -sfn -- "$(cat -- "$1/link/$e")" "$t" && mv -fT -- "$t" "$2" || return 2
  elif [ -e "$1/absent/$e" ]; then rm -f -- "$2" || return 2
  else return 1; fi
}
