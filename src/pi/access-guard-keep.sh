#!/bin/bash
# shellcheck shell=bash
# How the access guard keeps a path and puts it back: backups.sh's snapshot and restore_from (the
# one keep-and-restore) for files, links and absent paths, and a directory's mode and owner.
# Needs common.sh (enc) and backups.sh. Reads nothing else, prints nothing.
#
# Directories. The guard keeps every path its plan touches, and a plan touches a directory only as
# a directory (mkdir, chmod, chown of a `directories:` entry): what it writes inside one is a path
# of its own, kept and put back on its own. So a directory is kept as its mode and owner
# (DIR/dir/<e>, beside backups.sh's layout), not with its content: putting back a whole tree
# would also undo what others changed in it meanwhile (sshd_config.d holds drop-ins of packages
# and cloud-init). A directory that was NOT there as a directory (absent, or a file then) is
# removed whole: everything in it came with the change or after it, as the guard always did.
# The guarded role orbis ships (ssh) writes one file in /etc/ssh/sshd_config.d, which exists on
# every Debian: kept and restored as a file, as before.

# guard_keep DIR PATH: PATH as it is now, kept in DIR (2 on failure).
guard_keep() {
  if [ -d "$2" ] && [ ! -L "$2" ]; then
    mkdir -p "$1/dir" && stat -c '%a %u %g' -- "$2" > "$1/dir/$(enc "$2")" || return 2
  else
    snapshot "$1" "$2"
  fi
}

# guard_restore DIR PATH: PATH back as guard_keep kept it in DIR (1: DIR knows nothing of it, 2:
# failed).
guard_restore() {
  local kept m u g
  kept="$1/dir/$(enc "$2")"
  if [ -f "$kept" ]; then
    read -r m u g < "$kept" || return 2
    if [ -L "$2" ] || { [ -e "$2" ] && [ ! -d "$2" ]; }; then rm -f -- "$2" || return 2; fi
    mkdir -p -- "$2" && chown "$u:$g" -- "$2" && chmod "$m" -- "$2" || return 2
    return 0
  fi
  if [ -d "$2" ] && [ ! -L "$2" ]; then rm -rf -- "$2" || return 2; fi
  restore_from "$1" "$2"
}
